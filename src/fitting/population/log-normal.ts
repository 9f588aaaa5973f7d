/**
 * Multivariate log-normal laws of positive parameters as virtual cohorts draw them (src/cohort/population.ts:
 * theta = exp(mean + L z), cov = L L^T, all on the natural-log scale), and the log-linear maps between them.
 *
 * A population fit often estimates a subset of a cohort's parameters, some in a tied form (Hähnel's X0 =
 * pyx Y0 / pxy is log X0 = log pyx + log Y0 - log pxy): a log-linear image of a Gaussian is Gaussian, so
 * mean' = A mean and cov' = A cov A^T exactly; parameters the fit did not touch come from a fallback law as an
 * independent block.
 */

export interface LogNormalDistribution {
  readonly names: readonly string[];
  /** Means of the natural logs. */
  readonly mean: Float64Array;
  /** Covariance of the natural logs (names x names, row-major). */
  readonly cov: Float64Array;
}

/** One output coordinate: log out = sum over `from` of coefficient * log source (or, if absent, the fallback's). */
export interface LogLinearOutput {
  readonly name: string;
  /** Coefficients on the source's log-coordinates by name; omit to take `name` from the fallback law. */
  readonly from?: Readonly<Record<string, number>>;
}

/**
 * The law of the outputs: coordinates with `from` are log-linear images of `source`; the others are `fallback`'s
 * coordinates of the same name, independent of the source block. Unknown names are errors.
 */
export function mapLogNormal(
  source: LogNormalDistribution,
  outputs: readonly LogLinearOutput[],
  fallback?: LogNormalDistribution,
): LogNormalDistribution {
  const d = source.names.length;
  const m = outputs.length;
  // Rows of A over [source coordinates, fallback coordinates].
  const fd = fallback?.names.length ?? 0;
  const A = new Float64Array(m * (d + fd));
  outputs.forEach((o, r) => {
    if (o.from) {
      for (const [n, c] of Object.entries(o.from)) {
        const j = source.names.indexOf(n);
        if (j < 0)
          throw new RangeError(
            `mapLogNormal: output '${o.name}' uses '${n}', not among the source parameters (${source.names.join(', ')})`,
          );
        if (!Number.isFinite(c))
          throw new RangeError(
            `mapLogNormal: output '${o.name}': coefficient of '${n}' must be finite, got ${c}`,
          );
        A[r * (d + fd) + j] += c;
      }
      return;
    }
    const j = fallback ? fallback.names.indexOf(o.name) : -1;
    if (j < 0)
      throw new RangeError(
        `mapLogNormal: output '${o.name}' has no 'from' and is not in the fallback law${fallback ? ` (${fallback.names.join(', ')})` : ''}`,
      );
    A[r * (d + fd) + d + j] = 1;
  });
  const n = d + fd;
  const mu = new Float64Array(n);
  const S = new Float64Array(n * n);
  mu.set(source.mean);
  for (let a = 0; a < d; a++) for (let b = 0; b < d; b++) S[a * n + b] = source.cov[a * d + b];
  if (fallback) {
    mu.set(fallback.mean, d);
    for (let a = 0; a < fd; a++)
      for (let b = 0; b < fd; b++) S[(d + a) * n + d + b] = fallback.cov[a * fd + b];
  }
  const mean = new Float64Array(m);
  const cov = new Float64Array(m * m);
  for (let r = 0; r < m; r++) {
    let s = 0;
    for (let j = 0; j < n; j++) s += A[r * n + j] * mu[j];
    mean[r] = s;
    for (let c = 0; c < m; c++) {
      let t = 0;
      for (let a = 0; a < n; a++) {
        const ara = A[r * n + a];
        if (ara === 0) continue;
        for (let b = 0; b < n; b++) t += ara * S[a * n + b] * A[c * n + b];
      }
      cov[r * m + c] = t;
    }
  }
  return { names: outputs.map((o) => o.name), mean, cov };
}
