# zlib from the libz-sys crate's bundled sources (src/zlib). The crate ships no
# ./configure, so this does what zlib's configure + Makefile do on Linux/gcc:
# HAVE_UNISTD_H/HAVE_STDARG_H switched on in zconf.h, -D_LARGEFILE64_SOURCE=1,
# -DHAVE_HIDDEN, and the shared object linked with zlib's own version script.
cp -r "$src"/. zlib
chmod -R u+w zlib
cd zlib
sed -i -e 's|^#if HAVE_UNISTD_H-0 .*|#if 1     /* set as ./configure does */|' \
       -e 's|^#if HAVE_STDARG_H-0 .*|#if 1     /* set as ./configure does */|' zconf.h
grep -q '^#if 1     /\* set as' zconf.h
compile_each "${CFLAGS_ARR[@]}" -fPIC -D_LARGEFILE64_SOURCE=1 -DHAVE_HIDDEN -- \
  adler32.c crc32.c deflate.c infback.c inffast.c inflate.c inftrees.c trees.c \
  zutil.c compress.c uncompr.c gzclose.c gzlib.c gzread.c gzwrite.c
"$CC" "${CFLAGS_ARR[@]}" -fPIC -shared -Wl,-soname,libz.so.1 \
  -Wl,--version-script,"$recipe/zlib.map" -o "libz.so.$version" ./*.o -lc
install -m 755 "libz.so.$version" "$out/lib/"
ln -sf "libz.so.$version" "$out/lib/libz.so.1"
ln -sf "libz.so.$version" "$out/lib/libz.so"
install -d "$out/include" "$out/lib/pkgconfig"
install -m 644 zlib.h zconf.h "$out/include/"
sed -e "s|@prefix@|$out|; s|@exec_prefix@|\${prefix}|; s|@libdir@|\${exec_prefix}/lib|" \
    -e "s|@sharedlibdir@|\${libdir}|; s|@includedir@|\${prefix}/include|; s|@VERSION@|$version|" \
    zlib.pc.in > "$out/lib/pkgconfig/zlib.pc"
