/**
 * LIST and STRUCT access: list_extract / array_extract (1-based, negative
 * from the end, NULL out of range), struct_extract, len / array_length,
 * list_contains, list_sort / list_reverse_sort, and nullif.
 */
import type { Value } from "../../plan/values.ts";
import { SqlError, type ScalarFn } from "./contract.ts";
import { compareValues } from "./compare.ts";
import { castFor } from "./cast.ts";
import { aggregates } from "./aggregates.ts";
import { parseType, typeText } from "./types.ts";
import { checkSubstringRange, stringScalars, substringCodePoints } from "./strings.ts";
import { jsonExtract } from "./json.ts";
import { mapScalars13 } from "./maps13.ts";

/** A list's element type from its type text (`INTEGER[]` → `INTEGER`); `otherwise` when it is not a list. */
export function elementOfList(listType: string | undefined, otherwise = "NULL"): string {
  if (listType === undefined) return otherwise;
  const t = parseType(listType);
  return t.kind === "list" || t.kind === "array" ? typeText(t.child) : otherwise;
}

/** Per argument, the cast from its type to `target`, or null where none is needed. */
function castsTo(argTypes: string[], target: string | null): (((v: Value) => Value) | null)[] {
  return argTypes.map((a) => (target === null || a === target || a === "NULL" ? null : castFor(a, target)));
}

/** `v` through `cast` when there is one; NULL stays NULL. */
const castOne = (v: Value | undefined, cast: ((v: Value) => Value) | null | undefined): Value => (v === null || v === undefined ? null : cast ? cast(v) : v);

const listExtract: ScalarFn = ([l, i], ctx) => {
  if (l === null || i === null || l === undefined || i === undefined) return null;
  // `j[k]` on a JSON value is DuckDB's json_extract (a key, or an index from 0), typed JSON; the
  // function forms (array_extract(j, 1), list_extract) read JSON as VARCHAR, one character.
  if (ctx.resultType === "JSON" && ctx.argTypes[0] === "JSON") return jsonExtract([l, i], ctx);
  if (typeof l === "string") {
    // array_extract on VARCHAR gives one character.
    const k = Number(i);
    checkSubstringRange(k, null);
    // DuckDB takes the character as its substring of non-ASCII text does, for ASCII text too: an
    // index before the first character is '' ('abc'[-4]), where substring('abc', -4, 1) is 'a'.
    // (Past an ASCII text's start the UTF-16 length is the character count; past it otherwise,
    // substringCodePoints' own non-ASCII path already answers ''.)
    if (k < 0 && -k > l.length) return "";
    return substringCodePoints(l, k, 1);
  }
  const t = parseType(ctx.argTypes[0]!);
  if (t.kind === "struct") {
    return structExtract([l, i], ctx);
  }
  // m[k] on a MAP is the value under k (DuckDB 1.4), NULL when no entry has it.
  if (t.kind === "map") return mapEntry(l, i, ctx.argTypes[0]!, ctx.argTypes[1]!)?.value ?? null;
  const list = l as Value[];
  let k = Number(i);
  if (k < 0) k = list.length + k;
  else k -= 1;
  if (k < 0 || k >= list.length) return null;
  return list[k]!;
};

const structExtract: ScalarFn = ([s, f], ctx) => {
  if (s === null || s === undefined || f === null || f === undefined) return null;
  const o = s as Record<string, Value>;
  if (typeof f === "string") {
    if (Object.hasOwn(o, f)) return o[f]!;
    // DuckDB resolves struct field names case-insensitively.
    const key = Object.keys(o).find((k) => k.toLowerCase() === f.toLowerCase());
    if (key === undefined) throw new SqlError("invalid_input", `Could not find key "${f}" in struct`);
    return o[key]!;
  }
  const t = parseType(ctx.argTypes[0]!);
  if (t.kind !== "struct") throw new SqlError("invalid_input", "struct_extract needs a STRUCT");
  const field = t.fields[Number(f) - 1];
  if (!field) throw new SqlError("invalid_input", `Struct index ${f} out of range`);
  return o[field.name] ?? null;
};

/** A MAP value as the executor holds it: its entries in order. */
type MapEntry = { key: Value; value: Value };

/** The entry of map `m` (type `mapType`) whose key equals `k` (type `kType`, cast to the key type), or null. */
function mapEntry(m: Value, k: Value, mapType: string, kType: string): MapEntry | null {
  if (m === null || k === null) return null;
  const lookup = mapLookup(mapType, kType);
  if (lookup === null) return null;
  const key = castOne(k, lookup.cast);
  if (key === null) return null;
  return (m as MapEntry[]).find((e) => e.key !== null && compareValues(e.key, key, lookup.keyType) === 0) ?? null;
}

/** Per call site's (map type, key type): the map's key type and the cast of a key to it, found once. */
const mapLookups = new Map<string, { keyType: string; cast: ((v: Value) => Value) | null } | null>();
function mapLookup(mapType: string, kType: string): { keyType: string; cast: ((v: Value) => Value) | null } | null {
  const id = `${mapType}\u0000${kType}`;
  let found = mapLookups.get(id);
  if (found === undefined) {
    const t = parseType(mapType);
    found = t.kind !== "map" ? null : { keyType: typeText(t.key), cast: castsTo([kType], typeText(t.key))[0]! };
    mapLookups.set(id, found);
  }
  return found;
}

/** map_extract(m, k) / element_at: a list of the value under k, empty when there is none (DuckDB 1.4). */
const mapExtract: ScalarFn = ([m, k], ctx) => {
  if (m === null || m === undefined) return null;
  if (k === null || k === undefined) return [];
  const e = mapEntry(m, k, ctx.argTypes[0]!, ctx.argTypes[1]!);
  return e ? [e.value] : [];
};
/** map_extract_value(m, k): the value under k, NULL when there is none. */
const mapExtractValue: ScalarFn = ([m, k], ctx) => (m === null || m === undefined || k === null || k === undefined ? null : mapEntry(m, k, ctx.argTypes[0]!, ctx.argTypes[1]!)?.value ?? null);
const mapContains: ScalarFn = ([m, k], ctx) => (m === null || m === undefined || k === null || k === undefined ? null : mapEntry(m, k, ctx.argTypes[0]!, ctx.argTypes[1]!) !== null);
const mapKeys: ScalarFn = ([m]) => (m === null || m === undefined ? null : (m as MapEntry[]).map((e) => e.key));
const mapValues: ScalarFn = ([m]) => (m === null || m === undefined ? null : (m as MapEntry[]).map((e) => e.value));
const mapEntries: ScalarFn = ([m]) => (m === null || m === undefined ? null : (m as MapEntry[]).map((e) => ({ key: e.key, value: e.value })));
const cardinality: ScalarFn = ([m]) => (m === null || m === undefined ? null : BigInt((m as MapEntry[]).length));

/** len / array_length of a LIST; len of a VARCHAR counts code points like length(). */
const length: ScalarFn = ([l]) => {
  if (l === null || l === undefined) return null;
  if (typeof l === "string") return BigInt(Array.from(l).length);
  return BigInt((l as Value[]).length);
};

/**
 * [a, b, c]: each element cast to the list's element type first, as DuckDB binds them
 * ([x_double, 1.5] holds 1.5 as a DOUBLE, not the DECIMAL literal's unscaled 15).
 */
const listValue: ScalarFn = (args, ctx) => {
  const casts = castsTo(ctx.argTypes, elementOfList(ctx.resultType, "") || null);
  return args.map((v, i) => castOne(v, casts[i]));
};
listValue.specialize = (_constants, ctx) => {
  const casts = castsTo(ctx.argTypes, elementOfList(ctx.resultType, "") || null);
  if (casts.every((c) => c === null)) return (args) => [...args];
  return (args) => args.map((v, i) => castOne(v, casts[i]));
};

/** {'a': x, 'b': y}: field names come from the bound STRUCT result type. */
const structPack: ScalarFn = (args, ctx) => {
  const t = parseType(ctx.resultType);
  if (t.kind !== "struct") throw new SqlError("invalid_input", `struct_pack needs a STRUCT result type, got ${ctx.resultType}`);
  const out: Record<string, Value> = {};
  t.fields.forEach((f, i) => { out[f.name] = args[i] ?? null; });
  return out;
};

/**
 * struct_insert(s, name := v, ...): s's fields, then the new ones, as the bound result type names
 * them. A NULL s gives a STRUCT of NULL fields plus the new values (DuckDB's answer), not NULL.
 */
const structInsert: ScalarFn = (args, ctx) => {
  const t = parseType(ctx.resultType);
  if (t.kind !== "struct") throw new SqlError("invalid_input", `struct_insert needs a STRUCT result type, got ${ctx.resultType}`);
  const s = (args[0] ?? null) as Record<string, Value> | null;
  const kept = t.fields.length - (args.length - 1);
  const out: Record<string, Value> = {};
  t.fields.forEach((f, i) => { out[f.name] = i < kept ? (s === null ? null : (s[f.name] ?? null)) : (args[i - kept + 1] ?? null); });
  return out;
};

function extremeOf(sign: 1 | -1): ScalarFn {
  // greatest / least skip NULLs; NULL only when every argument is NULL. Each argument is first cast
  // to the result type, as DuckDB binds them: greatest(x_double, 1.5) compares and answers 1.5 as a
  // DOUBLE, not the DECIMAL literal's unscaled 15.
  const pick = (args: Value[], ctx: { resultType: string }, casts: (((v: Value) => Value) | null)[]): Value => {
    let best: Value = null;
    for (let i = 0; i < args.length; i++) {
      const a = castOne(args[i], casts[i]);
      if (a === null) continue;
      if (best === null || sign * compareValues(a, best, ctx.resultType) > 0) best = a;
    }
    return best;
  };
  const fn: ScalarFn = (args, ctx) => pick(args, ctx, castsTo(ctx.argTypes, ctx.resultType));
  fn.specialize = (_constants, ctx) => {
    const casts = castsTo(ctx.argTypes, ctx.resultType);
    return (args, c) => pick(args, c, casts);
  };
  return fn;
}

const listContains: ScalarFn = ([l, x], ctx) => {
  if (l === null || l === undefined || x === null || x === undefined) return null;
  // The compiler has cast the list and x to their common type, so x's type orders both.
  const text = ctx.argTypes[1] ?? "VARCHAR";
  return (l as Value[]).some((e) => e !== null && compareValues(e, x, text) === 0);
};

const nullif: ScalarFn = ([a, b], ctx) => {
  if (a === null || a === undefined) return null;
  if (b === null || b === undefined) return a;
  return compareValues(a, b, ctx.argTypes[0]!) === 0 ? null : a;
};

const stringContains = stringScalars.contains!;

/** contains() is list_contains on a LIST and a substring test on VARCHAR. */
const contains: ScalarFn = (args, ctx) => {
  const t = parseType(ctx.argTypes[0] ?? "VARCHAR");
  return t.kind === "list" || t.kind === "array" ? listContains(args, ctx) : stringContains(args, ctx);
};


/**
 * list_sort(list[, 'ASC' | 'DESC'[, 'NULLS FIRST' | 'NULLS LAST']]) and
 * list_reverse_sort(list[, nulls]): a sorted copy; NULLs last unless asked
 * (DuckDB's default null order). A NULL list gives NULL.
 */
const ORDER_TYPES: Record<string, "ASC" | "DESC"> = { ASC: "ASC", ASCENDING: "ASC", ORDER_DEFAULT: "ASC", DEFAULT: "ASC", DESC: "DESC", DESCENDING: "DESC" };
const NULL_ORDERS: Record<string, "NULLS FIRST" | "NULLS LAST"> = { NULLS_FIRST: "NULLS FIRST", NULLS_LAST: "NULLS LAST", ORDER_DEFAULT: "NULLS LAST", DEFAULT: "NULLS LAST" };

function listSort(reverse: boolean): ScalarFn {
  return (args, ctx) => {
    const l = args[0];
    if (l === null || l === undefined) return null;
    const orderArg = reverse ? "DESC" : args[1];
    const nullsArg = reverse ? args[1] : args[2];
    if (orderArg === null || nullsArg === null) return null;
    // DuckDB reads both as its enums, upper-cased: ASC/ASCENDING/DESC/DESCENDING/ORDER_DEFAULT/DEFAULT and
    // NULLS_FIRST/NULLS_LAST (a space for the underscore)/ORDER_DEFAULT/DEFAULT; `list(x ORDER BY x DESC)` arrives
    // as list_sort(list(x), 'DESCENDING', 'ORDER_DEFAULT').
    const orderText = String(orderArg ?? "ASC").toUpperCase();
    const nullsText = String(nullsArg ?? "NULLS LAST").toUpperCase();
    const order = ORDER_TYPES[orderText];
    const nulls = NULL_ORDERS[nullsText.replace(" ", "_")];
    if (!order) throw new SqlError("not_implemented", `Enum value: unrecognized value "${orderText}" for enum "OrderType"`);
    if (!nulls) throw new SqlError("not_implemented", `Enum value: unrecognized value "${nullsText}" for enum "OrderByNullType"`);
    const type = elementOfList(ctx.argTypes[0], "VARCHAR");
    const sign = order === "ASC" ? 1 : -1;
    const present = (l as Value[]).filter((v) => v !== null);
    const missing = (l as Value[]).length - present.length;
    present.sort((a, b) => sign * compareValues(a, b, type));
    const nullsOut = new Array<Value>(missing).fill(null);
    return nulls === "NULLS FIRST" ? [...nullsOut, ...present] : [...present, ...nullsOut];
  };
}

/**
 * The library's aggregate `name`. DuckDB's binder has already refused a name it does not know, so a
 * missing one is an aggregate DuckDB has and the library lacks (sem, mad, histogram ...): not_implemented,
 * not DuckDB's "does not exist".
 */
function aggregateNamed(name: string): (typeof aggregates)[string] {
  const fn = aggregates[name.toLowerCase()];
  if (!fn) {
    throw new SqlError("not_implemented", `list_aggregate(list, '${name}'): the pipeline's library does not have the aggregate ${name}; it has ${Object.keys(aggregates).sort().join(", ")}`);
  }
  return fn;
}

/**
 * list_aggregate(list, 'name', extra...): the aggregate `name` of the library over the list's
 * elements in order (NULL elements reach it as rows with NULL, which most aggregates skip);
 * a NULL list is NULL. The aggregate sees the element type as its argument type and the
 * call's bound result type as its own.
 */
function aggregateOver(list: Value, name: string, extra: Value[], ctx: { argTypes: string[]; resultType: string }): Value {
  if (list === null || list === undefined) return null;
  const fn = aggregateNamed(name);
  let element = elementOfList(ctx.argTypes[0]);
  let values = list as Value[];
  // string_agg takes text only: DuckDB binds it with the elements cast to VARCHAR (a DOUBLE 1.0 is
  // '1.0', a STRUCT its {'a': 1} text), as the aggregate does over a column.
  if (name.toLowerCase() === "string_agg" && element !== "VARCHAR" && element !== "NULL") {
    const cast = castFor(element, "VARCHAR");
    values = values.map((v) => castOne(v, cast));
    element = "VARCHAR";
  }
  const actx = { argTypes: [element, ...ctx.argTypes.slice(2)], resultType: ctx.resultType };
  let state = fn.init(actx);
  for (const v of values) state = fn.step(state, [v ?? null, ...extra], actx);
  // One state, finished as it is: an aggregate that combines per-thread states first says how alone (fsum).
  return (fn.finishAlone ?? fn.finish)(state, actx);
}

const listAggregate: ScalarFn = (args, ctx) => aggregateOver(args[0] ?? null, String(args[1]), args.slice(2), ctx);
// The name is a constant (DuckDB's binder requires it): an aggregate the library lacks fails the plan as it
// starts, not each event whose list is not NULL (a sample whose lists are all NULL would pass the check).
listAggregate.specialize = (constants) => {
  const name = constants[1]?.value;
  if (typeof name === "string") aggregateNamed(name);
  return null;
};

/** list_sum(l), list_median(l) ...: list_aggregate(l, 'sum') ...; the extra arguments follow the list. */
function listShortcut(name: string): ScalarFn {
  return (args, ctx) => aggregateOver(args[0] ?? null, name, args.slice(1), { argTypes: [ctx.argTypes[0]!, "VARCHAR", ...ctx.argTypes.slice(1)], resultType: ctx.resultType });
}

/** Casts a list's elements to the element type of `to` when it differs (list_cat([1], [2.5]) holds DECIMALs). */
function listCaster(from: string, to: string): ((l: Value[]) => Value[]) | null {
  const [cast] = castsTo([elementOfList(from)], elementOfList(to));
  return cast ? (l) => l.map((v) => castOne(v, cast)) : null;
}

/** array_to_string(l, sep): the elements as text joined by sep (string_agg over them: NULLs skipped, no elements NULL). */
function arrayToStringWith(toText: ((l: Value[]) => Value[]) | null): ScalarFn {
  return (args, ctx) => {
    const list = args[0];
    if (list === null || list === undefined) return null;
    const texts = toText ? toText(list as Value[]) : (list as Value[]);
    // A NULL separator joins with a comma, as DuckDB's string_agg does.
    return aggregateOver(texts, "string_agg", args.length > 1 ? [args[1] ?? ","] : [], { argTypes: ["VARCHAR[]", "VARCHAR", ...ctx.argTypes.slice(1)], resultType: "VARCHAR" });
  };
}
const arrayToString: ScalarFn = (args, ctx) => arrayToStringWith(listCaster(ctx.argTypes[0]!, "VARCHAR[]"))(args, ctx);
arrayToString.specialize = (_constants, ctx) => arrayToStringWith(listCaster(ctx.argTypes[0]!, "VARCHAR[]"));



/** flatten(list of lists): the inner lists' elements in order; NULL inner lists are skipped, a NULL outer list is NULL. */
const flatten: ScalarFn = ([l]) => {
  if (l === null || l === undefined) return null;
  const out: Value[] = [];
  for (const inner of l as (Value[] | null)[]) if (inner !== null) for (const x of inner) out.push(x);
  return out;
};

const listReverse: ScalarFn = ([l]) => (l === null || l === undefined ? null : [...(l as Value[])].reverse());

/** list_concat(a, b): a NULL side counts as empty (both NULL gives []), elements cast to the result's element type. */
function listConcatWith(casts: (((l: Value[]) => Value[]) | null)[]): (args: Value[]) => Value {
  return (args) => {
    const out: Value[] = [];
    args.forEach((l, i) => {
      if (l === null || l === undefined) return;
      const cast = casts[i];
      for (const x of cast ? cast(l as Value[]) : (l as Value[])) out.push(x);
    });
    return out;
  };
}
const listConcatCasts = (ctx: { argTypes: string[]; resultType: string }) => ctx.argTypes.map((t) => listCaster(t, ctx.resultType));
const listConcat: ScalarFn = (args, ctx) => listConcatWith(listConcatCasts(ctx))(args);
listConcat.specialize = (_constants, ctx) => listConcatWith(listConcatCasts(ctx));

/**
 * `a || b`: on lists, list_concat's casts of the elements to the result's type (`[1, 2] || [1.5]` is
 * `[1.0, 2.0, 1.5]`), except that a NULL side gives NULL, as DuckDB's operator does; text and BLOBs
 * as strings.ts concatenates them.
 */
const textConcat = stringScalars["||"]!;
const isListArg = (t: string | undefined): boolean => t !== undefined && ["list", "array"].includes(parseType(t).kind);
const concatOperator: ScalarFn = (args, ctx) => {
  if (!isListArg(ctx.argTypes[0]) && !isListArg(ctx.argTypes[1])) return textConcat(args, ctx);
  return args.some((a) => a === null || a === undefined) ? null : listConcat(args, ctx);
};
concatOperator.specialize = (constants, ctx) => {
  if (!isListArg(ctx.argTypes[0]) && !isListArg(ctx.argTypes[1])) return textConcat.specialize?.(constants, ctx) ?? null;
  const concat = listConcatWith(listConcatCasts(ctx));
  return (args) => (args.some((a) => a === null || a === undefined) ? null : concat(args));
};

/**
 * list_append(l, x), list_prepend(x, l) and array_push_front(l, x): l (a NULL list counts as empty) with x
 * added at its end or start, both cast to the result's element type (list_append([1], 2.5) is a DECIMAL list).
 */
function listAdd(prepend: boolean, listFirst = !prepend): ScalarFn {
  const [li, xi] = listFirst ? [0, 1] : [1, 0];
  // The casts depend on the call's types only: found once per call site by `specialize`.
  const withCasts = (ctx: { argTypes: string[]; resultType: string }) => {
    const castList = listCaster(ctx.argTypes[li]!, ctx.resultType);
    const castX = listCaster(`${ctx.argTypes[xi]!}[]`, ctx.resultType);
    return (args: Value[]): Value => {
      const l = args[li] ?? null;
      const x = args[xi] ?? null;
      const list = l === null ? [] : castList ? castList(l as Value[]) : (l as Value[]);
      const one = x !== null && castX ? castX([x]) : [x];
      return prepend ? [...one, ...list] : [...list, ...one];
    };
  };
  const fn: ScalarFn = (args, ctx) => withCasts(ctx)(args);
  fn.specialize = (_constants, ctx) => withCasts(ctx);
  return fn;
}

/** Elements one range() / generate_series() call may build before it is refused (a pipeline must not exhaust its memory). */
const RANGE_LIMIT = 10_000_000;

/**
 * range(n), range(a, b[, step]) and generate_series (the same, its end included) over integers, as
 * BIGINT lists: NULL when any argument is NULL, [] for a zero step or an empty span. (TIMESTAMP
 * ranges are refused by the compiler.)
 */
function rangeFn(inclusive: boolean): ScalarFn {
  return (args) => {
    if (args.some((a) => a === null || a === undefined)) return null;
    const n = args.map((a) => BigInt(a as number | bigint));
    const [start, end, step] = n.length === 1 ? [0n, n[0]!, 1n] : [n[0]!, n[1]!, n[2] ?? 1n];
    if (step === 0n) return [];
    const out: bigint[] = [];
    const more = (v: bigint) => (step > 0n ? (inclusive ? v <= end : v < end) : inclusive ? v >= end : v > end);
    for (let v = start; more(v); v += step) {
      if (out.length >= RANGE_LIMIT) throw new SqlError("out_of_range", `range(): more than ${RANGE_LIMIT} elements is refused by the pipeline`);
      out.push(v);
    }
    return out;
  };
}

/**
 * list_position(l, x): the 1-based place of the first element equal to x (NULL matches NULL),
 * NULL when none is; the compiler has cast l and x to their common type.
 */
const listPosition: ScalarFn = ([l, x], ctx) => {
  if (l === null || l === undefined) return null;
  const list = l as Value[];
  const type = ctx.argTypes[1] ?? elementOfList(ctx.argTypes[0]!);
  for (let i = 0; i < list.length; i++) {
    const e = list[i]!;
    if (x === null || x === undefined ? e === null : e !== null && compareValues(e, x, type) === 0) return i + 1;
  }
  return null;
};

/** list_has_any / list_has_all: NULL elements on either side are ignored; a NULL list is NULL. */
function listHas(all: boolean): ScalarFn {
  return ([a, b], ctx) => {
    if (a === null || a === undefined || b === null || b === undefined) return null;
    const type = elementOfList(ctx.argTypes[0]!);
    const left = (a as Value[]).filter((v) => v !== null);
    const found = (x: Value) => left.some((e) => compareValues(e, x, type) === 0);
    const right = (b as Value[]).filter((v) => v !== null);
    return all ? right.every(found) : right.some(found);
  };
}

/**
 * list_slice(l, begin, end[, step]) and `x[begin:end]` on a list or text (code points):
 * 1-based and inclusive, negative places count from the end, 0 is the start; out-of-range
 * ends are clamped; a NULL bound gives NULL. A negative step walks back from begin to end.
 */
const listSlice: ScalarFn = (args, ctx) => sliceWith(sliceBoundCasts(ctx))(args);
listSlice.specialize = (_constants, ctx) => sliceWith(sliceBoundCasts(ctx));

/**
 * Per bound, the cast to BIGINT DuckDB binds for a bound of another type: a DOUBLE is rounded half to
 * even, a DECIMAL (held unscaled) half away from zero (`l[1.5:2.5]` is l[2:3]).
 */
function sliceBoundCasts(ctx: { argTypes: string[] }): (((v: Value) => Value) | null)[] {
  return ctx.argTypes.map((t, i) => (i === 0 || t === undefined || INTEGER_BOUNDS.has(t) || t.endsWith("[]") || t === "NULL" ? null : castFor(t, "BIGINT")));
}
const INTEGER_BOUNDS = new Set(["TINYINT", "SMALLINT", "INTEGER", "BIGINT", "UTINYINT", "USMALLINT", "UINTEGER", "UBIGINT", "HUGEINT", "UHUGEINT"]);

const sliceWith = (casts: (((v: Value) => Value) | null)[]) => (raw: Value[]): Value => {
  const args = casts.some((c) => c !== null) ? raw.map((a, i) => castOne(a, casts[i])) : raw;
  const [v, begin, end, step] = args;
  if (v === null || v === undefined || begin === null || begin === undefined || end === null || end === undefined) return null;
  if (args.length > 3 && (step === null || step === undefined)) return null;
  const text = typeof v === "string";
  const items: Value[] = text ? Array.from(v as string) : (v as Value[]);
  const n = items.length;
  const place = (x: Value) => Number(x);
  // An omitted bound (`l[-2:]`, `l[:2]`) reaches here as DuckDB's parser writes it: an empty list.
  const omitted = (x: Value) => Array.isArray(x) && x.length === 0;
  const by = args.length > 3 ? place(step!) : 1;
  const out: Value[] = [];
  if (by < 0) {
    // Backwards (DuckDB): from begin down to end, both inclusive; an omitted begin is the last element
    // and an omitted end the first; a begin of 0 or before the start gives nothing, an end of 0 is the first.
    let b = omitted(begin) ? n : place(begin);
    let e = omitted(end) ? 1 : place(end);
    b = b < 0 ? n + b + 1 : b;
    e = e < 0 ? n + e + 1 : e;
    b = Math.min(n, b);
    e = Math.max(1, e);
    for (let i = b; i >= e && i >= 1; i += by) out.push(items[i - 1]!);
    return text ? (out as string[]).join("") : out;
  }
  let b = omitted(begin) ? 1 : place(begin);
  let e = omitted(end) ? n : place(end);
  b = b < 0 ? n + b + 1 : b === 0 ? 1 : b;
  e = e < 0 ? n + e + 1 : e;
  b = Math.max(1, b);
  e = Math.min(n, e);
  // A zero step is DuckDB's error only where the bounds take something.
  if (by === 0 && b <= e) throw new SqlError("invalid_input", "Slice step cannot be zero");
  if (by === 0) return text ? "" : out;
  for (let i = b; i <= e; i += by) out.push(items[i - 1]!);
  return text ? (out as string[]).join("") : out;
};

/** unicode(s): the first character's code point; -1 for the empty text. */
const unicode: ScalarFn = ([s]) => (s === null || s === undefined ? null : (s as string).length === 0 ? -1 : (s as string).codePointAt(0)!);

const LIST_SHORTCUTS = [
  "sum", "avg", "min", "max", "count", "first", "last", "any_value", "mode", "median", "string_agg", "bool_and", "bool_or",
  "stddev_samp", "stddev_pop", "var_samp", "var_pop",
];

export const nestedScalars: Record<string, ScalarFn> = {
  flatten,
  list_reverse: listReverse,
  array_reverse: listReverse,
  list_concat: listConcat,
  "||": concatOperator,
  list_cat: listConcat,
  range: rangeFn(false),
  generate_series: rangeFn(true),
  list_append: listAdd(false),
  array_append: listAdd(false),
  array_push_back: listAdd(false),
  list_prepend: listAdd(true),
  array_prepend: listAdd(true),
  array_push_front: listAdd(true, true),
  array_concat: listConcat,
  array_cat: listConcat,
  list_position: listPosition,
  list_indexof: listPosition,
  array_position: listPosition,
  array_indexof: listPosition,
  list_has_any: listHas(false),
  array_has_any: listHas(false),
  list_has_all: listHas(true),
  array_has_all: listHas(true),
  list_slice: listSlice,
  array_slice: listSlice,
  unicode,
  list_aggregate: listAggregate,
  array_aggregate: listAggregate,
  list_aggr: listAggregate,
  array_aggr: listAggregate,
  aggregate: listAggregate,
  array_to_string: arrayToString,
  ...Object.fromEntries(LIST_SHORTCUTS.flatMap((n) => [[`list_${n}`, listShortcut(n)], [`array_${n}`, listShortcut(n)]])),
  list_sort: listSort(false),
  array_sort: listSort(false),
  list_reverse_sort: listSort(true),
  array_reverse_sort: listSort(true),
  list_extract: listExtract,
  array_extract: listExtract,
  list_element: listExtract,
  struct_extract: structExtract,
  len: length,
  array_length: length,
  list_contains: listContains,
  array_contains: listContains,
  list_has: listContains,
  contains,
  nullif,
  list_value: listValue,
  list_pack: listValue,
  struct_pack: structPack,
  struct_insert: structInsert,
  row: structPack,
  map_extract: mapExtract,
  element_at: mapExtract,
  map_extract_value: mapExtractValue,
  map_contains: mapContains,
  map_keys: mapKeys,
  map_values: mapValues,
  map_entries: mapEntries,
  ...mapScalars13,
  cardinality,
  greatest: extremeOf(1),
  least: extremeOf(-1),
};
