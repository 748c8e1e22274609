# Builds ONE library of the storebench demo store with profile-guided
# optimisation (flavors *-pgo), around the ordinary builder:
#   1. builder.sh with the flavor's flags + -fprofile-generate, into a scratch root;
#   2. the library's trainer (pgo/<lib>-train.c) runs on that build, on a corpus
#      it generates itself with pgo_seed: NOT the corpus storebench measures
#      (another generator, another seed);
#   3. builder.sh again, in the same directory (so the profile files match the
#      objects), with -fprofile-use, into $out.
# Used as the Nix builder of the *-pgo derivations and by scripts/demo-store in
# plain mode. Environment: that of builder.sh, plus
#   stage     the path of builder.sh
#   trainer   the trainer's C source (pgo/<lib>-train.c; corpus.h beside it)
#   pgo_seed  the training corpus's seed
set -euo pipefail
: "${stage:?}" "${trainer:?}" "${pgo_seed:?}" "${out:?}" "${pname:?}" "${cflags?}"
CC=${CC:-gcc}
top=$PWD
prof=$top/pgo-profile
work=$top/pgo-work
scratch=$top/pgo-instrumented
base=$cflags
t0=$(date +%s)
rm -rf "$prof" "$work" "$scratch"
mkdir -p "$prof" "$work"

echo "== PGO 1/3: instrumented build of $pname"
(cd "$work" && cflags="$base -fprofile-generate=$prof -fprofile-update=atomic" out="$scratch" bash "$stage")

echo "== PGO 2/3: training on a generated corpus (seed $pgo_seed; not the measured corpus)"
case $pname in
  zlib) link=-lz ;;
  zstd) link=-lzstd ;;
  *) echo "error: no PGO trainer for $pname" >&2; exit 1 ;;
esac
# The trainer's sources may sit in the Nix store as separate files: corpus.h
# is passed as its own path (pgo_corpus) or found beside the trainer.
inc=$(dirname "${pgo_corpus:-$trainer}")
cp "${pgo_corpus:-$inc/corpus.h}" "$top/corpus.h"
cp "$trainer" "$top/train.c"
"$CC" -O2 -I"$top" -I"$scratch/include" "$top/train.c" -L"$scratch/lib" $link -o "$top/train"
LD_LIBRARY_PATH="$scratch/lib" "$top/train" "$pgo_seed"
n=$(find "$prof" -name '*.gcda' | wc -l)
[ "$n" -gt 0 ] || { echo "error: the training wrote no profile (.gcda) under $prof" >&2; exit 1; }
echo "== $n profile files"

echo "== PGO 3/3: build of $pname with the profile"
rm -rf "$work"
mkdir -p "$work"
(cd "$work" && cflags="$base -fprofile-use=$prof -fprofile-partial-training -Wno-missing-profile" out="$out" bash "$stage")
{
  echo "pgo=trained with $pname-train.c on its own generated corpus, seed $pgo_seed ($n profile files)"
  echo "pgo_cflags=$base"
} >> "$out/nix-support/storebench-demo"
rm -rf "$work" "$scratch" "$prof"
echo "== $pname PGO build done in $(( $(date +%s) - t0 )) s"
