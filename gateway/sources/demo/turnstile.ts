import { demoIso } from "./clock.ts";
import { compact, LARGE_INTEGERS, MALFORMED_TIMESTAMPS } from "./messy.ts";
import { hash32, randomFor } from "./random.ts";

/** Stations with their control area, remote unit and lines, after the MTA turnstile files. */
const STATIONS = [
  { station: "59 ST", ca: "A002", unit: "R051", linename: "NQR456W" },
  { station: "34 ST-HERALD SQ", ca: "N506", unit: "R022", linename: "BDFMNQRW" },
  { station: "TIMES SQ-42 ST", ca: "R151", unit: "R033", linename: "1237ACENQRSW" },
  { station: "GRD CNTRL-42 ST", ca: "R236", unit: "R046", linename: "4567S" },
  { station: "FULTON ST", ca: "N094", unit: "R029", linename: "2345ACJZ" },
  { station: "ATL AV-BARCLAY", ca: "R610", unit: "R057", linename: "2345BDNQR" },
  { station: "JKSN HT-ROOSVLT", ca: "N324", unit: "R018", linename: "EFMR7" },
  { station: "FLUSHING-MAIN", ca: "R533", unit: "R055", linename: "7" },
  { station: "CANAL ST", ca: "N108", unit: "R028", linename: "JNQRZ6W" },
  { station: "161/YANKEE STAD", ca: "N203", unit: "R195", linename: "BD4" },
] as const;

const DEVICES_PER_STATION = 4;
const DEVICES = STATIONS.length * DEVICES_PER_STATION;

/**
 * A counter that only grows: reading k of a device is base + k*step + wobble,
 * with 0 <= wobble < step, so every reading is larger than the one before and
 * reading k needs no earlier reading (event i stays a pure function of i).
 */
function counter(seed: number, device: number, k: number, stream: number): number {
  const base = 1_000_000 + (hash32(seed, device, stream) % 7_000_000);
  const step = 2 + (hash32(seed, device, stream, 1) % 9);
  const wobble = randomFor(seed, k, hash32(device, stream)).int(0, step - 1);
  return base + k * step + wobble;
}

/**
 * Subway turnstile readings: each device (station, control area, unit, scp)
 * reports cumulative entries and exits in turn. Messy shares: malformed
 * `ts` (0.5%), counters read backwards as negative (0.4%), counters garbled
 * to 2^53 and beyond (0.2%), missing `exits` (0.3%), null `station` (0.3%),
 * audit rows (`desc: "RECOVR AUD"`, 3%).
 */
export function turnstileEvent(seed: number, i: number, rate: number): unknown {
  const r = randomFor(seed, i);
  const device = i % DEVICES;
  const k = Math.floor(i / DEVICES);
  const place = STATIONS[Math.floor(device / DEVICES_PER_STATION)]!;
  let entries = counter(seed, device, k, 0);
  let exits: number | undefined = counter(seed, device, k, 1);
  if (r.chance(0.004)) entries = -r.int(1, 5000);
  if (r.chance(0.002)) entries = r.pick(LARGE_INTEGERS);
  if (r.chance(0.003)) exits = undefined;
  return compact({
    station: r.chance(0.003) ? null : place.station,
    ca: place.ca,
    unit: place.unit,
    scp: `02-00-0${device % DEVICES_PER_STATION}`,
    linename: place.linename,
    division: "IRT",
    ts: r.chance(0.005) ? r.pick(MALFORMED_TIMESTAMPS) : demoIso(i, rate),
    desc: r.chance(0.03) ? "RECOVR AUD" : "REGULAR",
    entries,
    exits,
  });
}
