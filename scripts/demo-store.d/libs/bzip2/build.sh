# bzip2 1.0.8 from the bzip2-sys crate's bundled sources, as its own
# Makefile-libbz2_so does: soname libbz2.so.1.0, no symbol versioning (upstream
# has none). libbz2.so.1 is added for distributions that link against that name.
cp -r "$src"/. bzip2
chmod -R u+w bzip2
cd bzip2
compile_each -fpic -fPIC -Wall -Winline "${CFLAGS_ARR[@]}" -D_FILE_OFFSET_BITS=64 -- \
  blocksort.c huffman.c crctable.c randtable.c compress.c decompress.c bzlib.c
"$CC" "${CFLAGS_ARR[@]}" -shared -Wl,-soname -Wl,libbz2.so.1.0 -o "libbz2.so.$version" \
  blocksort.o huffman.o crctable.o randtable.o compress.o decompress.o bzlib.o
install -m 755 "libbz2.so.$version" "$out/lib/"
ln -sf "libbz2.so.$version" "$out/lib/libbz2.so.1.0"
ln -sf "libbz2.so.$version" "$out/lib/libbz2.so.1"
ln -sf "libbz2.so.$version" "$out/lib/libbz2.so"
install -d "$out/include"
install -m 644 bzlib.h "$out/include/"
