/* PGO training for zlib (scripts/demo-store, flavor *-pgo): compresses and
 * decompresses a generated corpus (corpus.h, another generator and seed than
 * storebench's) at the levels storebench measures (1, 6, 9), in blocks of the
 * sizes it uses, and checks every round trip. */
#include "corpus.h"
#include <zlib.h>

int main(int argc, char **argv) {
  rng_state = parse_seed(argc, argv) | 1;
  const size_t n = 1 << 20;
  unsigned char *in = malloc(n), *out = malloc(compressBound(n)), *back = malloc(n);
  if (!in || !out || !back) return 1;
  const int levels[] = {1, 6, 9};
  const size_t blocks[] = {32 << 10, 8 << 10, 4 << 10};
  for (int kind = 0; kind < 3; kind++) {
    corpus(in, n, kind);
    for (int l = 0; l < 3; l++) {
      for (size_t off = 0; off < n; off += blocks[l]) {
        uLongf clen = compressBound(blocks[l]), blen = blocks[l];
        if (compress2(out, &clen, in + off, blocks[l], levels[l]) != Z_OK) return 1;
        if (uncompress(back, &blen, out, clen) != Z_OK || blen != blocks[l]) return 1;
        if (memcmp(back, in + off, blen) != 0) return 1;
      }
    }
    uLongf clen = compressBound(n), blen = n;
    if (compress2(out, &clen, in, n, 6) != Z_OK) return 1;
    for (int rep = 0; rep < 4; rep++) {
      blen = n;
      if (uncompress(back, &blen, out, clen) != Z_OK || blen != n) return 1;
    }
  }
  printf("zlib training done (%s)\n", zlibVersion());
  return 0;
}
