/** Durations and sizes as the front matter writes them: a number, or a number with a unit. */

const SECONDS: Record<string, number> = {
  ms: 0.001, millisecond: 0.001, milliseconds: 0.001,
  s: 1, sec: 1, secs: 1, second: 1, seconds: 1,
  m: 60, min: 60, mins: 60, minute: 60, minutes: 60,
  h: 3600, hour: 3600, hours: 3600,
  d: 86400, day: 86400, days: 86400,
};

const BYTES: Record<string, number> = {
  b: 1, kb: 1e3, mb: 1e6, gb: 1e9, kib: 1024, mib: 1024 ** 2, gib: 1024 ** 3,
};

const AMOUNT = /^\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]+)\s*$/;

/** Seconds in "90", "5 minutes", "30s", "1.5 hours"; null when the text is not a duration. */
export function parseDuration(text: string): number | null {
  if (/^\s*\d+(?:\.\d+)?\s*$/.test(text)) return Number(text);
  const match = AMOUNT.exec(text);
  const unit = match && SECONDS[match[2]!.toLowerCase()];
  return unit === undefined || unit === null ? null : Number(match![1]) * unit;
}

/** Bytes in "67108864", "64 MiB", "10MB"; null when the text is not a size. */
export function parseBytes(text: string): number | null {
  if (/^\s*\d+\s*$/.test(text)) return Number(text);
  const match = AMOUNT.exec(text);
  const unit = match && BYTES[match[2]!.toLowerCase()];
  return unit === undefined || unit === null ? null : Math.round(Number(match![1]) * unit);
}
