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
# scope=measured (the default): what the aes/* and tls/* workloads use, and no
# more. Left out: the legacy provider, the engine modules, the algorithms no
# workload reaches (TLS 1.3 with TLS_AES_256_GCM_SHA384, an ECDSA P-256
# certificate signed with SHA-256, AES-GCM/CBC/CTR through EVP), DTLS, TLS 1.0
# and 1.1, and the CMS/CMP/CT/TS/SRTP/NPN modules. Kept, because the system's
# libcurl (the curl/* workloads link it) and its libssh2 import them and are
# loaded against this libcrypto: DES, Blowfish, CAST5, RC4, RIPEMD-160 (libssh2's
# ciphers and MACs), OCSP and SRP (libcurl). Kept, though the
# workloads do not call them, because they shape the TLS 1.3 handshake that
# tls/1.3/handshake measures: DH (the ffdhe groups in supported_groups), DSA
# (signature algorithms), PSK, RFC 3779 (certificate verification), the ENGINE
# API (EVP's init path looks for engines), compression and async. The AES and
# GCM code is the same code with the same assembly (no no-asm), and the
# libraries keep their sonames and the OPENSSL_3.0.0 symbol versions of every
# symbol left in (scripts/demo-store checks storebench's imports with readelf).
# scope=full: OpenSSL's default configuration (scripts/demo-store --openssl-full),
# for an A/A-style run of full against measured-only builds.
tar -xzf "$src"
cd openssl-*/
trim=()
if [ "${scope:-measured}" = measured ]; then
  trim=(no-legacy no-afalgeng no-capieng no-loadereng no-padlockeng no-devcryptoeng
        no-aria no-blake2 no-camellia no-chacha no-poly1305 no-cmac
        no-idea no-md4 no-mdc2 no-ocb no-rc2 no-scrypt no-seed no-siphash
        no-siv no-sm2 no-sm3 no-sm4 no-whirlpool no-ec2m no-gost
        no-cmp no-cms no-ct no-ts
        no-dtls no-tls1 no-tls1_1 no-srtp no-nextprotoneg no-ssl-trace no-weak-ssl-ciphers)
fi
echo "== OpenSSL scope ${scope:-measured}: ${trim[*]:-default configuration}"
CFLAGS="-Wall $cflags" ./Configure linux-x86_64 shared no-tests enable-ec_nistp_64_gcc_128 \
  "${trim[@]}" --prefix="$out" --libdir=lib --openssldir=/etc/ssl
grep -E '^CFLAGS=' Makefile
make build_generated
make -j "$jobs" libcrypto.so libssl.so
install -m 755 libcrypto.so.3 libssl.so.3 "$out/lib/"
ln -sf libcrypto.so.3 "$out/lib/libcrypto.so"
ln -sf libssl.so.3 "$out/lib/libssl.so"
install -d "$out/include/openssl"
install -m 644 include/openssl/*.h "$out/include/openssl/"
# No .pc files: their make targets depend on the static archives.
