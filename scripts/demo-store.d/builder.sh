# Builds ONE library of the storebench demo store, in one flavor.
#
# Used two ways, with the same environment in both:
#   - as the builder of a Nix derivation (scripts/demo-store.d/default.nix):
#     `builder = "/bin/bash"; args = [ ./builder.sh ];`
#   - directly by scripts/demo-store in plain-directory mode.
#
# Environment:
#   pname version flavor   e.g. zlib 1.3.2 stock
#   cflags                 the flavor's optimisation flags ("-O2 -g0", "-O3 -march=native -g0")
#   src                    the unpacked sources (directory) or a tarball
#   recipe                 directory holding build.sh for this library (libs/<pname>)
#   sonames                the sonames that must come out, checked with readelf
#   out                    where to install; <out>/lib gets the shared objects
#   NIX_BUILD_CORES        parallel jobs (optional)
set -euo pipefail
: "${pname:?}" "${version:?}" "${flavor:?}" "${cflags?}" "${src:?}" "${recipe:?}" "${sonames:?}" "${out:?}"

jobs=${NIX_BUILD_CORES:-0}
[ "$jobs" -gt 0 ] 2>/dev/null || jobs=$(nproc 2>/dev/null || echo 2)
CC=${CC:-gcc}
read -ra CFLAGS_ARR <<< "$cflags"

echo "== $pname $version ($flavor): cflags '$cflags', $jobs jobs, $($CC --version | head -n1)"
t0=$(date +%s)

# compile_each FLAG... -- FILE...: compile every FILE to ./<basename>.o, $jobs at a time.
compile_each() {
  local flags=()
  while [ "$1" != "--" ]; do flags+=("$1"); shift; done
  shift
  printf '%s\n' "$@" | xargs -P "$jobs" -n 1 "$CC" "${flags[@]}" -c
}

mkdir -p "$out/lib"
# shellcheck source=/dev/null
. "$recipe/build.sh"

# Every promised soname must be there, as a real ELF shared object with that SONAME.
for so in $sonames; do
  f="$out/lib/$so"
  [ -e "$f" ] || { echo "error: $pname did not produce lib/$so" >&2; exit 1; }
  got=$(readelf -d "$f" | sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p')
  [ "$got" = "$so" ] || { echo "error: lib/$so has SONAME '$got'" >&2; exit 1; }
done

mkdir -p "$out/nix-support"
{
  echo "pname=$pname"
  echo "version=$version"
  echo "flavor=$flavor"
  echo "cflags=$cflags"
  echo "cc=$($CC --version | head -n1)"
  echo "march=$($CC "${CFLAGS_ARR[@]}" -Q --help=target 2>/dev/null | awk '$1 == "-march=" {print $2; exit}')"
} > "$out/nix-support/storebench-demo"
echo "== $pname $version ($flavor) done in $(( $(date +%s) - t0 )) s"
