# The storebench demo store as Nix derivations, for scripts/demo-store.
#
# There is no nixpkgs here: every derivation is a plain `builtins.derivation`
# whose builder is the host's bash, calling the host's gcc/cmake/make (build
# with `--option sandbox false`). What nixpkgs would get from its stdenv is
# recorded in the derivation instead, so that it changes the hash: the flavor's
# flags, the compiler's version and, for -march=native, what "native" expands
# to on this CPU.
#
#   nix-build default.nix --argstr config "$json" -A stock.zlib
#   nix-build default.nix --argstr config "$json" -A optimized.env
#
# config (JSON, written by scripts/demo-store):
#   { "cc": "gcc (Debian 12.2.0-14) 12.2.0",
#     "native": "-march=skylake-avx512 -mmmx ... (what gcc -march=native expands to)",
#     "flavors": { "stock": "-O2 -g0", "optimized": "-O3 -march=native -g0" },
#     "pgo": { "seed": 20261206, "flavors": [ "O3-native-pgo" ] },
#     "libs": [ { "name": "zlib", "version": "1.3.2", "src": "/abs/path", "sonames": "libz.so.1" }, ... ] }
{ config }:
let
  cfg = builtins.fromJSON config;
  system = builtins.currentSystem;
  PATH = "/usr/local/bin:/usr/bin:/bin";

  usesNative = flags: builtins.match ".*-march=native.*" flags != null;

  # The sources are imported once and shared by both flavors: the SAME source
  # store path goes into the stock and the optimized derivation.
  source = l: builtins.path {
    path = /. + l.src;
    name = "${l.name}-${l.version}-source";
  };

  mkLib = flavor: l: builtins.derivation ({
    name = "${l.name}-${l.version}-${flavor}";
    pname = l.name;
    inherit (l) version sonames;
    inherit system flavor PATH;
    builder = "/bin/bash";
    args = [ ./builder.sh ];
    recipe = ./libs + "/${l.name}";
    src = source l;
    cflags = cfg.flavors.${flavor};
    cc = cfg.cc;
    native = if usesNative cfg.flavors.${flavor} then cfg.native else "";
  } // (if isPgo flavor then pgoAttrs l else { }));

  # A *-pgo flavor: pgo/builder.sh runs builder.sh twice around a training run
  # (see there); the other flavors' derivations are unchanged by this.
  isPgo = flavor: builtins.elem flavor ((cfg.pgo or { }).flavors or [ ]);
  pgoAttrs = l: {
    args = [ ./pgo/builder.sh ];
    stage = ./builder.sh;
    trainer = ./pgo + "/${l.name}-train.c";
    pgo_corpus = ./pgo/corpus.h;
    pgo_seed = toString cfg.pgo.seed;
  };

  # A user environment of one flavor: lib/ holds symlinks to every library's
  # files, so `<env>/lib` alone is a working LD_LIBRARY_PATH and a Nix profile
  # can point at it.
  mkEnv = flavor: libs: builtins.derivation {
    name = "storebench-demo-env-${flavor}";
    inherit system flavor PATH;
    builder = "/bin/bash";
    args = [ ./env-builder.sh ];
    libs = builtins.attrValues libs;
  };

  mkFlavor = flavor:
    let libs = builtins.listToAttrs (map (l: { name = l.name; value = mkLib flavor l; }) cfg.libs);
    in libs // { env = mkEnv flavor libs; };
in
builtins.mapAttrs (flavor: _: mkFlavor flavor) cfg.flavors
