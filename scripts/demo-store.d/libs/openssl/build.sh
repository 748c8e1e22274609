# OpenSSL 3.0.x from Debian's upstream tarball (openssl_3.0.*.orig.tar.gz, what
# `apt-get source openssl` downloads), with OpenSSL's own Configure: its
# mkdef.pl writes the libcrypto.ld/libssl.ld version scripts (OPENSSL_3.0.0 ...)
# from util/*.num. Only the libraries are built (`make build_libs`).
# enable-ec_nistp_64_gcc_128 as nixpkgs (and Debian) pass on x86_64.
# The CFLAGS environment variable replaces the config target's default "-O3",
# so the flavor's flags are the only optimisation flags; `openssl version -f`
# shows them.
tar -xzf "$src"
cd openssl-*/
CFLAGS="-Wall $cflags" ./Configure linux-x86_64 shared no-tests enable-ec_nistp_64_gcc_128 \
  --prefix="$out" --libdir=lib --openssldir=/etc/ssl
grep -E '^CFLAGS=' Makefile
make -j "$jobs" build_libs
install -m 755 libcrypto.so.3 libssl.so.3 "$out/lib/"
ln -sf libcrypto.so.3 "$out/lib/libcrypto.so"
ln -sf libssl.so.3 "$out/lib/libssl.so"
install -d "$out/include/openssl" "$out/lib/pkgconfig"
install -m 644 include/openssl/*.h "$out/include/openssl/"
for pc in libcrypto.pc libssl.pc openssl.pc; do
  [ -f "$pc" ] && install -m 644 "$pc" "$out/lib/pkgconfig/"
done
true
