/* The PGO training corpus of scripts/demo-store's *-pgo flavors: text, JSON
 * log lines and binary records, like the kinds storebench measures, but from
 * this file's own generator (xorshift64*) and the seed given on the command
 * line, so the profile is never trained on the bytes that are measured. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t rng_state;
static uint64_t rnd(void) {
  rng_state ^= rng_state >> 12;
  rng_state ^= rng_state << 25;
  rng_state ^= rng_state >> 27;
  return rng_state * 2685821657736338717ULL;
}

static const char *WORDS[] = {
  "the", "of", "and", "store", "library", "build", "flag", "native", "profile",
  "compression", "stream", "window", "block", "level", "match", "literal",
  "sequence", "entropy", "table", "round", "variant", "seed", "result", "time",
  "a", "to", "in", "is", "that", "for", "with", "on", "as", "it", "by", "from"};
#define NWORDS (sizeof WORDS / sizeof WORDS[0])

/* Fills buf with n bytes of the given kind (0 text, 1 json, 2 binary). */
static void corpus(unsigned char *buf, size_t n, int kind) {
  size_t i = 0;
  char line[256];
  while (i < n) {
    int len;
    if (kind == 0) {
      /* Skewed word choice: low indices far more often. */
      uint64_t r = rnd();
      size_t w = (size_t)((r % NWORDS) * ((r >> 32) % NWORDS) / NWORDS);
      len = snprintf(line, sizeof line, "%s%s", WORDS[w], (r >> 20) % 13 == 0 ? ".\n" : " ");
    } else if (kind == 1) {
      len = snprintf(line, sizeof line,
                     "{\"ts\":%llu,\"level\":\"%s\",\"id\":%u,\"msg\":\"%s %s\"}\n",
                     (unsigned long long)(1700000000ULL + (rnd() % 100000)),
                     (rnd() & 3) ? "info" : "warn", (unsigned)(rnd() % 5000),
                     WORDS[rnd() % NWORDS], WORDS[rnd() % NWORDS]);
    } else {
      uint64_t r = rnd();
      uint32_t rec[4] = {(uint32_t)(i / 16), (uint32_t)(r & 0xff), (uint32_t)(r >> 40), 0};
      memcpy(line, rec, sizeof rec);
      len = sizeof rec;
    }
    size_t take = (size_t)len < n - i ? (size_t)len : n - i;
    memcpy(buf + i, line, take);
    i += take;
  }
}

static unsigned long long parse_seed(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: %s SEED\n", argv[0]);
    exit(2);
  }
  return strtoull(argv[1], NULL, 10);
}
