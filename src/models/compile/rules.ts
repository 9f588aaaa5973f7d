/** Ordering of definitions by their dependencies, with cycles reported by name. */
import type { SourceLoc } from '../ir.js';

/** ` (file:line:col)` for error messages, or empty. */
export function where(loc?: SourceLoc): string {
  return loc ? ` (${loc.file ? `${loc.file}:` : ''}${loc.line}:${loc.column})` : '';
}

/**
 * Topological order of `nodes` such that every node comes after the nodes it depends on (dependencies
 * outside `nodes` are ignored). Stable: among independent nodes, the input order is kept. Throws
 * `${what} form a cycle: a -> b -> a` on a cycle.
 */
export function topologicalOrder(
  nodes: readonly string[],
  deps: (node: string) => Iterable<string>,
  what: string,
  locOf: (node: string) => SourceLoc | undefined = () => undefined,
): string[] {
  const inSet = new Set(nodes);
  const state = new Map<string, 1 | 2>(); // 1 visiting, 2 done
  const order: string[] = [];
  const stack: string[] = [];
  const visit = (n: string): void => {
    const s = state.get(n);
    if (s === 2) return;
    if (s === 1) {
      const cycle = [...stack.slice(stack.indexOf(n)), n];
      throw new Error(`${what} form a cycle: ${cycle.join(' -> ')}${where(locOf(n))}`);
    }
    state.set(n, 1);
    stack.push(n);
    for (const d of deps(n)) if (inSet.has(d)) visit(d);
    stack.pop();
    state.set(n, 2);
    order.push(n);
  };
  for (const n of nodes) visit(n);
  return order;
}
