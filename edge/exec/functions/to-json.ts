/**
 * Any value → JSON text, as DuckDB's CAST(x AS JSON) / to_json write it:
 * STRUCT and MAP as objects, LIST as arrays, numbers as JSON numbers (DOUBLE
 * in the JSON writer's form, FLOAT widened to double), DECIMAL up to 15 digits
 * via double and wider as its exact text, temporal values and intervals as
 * their VARCHAR text in quotes.
 */
import type { Value } from "../../plan/values.ts";
import { parseJson, writeJson, writeJsonDouble, writeJsonString } from "./json-text.ts";
import { formatDecimal } from "./number-text.ts";
import { valueToText } from "./text.ts";
import { isIntegerType, parseType, type SqlType } from "./types.ts";

/**
 * CAST(x AS JSON). DuckDB's JSON writer has no case for a few top-level types, and for them the
 * cast is the VARCHAR cast, its text taken for JSON as it is (measured on DuckDB 1.4.3): a LIST of
 * JSON (`['"a"'::JSON, NULL]::JSON` is `["a", NULL]`, which is not even valid JSON), an ENUM
 * (`x`, unquoted) and TIMESTAMP_S / _MS / _NS (`2024-01-01 00:00:00`, unquoted). Inside a STRUCT,
 * a LIST or a MAP, and in to_json, they are written as JSON (`toJsonText`).
 */
export function valueToJson(v: Value, type: string | SqlType): string {
  const t = typeof type === "string" ? parseType(type) : type;
  if (v !== null && castsAsText(t)) return valueToText(v, t);
  return toJsonText(v, t);
}

function castsAsText(t: SqlType): boolean {
  if (t.kind === "enum") return true;
  if (t.kind === "list") return t.child.kind === "scalar" && t.child.name === "JSON";
  return t.kind === "scalar" && (t.name === "TIMESTAMP_S" || t.name === "TIMESTAMP_MS" || t.name === "TIMESTAMP_NS");
}

/** to_json(x), and the values json_object / json_array write: JSON at every depth. */
export function toJsonText(v: Value, type: string | SqlType): string {
  const t = typeof type === "string" ? parseType(type) : type;
  if (v === null) return "null";
  switch (t.kind) {
    case "list":
    case "array":
      return `[${(v as Value[]).map((x) => toJsonText(x, t.child)).join(",")}]`;
    case "struct": {
      const o = v as Record<string, Value>;
      return `{${t.fields.map((f) => `${writeJsonString(f.name)}:${toJsonText(o[f.name] ?? null, f.type)}`).join(",")}}`;
    }
    case "map":
      return `{${(v as { key: Value; value: Value }[]).map((e) => `${writeJsonString(e.key === null ? "null" : valueToText(e.key, t.key))}:${toJsonText(e.value, t.value)}`).join(",")}}`;
    case "decimal":
      // DuckDB writes a DECIMAL of up to 15 digits as the DOUBLE nearest it (`1.10` is 1.1) and a
      // wider one as its VARCHAR text, digits and scale kept (`1.10`, `-.500` for DECIMAL(18,18)).
      return t.width > 15 ? formatDecimal(v as bigint, t.scale, t.width) : writeJsonDouble(Number(formatDecimal(v as bigint, t.scale)));
    case "enum":
      return writeJsonString(v as string);
    case "scalar":
      switch (t.name) {
        case "JSON": return writeJson(parseJson(v as string));
        case "VARCHAR": case "UUID": return writeJsonString(v as string);
        case "BOOLEAN": return v ? "true" : "false";
        case "DOUBLE": case "FLOAT": return writeJsonDouble(v as number);
        default:
          if (isIntegerType(t.name)) return String(v);
          return writeJsonString(valueToText(v, t));
      }
  }
}
