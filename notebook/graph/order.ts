import type { Graph, GraphCell } from "./graph.ts";

/**
 * The cycles among cells (Tarjan's strongly connected components), each as
 * cell indexes in the order the references run, starting from the cell
 * earliest in the file. A cell that reads itself is a cycle of one.
 */
export function findCycles(cells: readonly GraphCell[]): number[][] {
  const index = new Map<number, number>();
  const low = new Map<number, number>();
  const stack: number[] = [];
  const onStack = new Set<number>();
  const components: number[][] = [];
  let counter = 0;
  const visit = (v: number) => {
    index.set(v, counter);
    low.set(v, counter);
    counter++;
    stack.push(v);
    onStack.add(v);
    for (const w of cells[v]!.dependsOn) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v)!, index.get(w)!));
      }
    }
    if (low.get(v) === index.get(v)) {
      const component: number[] = [];
      let w: number;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1 || cells[v]!.dependsOn.includes(v)) components.push(component);
    }
  };
  for (const cell of cells) if (!index.has(cell.index)) visit(cell.index);
  return components
    .map((component) => orderCycle(cells, component))
    .sort((a, b) => a[0]! - b[0]!);
}

/** Walks a component along its references from its first cell, so the cycle reads a → b → a. */
function orderCycle(cells: readonly GraphCell[], component: number[]): number[] {
  const members = new Set(component);
  const start = Math.min(...component);
  const path = [start];
  const seen = new Set(path);
  for (let at = start; ; ) {
    const next = cells[at]!.dependsOn.find((w) => members.has(w) && !seen.has(w));
    if (next === undefined) break;
    path.push(next);
    seen.add(next);
    at = next;
  }
  return path;
}

/**
 * Cells in an order where each comes after the cells it reads; ties keep file
 * order. Cells on a cycle, and cells that read them, are left out.
 */
export function topologicalOrder(graph: Graph): GraphCell[] {
  const { cells } = graph;
  const waiting = cells.map((cell) => new Set(cell.dependsOn));
  const readers = cells.map(() => [] as number[]);
  for (const cell of cells) for (const dependency of cell.dependsOn) readers[dependency]!.push(cell.index);
  const ready = cells.filter((cell) => waiting[cell.index]!.size === 0).map((cell) => cell.index);
  const order: GraphCell[] = [];
  while (ready.length > 0) {
    ready.sort((a, b) => a - b);
    const next = ready.shift()!;
    order.push(cells[next]!);
    for (const reader of readers[next]!) {
      const pending = waiting[reader]!;
      pending.delete(next);
      if (pending.size === 0) ready.push(reader);
    }
  }
  return order;
}

/** The cells with `sink=` and every cell they read, directly or not, in topological order: what publish compiles. */
export function sinkClosure(graph: Graph): GraphCell[] {
  const needed = new Set<number>();
  const pending = graph.cells.filter((cell) => cell.sink !== null).map((cell) => cell.index);
  while (pending.length > 0) {
    const index = pending.pop()!;
    if (needed.has(index)) continue;
    needed.add(index);
    pending.push(...graph.cells[index]!.dependsOn);
  }
  return topologicalOrder(graph).filter((cell) => needed.has(cell.index));
}
