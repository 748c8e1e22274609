# zstd from the zstd-sys crate's bundled sources, with zstd's own CMake build
# (build/cmake): shared library only, multithreading and legacy support on,
# as upstream's defaults. CMAKE_C_FLAGS_RELEASE is replaced so that the flavor's
# flags are the only optimisation flags.
cmake -S "$src/build/cmake" -B build -Wno-dev \
  -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_C_FLAGS= -DCMAKE_C_FLAGS_RELEASE="$cflags -DNDEBUG" \
  -DCMAKE_ASM_FLAGS= -DCMAKE_ASM_FLAGS_RELEASE="$cflags -DNDEBUG" \
  -DCMAKE_INSTALL_PREFIX="$out" -DCMAKE_INSTALL_LIBDIR=lib \
  -DZSTD_BUILD_SHARED=ON -DZSTD_BUILD_STATIC=OFF \
  -DZSTD_BUILD_PROGRAMS=OFF -DZSTD_BUILD_TESTS=OFF -DZSTD_BUILD_CONTRIB=OFF \
  -DZSTD_MULTITHREAD_SUPPORT=ON -DZSTD_LEGACY_SUPPORT=ON
cmake --build build -j "$jobs"
cmake --install build
