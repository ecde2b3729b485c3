/**
 * json_merge_patch(target, patch, ...) as DuckDB 1.4.3 gives it (yyjson's RFC 7396 merge patch),
 * as a data engineer folds a Debezium `after` over its `before`, or defaults under a payload:
 * an object patch keeps the target's keys it does not name (in their order, duplicates kept),
 * then adds its own in its order, merged, dropping those it sets to null; any other patch
 * replaces the target. A top-level target that is not an object takes the patch as it is (nulls
 * kept); a NULL target is JSON null; after a NULL patch the next patch is taken as it is, and a
 * NULL last patch makes the answer NULL.
 */
import type { Value } from "../../plan/values.ts";
import { SqlError, type ScalarFn } from "./contract.ts";
import { parseJson, writeJson, type Json } from "./json-text.ts";

type JsonObject = Extract<Json, { t: "obj" }>;

const EMPTY: JsonObject = { t: "obj", entries: [] };

/** Each key's first value, as yyjson's lookup finds it (a Map, so wide objects stay linear). */
function firstValues(obj: JsonObject): Map<string, Json> {
  const m = new Map<string, Json>();
  for (const [k, v] of obj.entries) if (!m.has(k)) m.set(k, v);
  return m;
}

function mergePatch(target: Json | undefined, patch: Json): Json {
  if (patch.t !== "obj") return patch;
  const base: JsonObject = target?.t === "obj" ? target : EMPTY;
  const named = firstValues(patch);
  const known = firstValues(base);
  const entries: [string, Json][] = [];
  for (const [k, v] of base.entries) if (!named.has(k)) entries.push([k, v]);
  for (const [k, v] of patch.entries) {
    if (v.t === "null") continue;
    entries.push([k, mergePatch(known.get(k), v)]);
  }
  return { t: "obj", entries };
}

/** A JSON argument read as DuckDB reads it; text that is not JSON is the cast's Conversion Error. */
function read(v: Value): Json {
  try {
    return parseJson(v as string);
  } catch (e) {
    if (e instanceof SqlError) throw new SqlError("conversion", e.message);
    throw e;
  }
}

const jsonMergePatch: ScalarFn = (args) => {
  // A NULL target is JSON null; a NULL patch leaves nothing, which a later patch replaces as it is
  // (json_merge_patch(a, NULL, b) is b; json_merge_patch(a, b, NULL) is NULL), as DuckDB's loop does.
  let merged: Json | null = args[0] === null ? { t: "null" } : read(args[0]!);
  for (let i = 1; i < args.length; i++) {
    if (args[i] === null) {
      merged = null;
      continue;
    }
    const patch = read(args[i]!);
    // At the top, a target that is not an object takes the patch as it is, nulls and all
    // (json_merge_patch('null', '{"a":null}') is {"a":null}); below it, a missing or non-object value is {}.
    merged = merged?.t === "obj" ? mergePatch(merged, patch) : patch;
  }
  return merged === null ? null : writeJson(merged);
};

export const jsonMergeScalars15: Record<string, ScalarFn> = {
  json_merge_patch: jsonMergePatch,
};
