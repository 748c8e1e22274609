# Builder of storebench-demo-env-<flavor> (see default.nix): one lib/ with
# symlinks to the files of every library of the flavor.
set -euo pipefail
: "${out:?}" "${libs:?}" "${flavor:?}"
mkdir -p "$out/lib/pkgconfig" "$out/nix-support"
for l in $libs; do
  for f in "$l"/lib/*; do
    [ -d "$f" ] && continue
    ln -s "$f" "$out/lib/"
  done
  for f in "$l"/lib/pkgconfig/*.pc; do
    [ -e "$f" ] && ln -s "$f" "$out/lib/pkgconfig/"
  done
  echo "$l" >> "$out/nix-support/storebench-demo-libs"
done
echo "$flavor" > "$out/nix-support/storebench-demo-flavor"
