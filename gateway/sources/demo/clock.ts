import type { DemoSpec } from "../../../notebook/format/model.ts";

/**
 * Demo event i happens at DEMO_EPOCH_MS + i / rate seconds, so a sample is
 * reproducible and a live tail can follow the wall clock (`demoIndexAt`).
 */
export const DEMO_EPOCH_MS = Date.UTC(2026, 10, 22, 0, 0, 0);

/** Milliseconds since 1970 of event `i` at `rate` events per second. */
export function demoTime(i: number, rate: number): number {
  return DEMO_EPOCH_MS + Math.floor((i * 1000) / rate);
}

/** ISO-8601 text with milliseconds and `Z` of event `i`'s time, e.g. `2026-11-22T00:00:00.050Z`. */
export function demoIso(i: number, rate: number, offsetMs = 0): string {
  return new Date(demoTime(i, rate) + offsetMs).toISOString();
}

/** The first event index whose time is at or after `timeMs` (0 before the epoch). */
export function demoIndexAt(spec: Pick<DemoSpec, "rate">, timeMs: number): number {
  if (timeMs <= DEMO_EPOCH_MS) return 0;
  let i = Math.floor(((timeMs - DEMO_EPOCH_MS) * spec.rate) / 1000);
  while (i > 0 && demoTime(i - 1, spec.rate) >= timeMs) i--;
  while (demoTime(i, spec.rate) < timeMs) i++;
  return i;
}
