/**
 * Linear oral pharmacokinetics in closed form: one- and two-compartment disposition with first-order absorption,
 * evaluated by superposition over an arbitrary dose history (dose changes, interruptions, missed doses).
 *
 * Units: time in hours, doses in mg, CL/F in L/h, volumes in L; concentrations are returned in ng/mL
 * (mg/L x 1000) or nM (ng/mL / MW x 1000). Parameters are apparent (divided by F), so doses enter unchanged.
 *
 * The unit-dose response of a linear compartment model with first-order absorption is a sum of exponentials
 * C1(t) = sum_j c_j exp(-lambda_j t) (Gibaldi & Perrier, Pharmacokinetics, 2nd ed. 1982, ch. 1-2; the
 * two-compartment coefficients are the residues of the Laplace transform ka (s + k21) / (V1 (s + ka)(s + alpha)
 * (s + beta))). For a dose history {(t_i, D_i)} the concentration is C(t) = sum_{t_i <= t} D_i C1(t - t_i).
 * We precompute, per dose i and exponential j, the running sum S_ij = sum_{l <= i} D_l exp(-lambda_j (t_i - t_l))
 * (a stable recursion: each step multiplies by a factor <= 1), so C(t) = sum_j c_j S_kj exp(-lambda_j (t - t_k))
 * with k the last dose at or before t: O(log n) per evaluation by binary search (O(1) for monotone t through a
 * cursor), no allocation. C(t) is continuous; dC/dt jumps at each dose time (the absorption term restarts).
 */

export type CompartmentModel = 'one' | 'two';

/** Apparent (oral) PK parameters. `qF` and `vpF` are required for the two-compartment model. */
export interface PkParams {
  readonly model: CompartmentModel;
  /** First-order absorption rate constant, 1/h. */
  readonly ka: number;
  /** Apparent clearance CL/F, L/h. */
  readonly clF: number;
  /** Apparent (central) volume V/F, L. */
  readonly vF: number;
  /** Inter-compartmental clearance Q/F, L/h (two-compartment). */
  readonly qF?: number;
  /** Peripheral volume Vp/F, L (two-compartment). */
  readonly vpF?: number;
}

/** Unit-dose response in mg/L per mg: C1(t) = sum_j coefs[j] exp(-rates[j] t). `rates` ascending (terminal first). */
export interface UnitResponse {
  readonly rates: Float64Array;
  readonly coefs: Float64Array;
}

export class PkParamsError extends Error {
  override name = 'PkParamsError';
}

function positive(name: string, x: number | undefined): number {
  if (x === undefined || !(x > 0) || !Number.isFinite(x))
    throw new PkParamsError(`${name} must be a positive finite number, got ${x}`);
  return x;
}

/**
 * Macro rate constants of the two-compartment model: alpha > beta, the roots of
 * s^2 - (k10 + k12 + k21) s + k10 k21 (beta from the product, which avoids cancellation).
 */
export function twoCompartmentRates(p: PkParams): { alpha: number; beta: number; k21: number } {
  const k10 = p.clF / p.vF;
  const k12 = positive('qF', p.qF) / p.vF;
  const k21 = positive('qF', p.qF) / positive('vpF', p.vpF);
  const s = k10 + k12 + k21;
  const prod = k10 * k21;
  const alpha = 0.5 * (s + Math.sqrt(Math.max(0, s * s - 4 * prod)));
  return { alpha, beta: prod / alpha, k21 };
}

/** Relative separation below which two rate constants count as equal (the closed form would divide by ~0). */
const DEGENERATE = 1e-7;

export function unitResponse(p: PkParams): UnitResponse {
  const ka = positive('ka', p.ka);
  const cl = positive('clF', p.clF);
  const v = positive('vF', p.vF);
  if (p.model === 'one') {
    const k = cl / v;
    if (Math.abs(ka - k) <= DEGENERATE * ka)
      throw new PkParamsError(
        `ka (${ka}) equals the elimination rate CL/V (${k}): the flip-flop limit is not supported`,
      );
    const c = ka / (v * (ka - k));
    const rates = Float64Array.of(k, ka);
    const coefs = Float64Array.of(c, -c);
    return sortByRate(rates, coefs);
  }
  const { alpha, beta, k21 } = twoCompartmentRates(p);
  for (const [a, b, na, nb] of [
    [ka, alpha, 'ka', 'alpha'],
    [ka, beta, 'ka', 'beta'],
    [alpha, beta, 'alpha', 'beta'],
  ] as const) {
    if (Math.abs(a - b) <= DEGENERATE * Math.max(a, b))
      throw new PkParamsError(
        `${na} (${a}) equals ${nb} (${b}): the closed form needs distinct rate constants`,
      );
  }
  const s = ka / v;
  const rates = Float64Array.of(alpha, beta, ka);
  const coefs = Float64Array.of(
    (s * (k21 - alpha)) / ((ka - alpha) * (beta - alpha)),
    (s * (k21 - beta)) / ((ka - beta) * (alpha - beta)),
    (s * (k21 - ka)) / ((alpha - ka) * (beta - ka)),
  );
  return sortByRate(rates, coefs);
}

function sortByRate(rates: Float64Array, coefs: Float64Array): UnitResponse {
  const idx = Array.from(rates.keys()).sort((a, b) => rates[a] - rates[b]);
  return { rates: Float64Array.from(idx, (i) => rates[i]), coefs: Float64Array.from(idx, (i) => coefs[i]) };
}

/** Terminal elimination half-life (h): ln 2 over the smallest disposition rate (ka excluded unless flip-flop). */
export function terminalHalfLife(p: PkParams): number {
  const lambdaZ = p.model === 'one' ? p.clF / p.vF : twoCompartmentRates(p).beta;
  return Math.LN2 / Math.min(lambdaZ, p.ka);
}

/** Plasma concentration after a single dose of `dose` mg at time 0, ng/mL (0 for t < 0). */
export function singleDoseConcentration(p: PkParams, dose: number, t: number): number {
  if (t < 0) return 0;
  const u = unitResponse(p);
  let c = 0;
  for (let j = 0; j < u.rates.length; j++) c += u.coefs[j] * Math.exp(-u.rates[j] * t);
  return 1000 * dose * c;
}

/** ng/mL -> nM for a molecular weight in g/mol. */
export function ngPerMlToNm(c: number, molecularWeight: number): number {
  return (c / molecularWeight) * 1000;
}

/** A dose history: times (h, strictly increasing) and amounts (mg, >= 0). */
export interface DoseHistory {
  readonly times: Float64Array;
  readonly amounts: Float64Array;
}

export interface ProfileOptions {
  /** Unbound fraction fu = 1 - protein binding (default 1). */
  readonly fu?: number;
  /** Molecular weight, g/mol (needed for nM). */
  readonly molecularWeight?: number;
}

/**
 * The concentration-time course of one patient on one drug: closed-form superposition over a dose history.
 * Evaluation methods allocate nothing and may be called from an ODE right-hand side.
 */
export class PkProfile {
  readonly rates: Float64Array;
  readonly coefs: Float64Array;
  readonly times: Float64Array;
  readonly amounts: Float64Array;
  readonly fu: number;
  readonly molecularWeight: number;
  /** S[i * m + j]: dose-weighted exponential sums at dose i (see the file comment). */
  private readonly sums: Float64Array;
  private readonly m: number;
  private cursor = -1;

  constructor(
    readonly params: PkParams,
    doses: DoseHistory,
    options: ProfileOptions = {},
  ) {
    const u = unitResponse(params);
    this.rates = u.rates;
    this.coefs = u.coefs;
    this.m = u.rates.length;
    const n = doses.times.length;
    if (doses.amounts.length !== n) throw new PkParamsError('dose times and amounts differ in length');
    for (let i = 0; i < n; i++) {
      if (!Number.isFinite(doses.times[i])) throw new PkParamsError(`dose time ${i} is not finite`);
      if (i > 0 && !(doses.times[i] > doses.times[i - 1]))
        throw new PkParamsError(`dose times must increase strictly (dose ${i} at ${doses.times[i]} h)`);
      if (!(doses.amounts[i] >= 0))
        throw new PkParamsError(`dose ${i} amount must be >= 0, got ${doses.amounts[i]}`);
    }
    this.times = Float64Array.from(doses.times);
    this.amounts = Float64Array.from(doses.amounts);
    this.fu = options.fu ?? 1;
    if (!(this.fu > 0 && this.fu <= 1)) throw new PkParamsError(`fu must lie in (0, 1], got ${this.fu}`);
    this.molecularWeight = options.molecularWeight ?? Number.NaN;
    const m = this.m;
    const s = new Float64Array(n * m);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < m; j++) {
        const prev =
          i === 0 ? 0 : s[(i - 1) * m + j] * Math.exp(-this.rates[j] * (this.times[i] - this.times[i - 1]));
        s[i * m + j] = prev + this.amounts[i];
      }
    }
    this.sums = s;
  }

  /** Index of the last dose at or before t (-1 if none). Cursor-accelerated for monotone calls. */
  lastDoseIndex(t: number): number {
    const ts = this.times;
    const n = ts.length;
    let c = this.cursor;
    if (c >= -1 && c < n && (c < 0 || ts[c] <= t) && (c + 1 >= n || ts[c + 1] > t)) return c;
    if (c >= -1 && c + 1 < n && ts[c + 1] <= t && (c + 2 >= n || ts[c + 2] > t)) {
      this.cursor = c + 1;
      return c + 1;
    }
    let lo = 0;
    let hi = n;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (ts[mid] <= t) lo = mid + 1;
      else hi = mid;
    }
    c = lo - 1;
    this.cursor = c;
    return c;
  }

  /** Total plasma concentration, ng/mL. */
  total(t: number): number {
    const k = this.lastDoseIndex(t);
    if (k < 0) return 0;
    const dt = t - this.times[k];
    const base = k * this.m;
    let c = 0;
    for (let j = 0; j < this.m; j++) c += this.coefs[j] * this.sums[base + j] * Math.exp(-this.rates[j] * dt);
    return 1000 * c;
  }

  /** Unbound plasma concentration, ng/mL (fu x total). */
  unbound(t: number): number {
    return this.fu * this.total(t);
  }

  /** Total concentration, nM. */
  totalNm(t: number): number {
    return ngPerMlToNm(this.total(t), this.molecularWeight);
  }

  /** Unbound concentration, nM. */
  unboundNm(t: number): number {
    return ngPerMlToNm(this.unbound(t), this.molecularWeight);
  }
}

/** Regular dosing: `count` doses of `dose` mg every `tau` h from `start` h. */
export function regularDoses(dose: number, tau: number, count: number, start = 0): DoseHistory {
  const times = new Float64Array(count);
  const amounts = new Float64Array(count);
  for (let i = 0; i < count; i++) {
    times[i] = start + i * tau;
    amounts[i] = dose;
  }
  return { times, amounts };
}
