/** Edit distance between two short names (Levenshtein, case-insensitive). */
function distance(a: string, b: string): number {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  let previous = Array.from({ length: y.length + 1 }, (_, j) => j);
  for (let i = 1; i <= x.length; i++) {
    const current = [i];
    for (let j = 1; j <= y.length; j++) {
      const cost = x[i - 1] === y[j - 1] ? 0 : 1;
      current.push(Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + cost));
    }
    previous = current;
  }
  return previous[y.length]!;
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
