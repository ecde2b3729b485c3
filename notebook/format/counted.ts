/** Counts as a person reads them: "1 file", "0 files", "2 dead letters". Shared by the CLI, the gateway and the page. */

/**
 * `n` and its noun, singular for exactly 1: `counted(1, "file")` is "1 file", `counted(3, "entry", { plural: "entries" })`
 * "3 entries". `grouped` writes 12,345 with commas, as the page and the check's summary do.
 */
export function counted(n: number, noun: string, options: { plural?: string; grouped?: boolean } = {}): string {
  return `${options.grouped ? n.toLocaleString("en-US") : String(n)} ${n === 1 ? noun : (options.plural ?? `${noun}s`)}`;
}
