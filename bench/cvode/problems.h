/*
 * The stiff test problems of test/problems/ written again in C for the CVODE comparator.
 * Each definition is checked against the TypeScript one by `npx tsx bench/check.ts` (f and J at random
 * states), and CVODE's solutions at tight tolerance are checked against the published references there.
 * Jacobians fill a row-major array jac[i*n + j] = d f_i / d y_j (the driver copies it into CVODE's
 * column-major dense matrix; n <= 20, so the copy is negligible).
 */
#ifndef EXONICHE_BENCH_PROBLEMS_H
#define EXONICHE_BENCH_PROBLEMS_H

#include <string.h>

typedef void (*rhs_fn)(double t, const double *y, double *dy);
typedef void (*jac_fn)(double t, const double *y, double *jac);

typedef struct {
  const char *name;
  int n;
  double t0, t1;
  const double *y0;
  rhs_fn f;
  jac_fn jac;
} problem_t;

/* ROBER (Robertson 1966). */
static const double rober_y0[3] = {1.0, 0.0, 0.0};
static void rober_f(double t, const double *y, double *dy) {
  (void)t;
  const double a = 0.04 * y[0], b = 1e4 * y[1] * y[2], c = 3e7 * y[1] * y[1];
  dy[0] = -a + b;
  dy[1] = a - b - c;
  dy[2] = c;
}
static void rober_jac(double t, const double *y, double *J) {
  (void)t;
  J[0] = -0.04; J[1] = 1e4 * y[2]; J[2] = 1e4 * y[1];
  J[3] = 0.04;  J[4] = -1e4 * y[2] - 6e7 * y[1]; J[5] = -1e4 * y[1];
  J[6] = 0.0;   J[7] = 6e7 * y[1]; J[8] = 0.0;
}

/* Van der Pol, mu = 1000, unscaled form on [0, 2000]. */
static const double vdpol_y0[2] = {2.0, 0.0};
static void vdpol_f(double t, const double *y, double *dy) {
  (void)t;
  dy[0] = y[1];
  dy[1] = 1000.0 * (1.0 - y[0] * y[0]) * y[1] - y[0];
}
static void vdpol_jac(double t, const double *y, double *J) {
  (void)t;
  J[0] = 0.0; J[1] = 1.0;
  J[2] = -2000.0 * y[0] * y[1] - 1.0; J[3] = 1000.0 * (1.0 - y[0] * y[0]);
}

/* OREGO (Field and Noyes 1974). */
static const double orego_y0[3] = {1.0, 2.0, 3.0};
#define OR_S 77.27
#define OR_W 0.161
#define OR_Q 8.375e-6
static void orego_f(double t, const double *y, double *dy) {
  (void)t;
  dy[0] = OR_S * (y[1] + y[0] * (1.0 - OR_Q * y[0] - y[1]));
  dy[1] = (y[2] - (1.0 + y[0]) * y[1]) / OR_S;
  dy[2] = OR_W * (y[0] - y[2]);
}
static void orego_jac(double t, const double *y, double *J) {
  (void)t;
  J[0] = OR_S * (1.0 - 2.0 * OR_Q * y[0] - y[1]); J[1] = OR_S * (1.0 - y[0]); J[2] = 0.0;
  J[3] = -y[1] / OR_S; J[4] = -(1.0 + y[0]) / OR_S; J[5] = 1.0 / OR_S;
  J[6] = OR_W; J[7] = 0.0; J[8] = -OR_W;
}

/* HIRES (Schaefer 1975). */
static const double hires_y0[8] = {1, 0, 0, 0, 0, 0, 0, 0.0057};
static void hires_f(double t, const double *y, double *dy) {
  (void)t;
  const double r = 280.0 * y[5] * y[7];
  dy[0] = -1.71 * y[0] + 0.43 * y[1] + 8.32 * y[2] + 0.0007;
  dy[1] = 1.71 * y[0] - 8.75 * y[1];
  dy[2] = -10.03 * y[2] + 0.43 * y[3] + 0.035 * y[4];
  dy[3] = 8.32 * y[1] + 1.71 * y[2] - 1.12 * y[3];
  dy[4] = -1.745 * y[4] + 0.43 * y[5] + 0.43 * y[6];
  dy[5] = -r + 0.69 * y[3] + 1.71 * y[4] - 0.43 * y[5] + 0.69 * y[6];
  dy[6] = r - 1.81 * y[6];
  dy[7] = -r + 1.81 * y[6];
}
static void hires_jac(double t, const double *y, double *J) {
  (void)t;
  memset(J, 0, 64 * sizeof(double));
  J[0] = -1.71; J[1] = 0.43; J[2] = 8.32;
  J[8] = 1.71; J[9] = -8.75;
  J[18] = -10.03; J[19] = 0.43; J[20] = 0.035;
  J[25] = 8.32; J[26] = 1.71; J[27] = -1.12;
  J[36] = -1.745; J[37] = 0.43; J[38] = 0.43;
  J[43] = 0.69; J[44] = 1.71; J[45] = -0.43 - 280.0 * y[7]; J[46] = 0.69; J[47] = -280.0 * y[5];
  J[53] = 280.0 * y[7]; J[54] = -1.81; J[55] = 280.0 * y[5];
  J[61] = -280.0 * y[7]; J[62] = 1.81; J[63] = -280.0 * y[5];
}

/* POLLU (Verwer 1994): 25 reactions. Reactants (second = -1 for first order) and net changes. */
static const double pollu_k[25] = {0.35, 0.266e2, 0.123e5, 0.86e-3, 0.82e-3, 0.15e5, 0.13e-3, 0.24e5, 0.165e5,
                                   0.9e4, 0.22e-1, 0.12e5, 0.188e1, 0.163e5, 0.48e7, 0.35e-3, 0.175e-1, 0.1e9,
                                   0.444e12, 0.124e4, 0.21e1, 0.578e1, 0.474e-1, 0.178e4, 0.312e1};
static const int pollu_reac[25][2] = {{0, -1}, {1, 3},  {4, 1},   {6, -1},  {6, -1},  {6, 5},   {8, -1},
                                      {8, 5},  {10, 1}, {10, 0},  {12, -1}, {9, 1},   {13, -1}, {0, 5},
                                      {2, -1}, {3, -1}, {3, -1},  {15, -1}, {15, -1}, {16, 5},  {18, -1},
                                      {18, -1}, {0, 3}, {18, 0},  {19, -1}};
/* Up to 5 (species, change) pairs per reaction; species -1 ends the list. */
static const int pollu_chg[25][5][2] = {
    {{0, -1}, {1, 1}, {2, 1}, {-1, 0}},          {{1, -1}, {3, -1}, {0, 1}, {-1, 0}},
    {{4, -1}, {1, -1}, {0, 1}, {5, 1}, {-1, 0}}, {{6, -1}, {4, 2}, {7, 1}, {-1, 0}},
    {{6, -1}, {7, 1}, {-1, 0}},                  {{6, -1}, {5, -1}, {4, 1}, {7, 1}, {-1, 0}},
    {{8, -1}, {9, 1}, {4, 1}, {7, 1}, {-1, 0}},  {{8, -1}, {5, -1}, {10, 1}, {-1, 0}},
    {{10, -1}, {1, -1}, {0, 1}, {9, 1}, {11, 1}}, {{10, -1}, {0, -1}, {12, 1}, {-1, 0}},
    {{12, -1}, {10, 1}, {0, 1}, {-1, 0}},        {{9, -1}, {1, -1}, {13, 1}, {0, 1}, {-1, 0}},
    {{13, -1}, {6, 1}, {4, 1}, {-1, 0}},         {{0, -1}, {5, -1}, {14, 1}, {-1, 0}},
    {{2, -1}, {3, 1}, {-1, 0}},                  {{3, -1}, {15, 1}, {-1, 0}},
    {{3, -1}, {2, 1}, {-1, 0}},                  {{15, -1}, {5, 2}, {-1, 0}},
    {{15, -1}, {2, 1}, {-1, 0}},                 {{16, -1}, {5, -1}, {17, 1}, {4, 1}, {-1, 0}},
    {{18, -1}, {1, 1}, {-1, 0}},                 {{18, -1}, {0, 1}, {2, 1}, {-1, 0}},
    {{0, -1}, {3, -1}, {18, 1}, {-1, 0}},        {{18, -1}, {0, -1}, {19, 1}, {-1, 0}},
    {{19, -1}, {18, 1}, {0, 1}, {-1, 0}}};
static const double pollu_y0[20] = {0, 0.2, 0, 0.04, 0, 0, 0.1, 0.3, 0.01, 0, 0, 0, 0, 0, 0, 0, 0.007, 0, 0, 0};
static void pollu_f(double t, const double *y, double *dy) {
  (void)t;
  memset(dy, 0, 20 * sizeof(double));
  for (int r = 0; r < 25; r++) {
    const int a = pollu_reac[r][0], b = pollu_reac[r][1];
    const double rate = pollu_k[r] * y[a] * (b >= 0 ? y[b] : 1.0);
    for (int c = 0; c < 5 && pollu_chg[r][c][0] >= 0; c++) dy[pollu_chg[r][c][0]] += pollu_chg[r][c][1] * rate;
  }
}
static void pollu_jac(double t, const double *y, double *J) {
  (void)t;
  memset(J, 0, 400 * sizeof(double));
  for (int r = 0; r < 25; r++) {
    const int a = pollu_reac[r][0], b = pollu_reac[r][1];
    const double da = pollu_k[r] * (b >= 0 ? y[b] : 1.0); /* d rate / d y_a */
    const double db = b >= 0 ? pollu_k[r] * y[a] : 0.0;  /* d rate / d y_b */
    for (int c = 0; c < 5 && pollu_chg[r][c][0] >= 0; c++) {
      const int s = pollu_chg[r][c][0];
      const double m = pollu_chg[r][c][1];
      J[s * 20 + a] += m * da;
      if (b >= 0) J[s * 20 + b] += m * db;
    }
  }
}

static const problem_t PROBLEMS[] = {
    {"rober", 3, 0.0, 1e11, rober_y0, rober_f, rober_jac},
    {"vdpol", 2, 0.0, 2000.0, vdpol_y0, vdpol_f, vdpol_jac},
    {"orego", 3, 0.0, 360.0, orego_y0, orego_f, orego_jac},
    {"hires", 8, 0.0, 321.8122, hires_y0, hires_f, hires_jac},
    {"pollution", 20, 0.0, 60.0, pollu_y0, pollu_f, pollu_jac},
};
#define NPROBLEMS ((int)(sizeof(PROBLEMS) / sizeof(PROBLEMS[0])))

#endif
