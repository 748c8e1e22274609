# liblzma from the liblzma-sys crate's bundled xz sources, with xz's own CMake
# build: shared liblzma with Linux symbol versioning (src/liblzma/liblzma_linux.map,
# XZ_5.0 ... XZ_5.8 plus the XZ_5.1.2alpha/XZ_5.2.2 compatibility symbols),
# threads on, command line tools, translations and docs off.
cmake -S "$src" -B build -Wno-dev \
  -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_C_FLAGS= -DCMAKE_C_FLAGS_RELEASE="$cflags -DNDEBUG" \
  -DCMAKE_INSTALL_PREFIX="$out" -DCMAKE_INSTALL_LIBDIR=lib \
  -DBUILD_SHARED_LIBS=ON -DBUILD_TESTING=OFF \
  -DXZ_SYMBOL_VERSIONING=linux -DXZ_THREADS=posix -DXZ_NLS=OFF -DXZ_DOC=OFF \
  -DXZ_TOOL_XZ=OFF -DXZ_TOOL_XZDEC=OFF -DXZ_TOOL_LZMADEC=OFF \
  -DXZ_TOOL_LZMAINFO=OFF -DXZ_TOOL_SCRIPTS=OFF
cmake --build build -j "$jobs" --target liblzma
cmake --install build
