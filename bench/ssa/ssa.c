/*
 * C reference for bench/ssa.ts: the same exact algorithms as src/numerics/ssa/, written tightly in C.
 *
 *   ssa SPEC METHOD T_END REPLICATES SEED     (METHOD: direct | nrm)
 *
 * SPEC (text): n m / x0[0..n) / then per reaction: k nr (species stoich)*nr np (species stoich)*np
 * Propensity of a reaction: k * prod over reactants C(x_i, s_i) (combinatorial mass action; a reaction
 * without reactants has propensity k). Net change = products - reactants.
 *
 * Random numbers: Philox4x32-10 (Salmon et al. 2011) with a 64-bit multiply, one stream per replicate
 * (key = (replicate, seed)), uniforms built as in src/numerics/random/stream.ts: [0,1) from 27+26 bits and
 * (0,1) with the half-offset. Direct: sorting direct method (McCollum et al. 2006) with a dependency graph,
 * incremental a0 re-summed every 1024 firings. NRM: Gibson & Bruck (2000) with an indexed binary heap.
 * Prints: events, cpu seconds, events per second, mean final state of species 0.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ---- Philox4x32-10 stream ---- */
typedef struct { uint32_t k0, k1, c2, c3; uint64_t block; uint32_t buf[4]; int idx; } stream_t;

static void philox(uint32_t c[4], uint32_t k0, uint32_t k1) {
  for (int r = 0; r < 10; r++) {
    uint64_t p0 = (uint64_t)0xD2511F53u * c[0];
    uint64_t p1 = (uint64_t)0xCD9E8D57u * c[2];
    uint32_t x0 = (uint32_t)(p1 >> 32) ^ c[1] ^ k0;
    uint32_t x2 = (uint32_t)(p0 >> 32) ^ c[3] ^ k1;
    c[1] = (uint32_t)p1; c[3] = (uint32_t)p0; c[0] = x0; c[2] = x2;
    k0 += 0x9E3779B9u; k1 += 0xBB67AE85u;
  }
}
static inline uint32_t next_u32(stream_t *s) {
  if (s->idx == 4) {
    uint32_t c[4] = {(uint32_t)s->block, (uint32_t)(s->block >> 32), s->c2, s->c3};
    philox(c, s->k0, s->k1);
    memcpy(s->buf, c, sizeof c);
    s->block++;
    s->idx = 0;
  }
  return s->buf[s->idx++];
}
static inline double next_f64(stream_t *s) {
  uint32_t a = next_u32(s) >> 5, b = next_u32(s) >> 6;
  return ((double)a * 67108864.0 + b) * (1.0 / 9007199254740992.0);
}
static inline double next_open(stream_t *s) {
  uint32_t a = next_u32(s) >> 6, b = next_u32(s) >> 6;
  return ((double)a * 67108864.0 + b + 0.5) * (1.0 / 4503599627370496.0);
}

/* ---- problem ---- */
static int n, m;
static double *x0, *rk;
static int *rptr, *rsp, *rst;   /* reactants CSR: species, stoich */
static int *cptr, *csp; static double *cd;  /* net change CSR */
static int *gptr, *gdep;        /* dependency graph CSR */

static inline double prop(int j, const double *x) {
  double a = rk[j];
  for (int q = rptr[j]; q < rptr[j + 1]; q++) {
    double xi = x[rsp[q]];
    int s = rst[q];
    if (s == 1) a *= xi;
    else if (s == 2) a *= xi * (xi - 1) * 0.5;
    else { double c = 1; for (int i = 0; i < s; i++) c = c * (xi - i) / (i + 1); a *= c; }
  }
  return a;
}

static void load(const char *path) {
  FILE *f = fopen(path, "r");
  if (!f) { perror(path); exit(2); }
  if (fscanf(f, "%d %d", &n, &m) != 2) exit(3);
  x0 = malloc(n * sizeof(double)); rk = malloc(m * sizeof(double));
  for (int i = 0; i < n; i++) if (fscanf(f, "%lf", &x0[i]) != 1) exit(3);
  int cap = 16 * m + 16;
  rptr = calloc(m + 1, sizeof(int)); rsp = malloc(cap * sizeof(int)); rst = malloc(cap * sizeof(int));
  cptr = calloc(m + 1, sizeof(int)); csp = malloc(cap * sizeof(int)); cd = malloc(cap * sizeof(double));
  double *delta = calloc(n, sizeof(double));
  int nr = 0, nc = 0;
  for (int j = 0; j < m; j++) {
    int a, sp, st;
    if (fscanf(f, "%lf %d", &rk[j], &a) != 2) exit(3);
    for (int q = 0; q < a; q++) { if (fscanf(f, "%d %d", &sp, &st) != 2) exit(3); rsp[nr] = sp; rst[nr] = st; nr++; delta[sp] -= st; }
    rptr[j + 1] = nr;
    if (fscanf(f, "%d", &a) != 1) exit(3);
    for (int q = 0; q < a; q++) { if (fscanf(f, "%d %d", &sp, &st) != 2) exit(3); delta[sp] += st; }
    for (int i = 0; i < n; i++) if (delta[i] != 0) { csp[nc] = i; cd[nc] = delta[i]; nc++; delta[i] = 0; }
    cptr[j + 1] = nc;
  }
  fclose(f);
  /* dependency graph: j -> k if j changes a species k reads (k itself always) */
  gptr = calloc(m + 1, sizeof(int)); gdep = malloc((size_t)m * m * sizeof(int));
  int ng = 0;
  char *mark = calloc(m, 1);
  for (int j = 0; j < m; j++) {
    memset(mark, 0, m); mark[j] = 1;
    for (int q = cptr[j]; q < cptr[j + 1]; q++)
      for (int k = 0; k < m; k++)
        for (int r = rptr[k]; r < rptr[k + 1]; r++) if (rsp[r] == csp[q]) mark[k] = 1;
    for (int k = 0; k < m; k++) if (mark[k]) gdep[ng++] = k;
    gptr[j + 1] = ng;
  }
  free(mark); free(delta);
}

/* ---- indexed binary min-heap ---- */
static int *heap, *pos; static double *key;
static void hswap(int a, int b) { int ia = heap[a], ib = heap[b]; heap[a] = ib; heap[b] = ia; pos[ib] = a; pos[ia] = b; }
static void up(int h) { while (h > 0) { int p = (h - 1) >> 1; if (key[heap[p]] <= key[heap[h]]) break; hswap(h, p); h = p; } }
static void down(int h) {
  for (;;) { int c = 2 * h + 1; if (c >= m) break; if (c + 1 < m && key[heap[c + 1]] < key[heap[c]]) c++;
    if (key[heap[c]] >= key[heap[h]]) break; hswap(h, c); h = c; }
}
static void update(int i, double k) { double o = key[i]; key[i] = k; if (k < o) up(pos[i]); else if (k > o) down(pos[i]); }

int main(int argc, char **argv) {
  if (argc < 6) { fprintf(stderr, "usage: ssa SPEC direct|nrm T_END REPLICATES SEED\n"); return 1; }
  load(argv[1]);
  int nrm = strcmp(argv[2], "nrm") == 0;
  double tEnd = atof(argv[3]);
  long R = atol(argv[4]);
  uint32_t seed = (uint32_t)atol(argv[5]);
  double *x = malloc(n * sizeof(double)), *a = malloc(m * sizeof(double));
  int *order = malloc(m * sizeof(int));
  heap = malloc(m * sizeof(int)); pos = malloc(m * sizeof(int)); key = malloc(m * sizeof(double));
  long long events = 0; double sum0 = 0;
  clock_t c0 = clock();
  for (long rep = 0; rep < R; rep++) {
    stream_t s = {(uint32_t)rep, seed, 0x12345678u, 0x9abcdef0u, 0, {0}, 4};
    memcpy(x, x0, n * sizeof(double));
    double t = 0;
    if (!nrm) {
      double a0 = 0;
      for (int j = 0; j < m; j++) { a[j] = prop(j, x); a0 += a[j]; order[j] = j; }
      int since = 0;
      for (;;) {
        if (!(a0 > 0)) break;
        t += -log(next_open(&s)) / a0;
        if (t > tEnd) break;
        double r = next_f64(&s) * a0, acc = 0;
        int i = 0, mu = -1;
        for (; i < m; i++) { acc += a[order[i]]; if (r < acc) { mu = order[i]; break; } }
        if (mu < 0) { for (i = m - 1; i >= 0 && !(a[order[i]] > 0); i--); mu = order[i]; }
        if (i > 0) { int p = order[i - 1]; order[i - 1] = mu; order[i] = p; }
        for (int q = cptr[mu]; q < cptr[mu + 1]; q++) x[csp[q]] += cd[q];
        for (int q = gptr[mu]; q < gptr[mu + 1]; q++) { int k = gdep[q]; double v = prop(k, x); a0 += v - a[k]; a[k] = v; }
        if (++since >= 1024) { a0 = 0; for (int j = 0; j < m; j++) a0 += a[j]; since = 0; }
        if (a0 < 0) a0 = 0;
        events++;
      }
    } else {
      for (int j = 0; j < m; j++) {
        a[j] = prop(j, x);
        key[j] = a[j] > 0 ? -log(next_open(&s)) / a[j] : INFINITY;
        heap[j] = j; pos[j] = j;
      }
      for (int h = m / 2 - 1; h >= 0; h--) down(h);
      for (;;) {
        int mu = heap[0];
        double tn = key[mu];
        if (!(tn <= tEnd)) break;
        t = tn;
        for (int q = cptr[mu]; q < cptr[mu + 1]; q++) x[csp[q]] += cd[q];
        for (int q = gptr[mu]; q < gptr[mu + 1]; q++) {
          int k = gdep[q]; double v = prop(k, x), tk;
          if (v <= 0) tk = INFINITY;
          else if (k == mu || !(key[k] < INFINITY)) tk = t - log(next_open(&s)) / v;
          else tk = t + (a[k] / v) * (key[k] - t);
          a[k] = v; update(k, tk);
        }
        events++;
      }
    }
    sum0 += x[0];
  }
  double sec = (double)(clock() - c0) / CLOCKS_PER_SEC;
  printf("{\"events\": %lld, \"seconds\": %.6f, \"eventsPerSecond\": %.1f, \"meanX0\": %.6f}\n", events, sec,
         events / sec, sum0 / R);
  return 0;
}
