/** Edit distance between two short names, counting a swap of neighbours as one edit (case-insensitive). */
function distance(a: string, b: string): number {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  const d: number[][] = Array.from({ length: x.length + 1 }, (_, i) => Array.from({ length: y.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= x.length; i++) {
    for (let j = 1; j <= y.length; j++) {
      const cost = x[i - 1] === y[j - 1] ? 0 : 1;
      let best = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && x[i - 1] === y[j - 2] && x[i - 2] === y[j - 1]) best = Math.min(best, d[i - 2]![j - 2]! + 1);
      d[i]![j] = best;
    }
  }
  return d[x.length]![y.length]!;
}

/**
 * The candidate closest to `name`, when it is close enough to be a likely typo
 * (at most a third of the name's letters differ, ignoring `_`/`-` and case).
 */
export function closest(name: string, candidates: Iterable<string>): string | null {
  const plain = (s: string) => s.replace(/[-_]/g, "");
  let best: string | null = null;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const d = plain(candidate).toLowerCase() === plain(name).toLowerCase() ? 0.5 : distance(name, candidate);
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best !== null && bestDistance <= Math.max(1, Math.floor(name.length / 3)) ? best : null;
}

/** " (did you mean 'x'?)" when a close candidate exists, else "". */
export function didYouMean(name: string, candidates: Iterable<string>): string {
  const match = closest(name, candidates);
  return match === null ? "" : ` (did you mean '${match}'?)`;
}
