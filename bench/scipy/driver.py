"""SciPy comparator for the exoniche benchmark (bench/run.ts).

Solves the stiff test problems of test/problems/ with scipy.integrate.solve_ivp (LSODA, BDF, Radau) using the
analytic Jacobians, scalar rtol/atol, and reports the state at the end time with work counters. Wall time is
measured here around the solve_ivp call, after one untimed warm-up run, repeated until budget_ms total and at
least min_repeats runs (a single run over 10 s ends the loop early); the median is reported.

Usage:
  python3 driver.py solve <problem> <method> <atol_per_rtol> <budget_ms> <min_repeats> <rtol> [<rtol> ...]
  python3 driver.py eval <problem> <t> <y_1> ... <y_n>
Prints one JSON object per line. Use Debian's /usr/bin/python3 (package python3-scipy).
"""

import json
import statistics
import sys
import time

import numpy as np
import scipy
from scipy.integrate import solve_ivp

SLOW_RUN_MS = 10000.0


# ROBER (Robertson 1966)
def rober_f(t, y):
    a = 0.04 * y[0]
    b = 1e4 * y[1] * y[2]
    c = 3e7 * y[1] * y[1]
    return np.array([-a + b, a - b - c, c])


def rober_jac(t, y):
    return np.array(
        [
            [-0.04, 1e4 * y[2], 1e4 * y[1]],
            [0.04, -1e4 * y[2] - 6e7 * y[1], -1e4 * y[1]],
            [0.0, 6e7 * y[1], 0.0],
        ]
    )


# Van der Pol, mu = 1000, unscaled, [0, 2000]
def vdpol_f(t, y):
    return np.array([y[1], 1000.0 * (1.0 - y[0] * y[0]) * y[1] - y[0]])


def vdpol_jac(t, y):
    return np.array([[0.0, 1.0], [-2000.0 * y[0] * y[1] - 1.0, 1000.0 * (1.0 - y[0] * y[0])]])


# OREGO (Field and Noyes 1974)
S, W, Q = 77.27, 0.161, 8.375e-6


def orego_f(t, y):
    return np.array(
        [
            S * (y[1] + y[0] * (1.0 - Q * y[0] - y[1])),
            (y[2] - (1.0 + y[0]) * y[1]) / S,
            W * (y[0] - y[2]),
        ]
    )


def orego_jac(t, y):
    return np.array(
        [
            [S * (1.0 - 2.0 * Q * y[0] - y[1]), S * (1.0 - y[0]), 0.0],
            [-y[1] / S, -(1.0 + y[0]) / S, 1.0 / S],
            [W, 0.0, -W],
        ]
    )


# HIRES (Schaefer 1975)
def hires_f(t, y):
    r = 280.0 * y[5] * y[7]
    return np.array(
        [
            -1.71 * y[0] + 0.43 * y[1] + 8.32 * y[2] + 0.0007,
            1.71 * y[0] - 8.75 * y[1],
            -10.03 * y[2] + 0.43 * y[3] + 0.035 * y[4],
            8.32 * y[1] + 1.71 * y[2] - 1.12 * y[3],
            -1.745 * y[4] + 0.43 * y[5] + 0.43 * y[6],
            -r + 0.69 * y[3] + 1.71 * y[4] - 0.43 * y[5] + 0.69 * y[6],
            r - 1.81 * y[6],
            -r + 1.81 * y[6],
        ]
    )


HIRES_J0 = np.zeros((8, 8))
for (i, j), v in {
    (0, 0): -1.71, (0, 1): 0.43, (0, 2): 8.32, (1, 0): 1.71, (1, 1): -8.75, (2, 2): -10.03, (2, 3): 0.43,
    (2, 4): 0.035, (3, 1): 8.32, (3, 2): 1.71, (3, 3): -1.12, (4, 4): -1.745, (4, 5): 0.43, (4, 6): 0.43,
    (5, 3): 0.69, (5, 4): 1.71, (5, 5): -0.43, (5, 6): 0.69, (6, 6): -1.81, (7, 6): 1.81,
}.items():
    HIRES_J0[i, j] = v


def hires_jac(t, y):
    J = HIRES_J0.copy()
    J[5, 5] -= 280.0 * y[7]
    J[5, 7] = -280.0 * y[5]
    J[6, 5] = 280.0 * y[7]
    J[6, 7] = 280.0 * y[5]
    J[7, 5] = -280.0 * y[7]
    J[7, 7] = -280.0 * y[5]
    return J


# POLLU (Verwer 1994): the reaction list, from which both f and J are built.
POLLU_K = np.array([0.35, 0.266e2, 0.123e5, 0.86e-3, 0.82e-3, 0.15e5, 0.13e-3, 0.24e5, 0.165e5, 0.9e4, 0.22e-1,
                    0.12e5, 0.188e1, 0.163e5, 0.48e7, 0.35e-3, 0.175e-1, 0.1e9, 0.444e12, 0.124e4, 0.21e1,
                    0.578e1, 0.474e-1, 0.178e4, 0.312e1])
POLLU_REAC = [(0, -1), (1, 3), (4, 1), (6, -1), (6, -1), (6, 5), (8, -1), (8, 5), (10, 1), (10, 0), (12, -1),
              (9, 1), (13, -1), (0, 5), (2, -1), (3, -1), (3, -1), (15, -1), (15, -1), (16, 5), (18, -1),
              (18, -1), (0, 3), (18, 0), (19, -1)]
POLLU_CHG = [
    [(0, -1), (1, 1), (2, 1)], [(1, -1), (3, -1), (0, 1)], [(4, -1), (1, -1), (0, 1), (5, 1)],
    [(6, -1), (4, 2), (7, 1)], [(6, -1), (7, 1)], [(6, -1), (5, -1), (4, 1), (7, 1)],
    [(8, -1), (9, 1), (4, 1), (7, 1)], [(8, -1), (5, -1), (10, 1)], [(10, -1), (1, -1), (0, 1), (9, 1), (11, 1)],
    [(10, -1), (0, -1), (12, 1)], [(12, -1), (10, 1), (0, 1)], [(9, -1), (1, -1), (13, 1), (0, 1)],
    [(13, -1), (6, 1), (4, 1)], [(0, -1), (5, -1), (14, 1)], [(2, -1), (3, 1)], [(3, -1), (15, 1)],
    [(3, -1), (2, 1)], [(15, -1), (5, 2)], [(15, -1), (2, 1)], [(16, -1), (5, -1), (17, 1), (4, 1)],
    [(18, -1), (1, 1)], [(18, -1), (0, 1), (2, 1)], [(0, -1), (3, -1), (18, 1)], [(18, -1), (0, -1), (19, 1)],
    [(19, -1), (18, 1), (0, 1)],
]
# Vectorised form: stoichiometry matrix (20 x 25) and reactant index arrays.
POLLU_S = np.zeros((20, 25))
for r, chg in enumerate(POLLU_CHG):
    for s, c in chg:
        POLLU_S[s, r] = c
POLLU_A = np.array([a for a, _ in POLLU_REAC])
POLLU_B = np.array([b if b >= 0 else 0 for _, b in POLLU_REAC])
POLLU_SECOND = np.array([b >= 0 for _, b in POLLU_REAC])


def pollu_f(t, y):
    rate = POLLU_K * y[POLLU_A] * np.where(POLLU_SECOND, y[POLLU_B], 1.0)
    return POLLU_S @ rate


def pollu_jac(t, y):
    # d rate / d y: (25 x 20), then J = S @ dR.
    dR = np.zeros((25, 20))
    idx = np.arange(25)
    dR[idx, POLLU_A] += POLLU_K * np.where(POLLU_SECOND, y[POLLU_B], 1.0)
    sec = idx[POLLU_SECOND]
    dR[sec, POLLU_B[sec]] += POLLU_K[sec] * y[POLLU_A[sec]]
    return POLLU_S @ dR


PROBLEMS = {
    "rober": (rober_f, rober_jac, [1.0, 0.0, 0.0], (0.0, 1e11)),
    "vdpol": (vdpol_f, vdpol_jac, [2.0, 0.0], (0.0, 2000.0)),
    "orego": (orego_f, orego_jac, [1.0, 2.0, 3.0], (0.0, 360.0)),
    "hires": (hires_f, hires_jac, [1, 0, 0, 0, 0, 0, 0, 0.0057], (0.0, 321.8122)),
    "pollution": (
        pollu_f,
        pollu_jac,
        [0, 0.2, 0, 0.04, 0, 0, 0.1, 0.3, 0.01, 0, 0, 0, 0, 0, 0, 0, 0.007, 0, 0, 0],
        (0.0, 60.0),
    ),
}


def solve_once(name, method, rtol, atol):
    f, jac, y0, tspan = PROBLEMS[name]
    return solve_ivp(f, tspan, np.array(y0, dtype=float), method=method, rtol=rtol, atol=atol, jac=jac)


def main(argv):
    if len(argv) >= 4 and argv[1] == "eval":
        f, jac, y0, _ = PROBLEMS[argv[2]]
        t = float(argv[3])
        y = np.array([float(v) for v in argv[4:]])
        if len(y) != len(y0):
            raise SystemExit(f"eval: expected {len(y0)} state values")
        print(json.dumps({"f": f(t, y).tolist(), "jac": np.asarray(jac(t, y)).reshape(-1).tolist()}))
        return 0
    if len(argv) < 8 or argv[1] != "solve":
        print(__doc__, file=sys.stderr)
        return 2
    name, method = argv[2], argv[3]
    atol_per_rtol, budget, min_rep = float(argv[4]), float(argv[5]), int(argv[6])
    for rtol in (float(v) for v in argv[7:]):
        atol = atol_per_rtol * rtol
        sol = solve_once(name, method, rtol, atol)  # warm-up, untimed
        times = []
        while True:
            t0 = time.perf_counter()
            sol = solve_once(name, method, rtol, atol)
            dt = (time.perf_counter() - t0) * 1e3
            times.append(dt)
            if not sol.success or (len(times) >= min_rep and sum(times) >= budget) or dt > SLOW_RUN_MS:
                break
        print(
            json.dumps(
                {
                    "solver": "SciPy",
                    "method": method,
                    "version": scipy.__version__,
                    "problem": name,
                    "rtol": rtol,
                    "atol": atol,
                    "ok": bool(sol.success),
                    "message": sol.message,
                    "y": sol.y[:, -1].tolist(),
                    "tEnd": float(sol.t[-1]),
                    "steps": len(sol.t) - 1,
                    "fevals": int(sol.nfev),
                    "jevals": int(sol.njev),
                    "lu": int(sol.nlu),
                    "wallMs": statistics.median(times),
                    "minMs": min(times),
                    "repeats": len(times),
                }
            ),
            flush=True,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
