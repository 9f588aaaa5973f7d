/** Test helpers: strip source locations for structural comparison. */
export function stripLoc<T>(x: T): T {
  return JSON.parse(
    JSON.stringify(x, (k, v) => {
      if (k === 'loc') return undefined;
      if (typeof v === 'number' && !Number.isFinite(v)) return `#${v}`;
      return v;
    }),
  ) as T;
}
