/*
 * CVODE comparator for the exoniche benchmark (bench/run.ts).
 *
 * Solves one test problem with SUNDIALS CVODE: variable-order BDF (orders 1..5), Newton iteration, dense direct
 * linear solver with the analytic Jacobian, scalar rtol/atol, one output at the end time (CV_NORMAL: CVODE may
 * step past the end and interpolate, as in ordinary use). Wall time is measured here, in C, around the whole
 * solve including CVODE's setup and teardown (as exoniche's solve() includes its own), after one untimed
 * warm-up run, repeated until `budget_ms` total and at least `min_repeats` runs; the median is reported.
 *
 * Usage:
 *   cvode-driver solve <problem> <atol_per_rtol> <budget_ms> <min_repeats> <rtol> [<rtol> ...]
 *       prints one JSON object per rtol on its own line
 *   cvode-driver eval <problem> <t> <y_1> ... <y_n>
 *       prints {"f": [...], "jac": [...row-major...]} (to cross-check against the TypeScript definitions)
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cvode/cvode.h>
#include <nvector/nvector_serial.h>
#include <sundials/sundials_types.h>
#include <sunlinsol/sunlinsol_dense.h>
#include <sunmatrix/sunmatrix_dense.h>

#include "problems.h"

/* Cap on one run before the repeat loop gives up on the minimum repeat count (very slow cells). */
#define SLOW_RUN_MS 10000.0

typedef struct {
  const problem_t *p;
  double *jbuf;
} udata_t;

static int rhs(sunrealtype t, N_Vector y, N_Vector ydot, void *ud) {
  const udata_t *u = (const udata_t *)ud;
  u->p->f(t, N_VGetArrayPointer(y), N_VGetArrayPointer(ydot));
  return 0;
}

static int jac(sunrealtype t, N_Vector y, N_Vector fy, SUNMatrix J, void *ud, N_Vector t1, N_Vector t2,
               N_Vector t3) {
  (void)fy; (void)t1; (void)t2; (void)t3;
  const udata_t *u = (const udata_t *)ud;
  const int n = u->p->n;
  u->p->jac(t, N_VGetArrayPointer(y), u->jbuf);
  for (int j = 0; j < n; j++) {
    sunrealtype *col = SUNDenseMatrix_Column(J, j);
    for (int i = 0; i < n; i++) col[i] = u->jbuf[i * n + j];
  }
  return 0;
}

static double now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec * 1e-6;
}

/* Last CVODE error message, reported in the JSON instead of being printed to stderr. */
static char last_error[512];
#if SUNDIALS_VERSION_MAJOR < 7
static void quiet_errors(int code, const char *module, const char *function, char *msg, void *data) {
  (void)module; (void)data;
  if (code < 0) snprintf(last_error, sizeof last_error, "%s: %s", function, msg);
}
#endif

typedef struct {
  int flag;
  long steps, fevals, jevals, lu, nliters, nlfails, errfails;
  double y[64];
} result_t;

static void solve_once(SUNContext ctx, const problem_t *p, double rtol, double atol, result_t *res) {
  udata_t ud = {p, NULL};
  double jbuf[400];
  ud.jbuf = jbuf;
  N_Vector y = N_VNew_Serial(p->n, ctx);
  memcpy(N_VGetArrayPointer(y), p->y0, p->n * sizeof(double));
  void *mem = CVodeCreate(CV_BDF, ctx);
  CVodeInit(mem, rhs, p->t0, y);
  CVodeSStolerances(mem, rtol, atol);
  CVodeSetUserData(mem, &ud);
#if SUNDIALS_VERSION_MAJOR < 7
  CVodeSetErrHandlerFn(mem, quiet_errors, NULL);
#endif
  CVodeSetMaxNumSteps(mem, 10000000);
  SUNMatrix A = SUNDenseMatrix(p->n, p->n, ctx);
  SUNLinearSolver LS = SUNLinSol_Dense(y, A, ctx);
  CVodeSetLinearSolver(mem, LS, A);
  CVodeSetJacFn(mem, jac);
  sunrealtype tret = p->t0;
  res->flag = CVode(mem, p->t1, y, &tret, CV_NORMAL);
  memcpy(res->y, N_VGetArrayPointer(y), p->n * sizeof(double));
  long v = 0;
  CVodeGetNumSteps(mem, &v); res->steps = v;
  CVodeGetNumRhsEvals(mem, &v); res->fevals = v;
  long lr = 0;
  CVodeGetNumLinRhsEvals(mem, &lr); res->fevals += lr;
  CVodeGetNumJacEvals(mem, &v); res->jevals = v;
  CVodeGetNumLinSolvSetups(mem, &v); res->lu = v;
  CVodeGetNumNonlinSolvIters(mem, &v); res->nliters = v;
  CVodeGetNumNonlinSolvConvFails(mem, &v); res->nlfails = v;
  CVodeGetNumErrTestFails(mem, &v); res->errfails = v;
  CVodeFree(&mem);
  SUNLinSolFree(LS);
  SUNMatDestroy(A);
  N_VDestroy(y);
}

static int cmp_double(const void *a, const void *b) {
  const double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

static const problem_t *find_problem(const char *name) {
  for (int i = 0; i < NPROBLEMS; i++)
    if (strcmp(PROBLEMS[i].name, name) == 0) return &PROBLEMS[i];
  fprintf(stderr, "cvode-driver: unknown problem '%s'\n", name);
  exit(2);
}

int main(int argc, char **argv) {
  if (argc >= 4 && strcmp(argv[1], "eval") == 0) {
    const problem_t *p = find_problem(argv[2]);
    if (argc != 4 + p->n) {
      fprintf(stderr, "cvode-driver eval: expected %d state values\n", p->n);
      return 2;
    }
    double t = atof(argv[3]), y[64], f[64], J[400];
    for (int i = 0; i < p->n; i++) y[i] = atof(argv[4 + i]);
    p->f(t, y, f);
    p->jac(t, y, J);
    printf("{\"f\":[");
    for (int i = 0; i < p->n; i++) printf("%s%.17g", i ? "," : "", f[i]);
    printf("],\"jac\":[");
    for (int i = 0; i < p->n * p->n; i++) printf("%s%.17g", i ? "," : "", J[i]);
    printf("]}\n");
    return 0;
  }
  if (argc < 7 || strcmp(argv[1], "solve") != 0) {
    fprintf(stderr, "usage: cvode-driver solve <problem> <atol_per_rtol> <budget_ms> <min_repeats> <rtol>...\n"
                    "       cvode-driver eval <problem> <t> <y...>\n");
    return 2;
  }
  const problem_t *p = find_problem(argv[2]);
  const double atol_per_rtol = atof(argv[3]);
  const double budget = atof(argv[4]);
  const int min_rep = atoi(argv[5]);
  SUNContext ctx;
#if SUNDIALS_VERSION_MAJOR >= 7
  SUNContext_Create(SUN_COMM_NULL, &ctx);
#else
  SUNContext_Create(NULL, &ctx);
#endif
  static double times[100000];
  for (int a = 6; a < argc; a++) {
    const double rtol = atof(argv[a]);
    const double atol = atol_per_rtol * rtol;
    result_t res;
    last_error[0] = 0;
    solve_once(ctx, p, rtol, atol, &res); /* warm-up, untimed */
    int reps = 0;
    double total = 0.0;
    while (reps < 100000) {
      const double t0 = now_ms();
      solve_once(ctx, p, rtol, atol, &res);
      const double dt = now_ms() - t0;
      times[reps++] = dt;
      total += dt;
      if (res.flag < 0) break;
      if (reps >= min_rep && total >= budget) break;
      if (dt > SLOW_RUN_MS) break;
    }
    qsort(times, reps, sizeof(double), cmp_double);
    const double median = reps % 2 ? times[reps / 2] : 0.5 * (times[reps / 2 - 1] + times[reps / 2]);
    printf("{\"solver\":\"CVODE\",\"method\":\"BDF\",\"version\":\"%s\",\"problem\":\"%s\",\"rtol\":%.17g,"
           "\"atol\":%.17g,\"flag\":%d,\"ok\":%s,\"message\":\"",
           SUNDIALS_VERSION, p->name, rtol, atol, res.flag, res.flag >= 0 ? "true" : "false");
    if (res.flag < 0)
      for (const char *c = last_error; *c; c++)
        if (*c != '"' && *c != '\\' && *c >= ' ') putchar(*c);
    printf("\",\"y\":[");
    for (int i = 0; i < p->n; i++) printf("%s%.17g", i ? "," : "", res.y[i]);
    printf("],\"steps\":%ld,\"fevals\":%ld,\"jevals\":%ld,\"lu\":%ld,\"newtonIters\":%ld,\"newtonFails\":%ld,"
           "\"errTestFails\":%ld,\"wallMs\":%.6g,\"minMs\":%.6g,\"repeats\":%d}\n",
           res.steps, res.fevals, res.jevals, res.lu, res.nliters, res.nlfails, res.errfails, median, times[0], reps);
    fflush(stdout);
  }
  SUNContext_Free(&ctx);
  return 0;
}
