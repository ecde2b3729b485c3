import { expect, test } from "vitest";
import type { Schema } from "../plan/values.ts";
import { edgeCaseEvents, misfitEvents } from "./generate.ts";

const types = ["BIGINT", "VARCHAR", "DOUBLE", "BOOLEAN", "TIMESTAMP", "DATE"];
const schemaOf = (n: number): Schema => Array.from({ length: n }, (_, i) => ({ name: `c${i}`, type: types[i % types.length]! }));
const sample = [{ c0: 1, c1: "a" }];

/** For each column: the values its edge-case events give it, and whether it is ever NULL and ever absent. */
function coverage(schema: Schema, events: Record<string, unknown>[]) {
  return schema.map((c) => ({
    values: new Set(events.filter((e) => c.name in e && e[c.name] !== null).map((e) => JSON.stringify(e[c.name], (_k, v) => (typeof v === "bigint" ? `${v}n` : v)))),
    nulls: events.some((e) => e[c.name] === null),
    absent: events.some((e) => !(c.name in e)),
  }));
}

test("a wide schema's edge-case events still give every column every edge value, NULL and absence, in a number of events that grows with the width, not its square", () => {
  const narrow = schemaOf(60);
  const wide = schemaOf(600);
  const narrowEvents = edgeCaseEvents(narrow, sample);
  const wideEvents = edgeCaseEvents(wide, sample);
  // Up to 64 columns, one odd column per event (as before); wider, a group of columns per event.
  expect(narrowEvents.length).toBeGreaterThan(600);
  // One column at a time, 600 columns gave ~12,000 events of 600 fields each.
  expect(wideEvents.length).toBeLessThan(2500);
  const narrowCover = coverage(narrow, narrowEvents);
  const wideCover = coverage(wide, wideEvents);
  for (let i = 0; i < wide.length; i++) {
    const same = narrowCover[i % 60]!;
    expect(wideCover[i]!.values, wide[i]!.name).toEqual(same.values);
    expect(wideCover[i]!.nulls && wideCover[i]!.absent, wide[i]!.name).toBe(true);
  }
});

test("a wide schema's misfits cover every column type, not every column", () => {
  const wide: Schema = [...schemaOf(600), { name: "late", type: "UUID" }];
  const events = misfitEvents(wide, sample);
  const varied = new Set(events.flatMap((e) => Object.keys(e).filter((k) => !(k in sample[0]!) || (e as Record<string, unknown>)[k] !== (sample[0] as Record<string, unknown>)[k])));
  expect(varied.has("late")).toBe(true);
  expect(events.length).toBeLessThan(misfitEvents(schemaOf(64), sample).length * 2);
});

test("sample events of megabytes are not copied into every edge case: the edge cases stay small and still vary every column", () => {
  const schema: Schema = [{ name: "id", type: "BIGINT" }, { name: "blob", type: "VARCHAR" }, { name: "xs", type: "BIGINT[]" }];
  const huge = Array.from({ length: 6 }, (_, i) => ({ id: i, blob: "é".repeat(2_000_000), xs: Array.from({ length: 100_000 }, (_, j) => j) }));
  const small = { id: 99, blob: "b", xs: [1] };
  const bytes = (events: Record<string, unknown>[]) => events.reduce((n, e) => n + JSON.stringify(e, (_k, v) => (typeof v === "bigint" ? String(v) : v)).length, 0);
  for (const sample of [huge, [...huge, small]]) {
    const edge = edgeCaseEvents(schema, sample);
    const misfits = misfitEvents(schema, sample);
    expect(bytes(edge) + bytes(misfits)).toBeLessThan(1_000_000);
    const cover = coverage(schema, edge);
    for (const c of cover) expect(c.nulls && c.absent).toBe(true);
    expect(cover[0]!.values.size).toBeGreaterThan(5);
  }
  // A small event among them is still the base the edge cases vary.
  expect(edgeCaseEvents(schema, [...huge, small]).filter((e) => e.id === 99).length).toBeGreaterThan(3);
});
