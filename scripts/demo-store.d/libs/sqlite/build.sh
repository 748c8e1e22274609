# SQLite from the libsqlite3-sys crate's bundled amalgamation (sqlite3/sqlite3.c),
# compiled with the compile-time options nixpkgs' sqlite uses that touch the code
# the sqlite/* workloads run (the B-tree, pager, VDBE and their hooks), plus what
# the amalgamation's configure detects on glibc. libtool names the file
# libsqlite3.so.0.8.6 with soname libsqlite3.so.0.
#
# Left out, as OpenSSL's unused algorithms are (the demo builds what it measures):
# nixpkgs' extension modules, each separate code that only registers itself when a
# connection opens — FTS3/FTS4/FTS5, R*Tree and Geopoly, the dbstat table, the
# math and soundex functions. They are about a fifth of the amalgamation's code
# and of its compile time. Kept: the options that change the core's own paths
# (the pre-update hook, statement scan status, secure delete, unlock notify,
# column metadata), the limits, and the session extension, whose functions
# Debian's /usr/bin/sqlite3 imports (scripts/demo-store checks it against each
# variant).
defs=(
  -DSQLITE_THREADSAFE=1 -D_REENTRANT=1
  -DHAVE_USLEEP=1 -DHAVE_FDATASYNC=1 -DHAVE_LOCALTIME_R=1 -DHAVE_GMTIME_R=1
  -DHAVE_STRCHRNUL=1 -DHAVE_MALLOC_USABLE_SIZE=1 -DHAVE_POSIX_FALLOCATE=1 -DHAVE_ISNAN=1
  -DSQLITE_ENABLE_COLUMN_METADATA -DSQLITE_ENABLE_JSON1
  -DSQLITE_ENABLE_PREUPDATE_HOOK -DSQLITE_ENABLE_SESSION
  -DSQLITE_ENABLE_STMT_SCANSTATUS -DSQLITE_ENABLE_UNLOCK_NOTIFY
  -DSQLITE_SECURE_DELETE
  -DSQLITE_MAX_VARIABLE_NUMBER=250000 -DSQLITE_MAX_EXPR_DEPTH=10000
)
"$CC" "${CFLAGS_ARR[@]}" -fPIC "${defs[@]}" -c "$src/sqlite3.c" -o sqlite3.o
"$CC" "${CFLAGS_ARR[@]}" -shared -Wl,-soname,libsqlite3.so.0 -o libsqlite3.so.0.8.6 \
  sqlite3.o -lm -ldl -lpthread
install -m 755 libsqlite3.so.0.8.6 "$out/lib/"
ln -sf libsqlite3.so.0.8.6 "$out/lib/libsqlite3.so.0"
ln -sf libsqlite3.so.0.8.6 "$out/lib/libsqlite3.so"
install -d "$out/include"
install -m 644 "$src/sqlite3.h" "$src/sqlite3ext.h" "$out/include/"
