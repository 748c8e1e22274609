/* PGO training for zstd (scripts/demo-store, flavor *-pgo): compresses and
 * decompresses a generated corpus (corpus.h, another generator and seed than
 * storebench's) at the levels storebench measures (1, 3, 9, 19), in blocks of
 * the sizes it uses, and checks every round trip. */
#include "corpus.h"
#include <zstd.h>

int main(int argc, char **argv) {
  rng_state = parse_seed(argc, argv) | 1;
  const size_t n = 1 << 20;
  unsigned char *in = malloc(n), *out = malloc(ZSTD_compressBound(n)), *back = malloc(n);
  ZSTD_CCtx *c = ZSTD_createCCtx();
  ZSTD_DCtx *d = ZSTD_createDCtx();
  if (!in || !out || !back || !c || !d) return 1;
  const int levels[] = {1, 3, 9, 19};
  const size_t blocks[] = {128 << 10, 64 << 10, 16 << 10, 4 << 10};
  const size_t span[] = {n, n, n, 64 << 10}; /* level 19 is slow: less of it */
  for (int kind = 0; kind < 3; kind++) {
    corpus(in, n, kind);
    for (int l = 0; l < 4; l++) {
      for (size_t off = 0; off < span[l]; off += blocks[l]) {
        size_t clen = ZSTD_compressCCtx(c, out, ZSTD_compressBound(blocks[l]), in + off, blocks[l], levels[l]);
        if (ZSTD_isError(clen)) return 1;
        size_t blen = ZSTD_decompressDCtx(d, back, blocks[l], out, clen);
        if (ZSTD_isError(blen) || blen != blocks[l] || memcmp(back, in + off, blen) != 0) return 1;
      }
    }
    size_t clen = ZSTD_compressCCtx(c, out, ZSTD_compressBound(n), in, n, 3);
    if (ZSTD_isError(clen)) return 1;
    for (int rep = 0; rep < 4; rep++) {
      size_t blen = ZSTD_decompressDCtx(d, back, n, out, clen);
      if (ZSTD_isError(blen) || blen != n) return 1;
    }
  }
  printf("zstd training done (%s)\n", ZSTD_versionString());
  return 0;
}
