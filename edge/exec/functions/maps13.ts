/**
 * Building a MAP from row values: `map(keys, values)` (what `MAP {'k': col}` parses to) and
 * `map_from_entries([(k, v), ...])`, with DuckDB's checks: keys are not NULL and are unique (as
 * GROUP BY sees them: NaN = NaN, -0.0 = 0.0), and the key and value lists align. A MAP is held as
 * its entries in order, `{ key, value }`.
 */
import type { Value } from "../../plan/values.ts";
import { SqlError, type ScalarFn } from "./contract.ts";
import { castFor } from "./cast.ts";
import { valueKey } from "./compare.ts";
import { parseType, typeText, type SqlType } from "./types.ts";

type MapEntry = { key: Value; value: Value };

/** The MAP's key and value types from a call's result type. */
function mapTypes(resultType: string): { key: string; value: string } {
  const t = parseType(resultType);
  if (t.kind !== "map") throw new SqlError("internal", `map() typed ${resultType}, not a MAP`);
  return { key: typeText(t.key), value: typeText(t.value) };
}

/** The cast from an element type to a MAP's key or value type, or null when none is needed. */
function castTo(from: SqlType | null, to: string): ((v: Value) => Value) | null {
  if (from === null) return null;
  const text = typeText(from);
  return text === to || text === "NULL" ? null : castFor(text, to);
}

function elementType(listType: string | undefined): SqlType | null {
  if (listType === undefined) return null;
  const t = parseType(listType);
  return t.kind === "list" || t.kind === "array" ? t.child : null;
}

/** Entries with DuckDB's checks, keys and values cast to the MAP's types. */
function checkedEntries(entries: MapEntry[], keyType: string): MapEntry[] {
  const seen = new Set<string>();
  for (const e of entries) {
    if (e.key === null) throw new SqlError("invalid_input", "Map keys can not be NULL.");
    const k = valueKey(e.key, keyType);
    if (seen.has(k)) throw new SqlError("invalid_input", "Map keys must be unique.");
    seen.add(k);
  }
  return entries;
}

/** map(keys, values); map() is the empty MAP. */
const map: ScalarFn = (args, ctx) => {
  if (args.length === 0) return [];
  const [keys, values] = args;
  if (keys === null || keys === undefined || values === null || values === undefined) return null;
  const ks = keys as Value[];
  const vs = values as Value[];
  if (ks.length !== vs.length) throw new SqlError("invalid_input", "The map key list does not align with the map value list.");
  const types = mapTypes(ctx.resultType);
  const castKey = castTo(elementType(ctx.argTypes[0]), types.key);
  const castValue = castTo(elementType(ctx.argTypes[1]), types.value);
  const entries = ks.map((k, i) => {
    const v = vs[i]!;
    return { key: k === null || !castKey ? k : castKey(k), value: v === null || !castValue ? v : castValue(v) };
  });
  return checkedEntries(entries, types.key);
};

/** map_from_entries(list of STRUCT(k, v)): the first field is the key, the second the value. */
const mapFromEntries: ScalarFn = ([list], ctx) => {
  if (list === null || list === undefined) return null;
  const element = elementType(ctx.argTypes[0]);
  if (element?.kind !== "struct" || element.fields.length !== 2) throw new SqlError("internal", `map_from_entries of ${ctx.argTypes[0]}`);
  const [kf, vf] = element.fields as [{ name: string; type: SqlType }, { name: string; type: SqlType }];
  const types = mapTypes(ctx.resultType);
  const castKey = castTo(kf.type, types.key);
  const castValue = castTo(vf.type, types.value);
  const entries = (list as Value[]).map((s) => {
    // A NULL entry has a NULL key, which DuckDB refuses as such.
    if (s === null) return { key: null, value: null };
    const o = s as Record<string, Value>;
    const k = o[kf.name] ?? null;
    const v = o[vf.name] ?? null;
    return { key: k === null || !castKey ? k : castKey(k), value: v === null || !castValue ? v : castValue(v) };
  });
  return checkedEntries(entries, types.key);
};

export const mapScalars13: Record<string, ScalarFn> = {
  map,
  map_from_entries: mapFromEntries,
};
