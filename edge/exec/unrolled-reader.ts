/**
 * The event converter's reader for an event of at most twelve fields (none named like an
 * inherited property): each field on a line of its own, so every property read and converter
 * call is a site V8 sees with one key and one converter, which it reads inline and calls
 * directly. In a loop one site sees every field's key and converter and falls back to slow
 * generic lookups (measured: turnstile's executor ~8 % faster, pii-staging ~3 %).
 *
 * V8 keeps what a site saw once for every closure made from the same source text, so two
 * sources in one process (the bench runs turnstile, then pii-staging) made each other's reads
 * generic again: site k saw both sources' k-th key. The reader therefore exists in four
 * textual copies (`COPIES`), and each list of field names keeps the copy it got first (the
 * first four lists in a process get one each; pii-staging after turnstile ~4 % faster). The keys are V8's own property-key strings
 * (`propertyKey`): a site compares its key by identity, and a name from the plan is an equal
 * but other string.
 */
import type { Value } from "../plan/values.ts";

/** The most fields an unrolled reader reads; an event schema with more is read in a loop. */
export const UNROLLED = 12;

/** One field of the event: the column it fills, its key, and its converter. */
export interface FieldReader {
  index: number;
  name: string;
  conv: (raw: unknown, path: string) => Value;
}

type Reader = (o: Record<string, unknown>) => Value[];
type Conv = FieldReader["conv"];

type Twelve<T> = [T, T, T, T, T, T, T, T, T, T, T, T];

interface Unrolled {
  n: number;
  nulls: readonly Value[];
  k: Twelve<string>;
  c: Twelve<Conv>;
  i: Twelve<number>;
}

/** `name` as the string V8 keeps as a property key (the key of an object made with it). */
export function propertyKey(name: string): string {
  return Object.keys({ [name]: null })[0] ?? name;
}

/** The reader for `fields` (at most UNROLLED, none inherited); `nulls` is the row every event starts from. */
export function unrolledReader(fields: readonly FieldReader[], nulls: readonly Value[]): Reader {
  const unused: FieldReader = { index: 0, name: "", conv: () => null };
  const all = Array.from({ length: UNROLLED }, (_, j) => fields[j] ?? unused);
  const twelve = <T>(f: (r: FieldReader) => T): Twelve<T> => all.map(f) as Twelve<T>;
  const u: Unrolled = { n: fields.length, nulls, k: twelve((f) => propertyKey(f.name)), c: twelve((f) => f.conv), i: twelve((f) => f.index) };
  return COPIES[copyFor(fields.map((f) => f.name))]!(u);
}

/** Which copy a list of field names reads with: the one it got first; new lists take turns. */
const copyOf = new Map<string, number>();
const REMEMBERED_LISTS = 1024;

function copyFor(names: string[]): number {
  const key = names.join("\u0000");
  let at = copyOf.get(key);
  if (at === undefined) {
    at = copyOf.size % COPIES.length;
    if (copyOf.size < REMEMBERED_LISTS) copyOf.set(key, at);
  }
  return at;
}

// The copies are the same text on purpose (see the file's comment); keep them identical.
const COPIES: ((u: Unrolled) => Reader)[] = [
  ({ n, nulls, k: [k0, k1, k2, k3, k4, k5, k6, k7, k8, k9, k10, k11], c: [c0, c1, c2, c3, c4, c5, c6, c7, c8, c9, c10, c11], i: [i0, i1, i2, i3, i4, i5, i6, i7, i8, i9, i10, i11] }) => (o) => {
    const row = nulls.slice();
    let v: unknown;
    if (n > 0) { v = o[k0]; if (v !== undefined && v !== null) row[i0] = c0(v, k0); }
    if (n > 1) { v = o[k1]; if (v !== undefined && v !== null) row[i1] = c1(v, k1); }
    if (n > 2) { v = o[k2]; if (v !== undefined && v !== null) row[i2] = c2(v, k2); }
    if (n > 3) { v = o[k3]; if (v !== undefined && v !== null) row[i3] = c3(v, k3); }
    if (n > 4) { v = o[k4]; if (v !== undefined && v !== null) row[i4] = c4(v, k4); }
    if (n > 5) { v = o[k5]; if (v !== undefined && v !== null) row[i5] = c5(v, k5); }
    if (n > 6) { v = o[k6]; if (v !== undefined && v !== null) row[i6] = c6(v, k6); }
    if (n > 7) { v = o[k7]; if (v !== undefined && v !== null) row[i7] = c7(v, k7); }
    if (n > 8) { v = o[k8]; if (v !== undefined && v !== null) row[i8] = c8(v, k8); }
    if (n > 9) { v = o[k9]; if (v !== undefined && v !== null) row[i9] = c9(v, k9); }
    if (n > 10) { v = o[k10]; if (v !== undefined && v !== null) row[i10] = c10(v, k10); }
    if (n > 11) { v = o[k11]; if (v !== undefined && v !== null) row[i11] = c11(v, k11); }
    return row;
  },
  ({ n, nulls, k: [k0, k1, k2, k3, k4, k5, k6, k7, k8, k9, k10, k11], c: [c0, c1, c2, c3, c4, c5, c6, c7, c8, c9, c10, c11], i: [i0, i1, i2, i3, i4, i5, i6, i7, i8, i9, i10, i11] }) => (o) => {
    const row = nulls.slice();
    let v: unknown;
    if (n > 0) { v = o[k0]; if (v !== undefined && v !== null) row[i0] = c0(v, k0); }
    if (n > 1) { v = o[k1]; if (v !== undefined && v !== null) row[i1] = c1(v, k1); }
    if (n > 2) { v = o[k2]; if (v !== undefined && v !== null) row[i2] = c2(v, k2); }
    if (n > 3) { v = o[k3]; if (v !== undefined && v !== null) row[i3] = c3(v, k3); }
    if (n > 4) { v = o[k4]; if (v !== undefined && v !== null) row[i4] = c4(v, k4); }
    if (n > 5) { v = o[k5]; if (v !== undefined && v !== null) row[i5] = c5(v, k5); }
    if (n > 6) { v = o[k6]; if (v !== undefined && v !== null) row[i6] = c6(v, k6); }
    if (n > 7) { v = o[k7]; if (v !== undefined && v !== null) row[i7] = c7(v, k7); }
    if (n > 8) { v = o[k8]; if (v !== undefined && v !== null) row[i8] = c8(v, k8); }
    if (n > 9) { v = o[k9]; if (v !== undefined && v !== null) row[i9] = c9(v, k9); }
    if (n > 10) { v = o[k10]; if (v !== undefined && v !== null) row[i10] = c10(v, k10); }
    if (n > 11) { v = o[k11]; if (v !== undefined && v !== null) row[i11] = c11(v, k11); }
    return row;
  },
  ({ n, nulls, k: [k0, k1, k2, k3, k4, k5, k6, k7, k8, k9, k10, k11], c: [c0, c1, c2, c3, c4, c5, c6, c7, c8, c9, c10, c11], i: [i0, i1, i2, i3, i4, i5, i6, i7, i8, i9, i10, i11] }) => (o) => {
    const row = nulls.slice();
    let v: unknown;
    if (n > 0) { v = o[k0]; if (v !== undefined && v !== null) row[i0] = c0(v, k0); }
    if (n > 1) { v = o[k1]; if (v !== undefined && v !== null) row[i1] = c1(v, k1); }
    if (n > 2) { v = o[k2]; if (v !== undefined && v !== null) row[i2] = c2(v, k2); }
    if (n > 3) { v = o[k3]; if (v !== undefined && v !== null) row[i3] = c3(v, k3); }
    if (n > 4) { v = o[k4]; if (v !== undefined && v !== null) row[i4] = c4(v, k4); }
    if (n > 5) { v = o[k5]; if (v !== undefined && v !== null) row[i5] = c5(v, k5); }
    if (n > 6) { v = o[k6]; if (v !== undefined && v !== null) row[i6] = c6(v, k6); }
    if (n > 7) { v = o[k7]; if (v !== undefined && v !== null) row[i7] = c7(v, k7); }
    if (n > 8) { v = o[k8]; if (v !== undefined && v !== null) row[i8] = c8(v, k8); }
    if (n > 9) { v = o[k9]; if (v !== undefined && v !== null) row[i9] = c9(v, k9); }
    if (n > 10) { v = o[k10]; if (v !== undefined && v !== null) row[i10] = c10(v, k10); }
    if (n > 11) { v = o[k11]; if (v !== undefined && v !== null) row[i11] = c11(v, k11); }
    return row;
  },
  ({ n, nulls, k: [k0, k1, k2, k3, k4, k5, k6, k7, k8, k9, k10, k11], c: [c0, c1, c2, c3, c4, c5, c6, c7, c8, c9, c10, c11], i: [i0, i1, i2, i3, i4, i5, i6, i7, i8, i9, i10, i11] }) => (o) => {
    const row = nulls.slice();
    let v: unknown;
    if (n > 0) { v = o[k0]; if (v !== undefined && v !== null) row[i0] = c0(v, k0); }
    if (n > 1) { v = o[k1]; if (v !== undefined && v !== null) row[i1] = c1(v, k1); }
    if (n > 2) { v = o[k2]; if (v !== undefined && v !== null) row[i2] = c2(v, k2); }
    if (n > 3) { v = o[k3]; if (v !== undefined && v !== null) row[i3] = c3(v, k3); }
    if (n > 4) { v = o[k4]; if (v !== undefined && v !== null) row[i4] = c4(v, k4); }
    if (n > 5) { v = o[k5]; if (v !== undefined && v !== null) row[i5] = c5(v, k5); }
    if (n > 6) { v = o[k6]; if (v !== undefined && v !== null) row[i6] = c6(v, k6); }
    if (n > 7) { v = o[k7]; if (v !== undefined && v !== null) row[i7] = c7(v, k7); }
    if (n > 8) { v = o[k8]; if (v !== undefined && v !== null) row[i8] = c8(v, k8); }
    if (n > 9) { v = o[k9]; if (v !== undefined && v !== null) row[i9] = c9(v, k9); }
    if (n > 10) { v = o[k10]; if (v !== undefined && v !== null) row[i10] = c10(v, k10); }
    if (n > 11) { v = o[k11]; if (v !== undefined && v !== null) row[i11] = c11(v, k11); }
    return row;
  },
];
