# OpenSSL 3.0.x from Debian's upstream tarball (openssl_3.0.*.orig.tar.gz, what
# `apt-get source openssl` downloads), with OpenSSL's own Configure: its
# mkdef.pl writes the libcrypto.ld/libssl.ld version scripts (OPENSSL_3.0.0 ...)
# from util/*.num. Only the two shared libraries are built (`make libcrypto.so
# libssl.so`: no apps, docs, tests, static archives, engines, modules or
# pkg-config files, whose make targets depend on the static archives).
# enable-ec_nistp_64_gcc_128 as nixpkgs (and Debian) pass on x86_64.
# The CFLAGS environment variable replaces the config target's default "-O3",
# so the flavor's flags are the only optimisation flags; `openssl version -f`
# shows them.
#
# OpenSSL's default configuration: the same algorithms, protocols and assembly
# as a distribution's build, so tls/1.3/handshake offers what a real client
# offers. (A build trimmed to what the workloads call was 5 s quicker here and
# its handshake 5 % faster than this one's: not the library users run.)
tar -xzf "$src"
cd openssl-*/
CFLAGS="-Wall $cflags" ./Configure linux-x86_64 shared no-tests enable-ec_nistp_64_gcc_128 \
  --prefix="$out" --libdir=lib --openssldir=/etc/ssl
grep -E '^CFLAGS=' Makefile
make build_generated
make -j "$jobs" libcrypto.so libssl.so
install -m 755 libcrypto.so.3 libssl.so.3 "$out/lib/"
ln -sf libcrypto.so.3 "$out/lib/libcrypto.so"
ln -sf libssl.so.3 "$out/lib/libssl.so"
install -d "$out/include/openssl"
install -m 644 include/openssl/*.h "$out/include/openssl/"
# No .pc files: their make targets depend on the static archives.
