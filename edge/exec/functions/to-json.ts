/**
 * Any value → JSON text, as DuckDB's CAST(x AS JSON) / to_json write it:
 * STRUCT and MAP as objects, LIST as arrays, numbers as JSON numbers (DOUBLE
 * in the JSON writer's form, FLOAT widened to double), DECIMAL via double,
 * temporal values and intervals as their VARCHAR text in quotes.
 */
import type { Value } from "../../plan/values.ts";
import { parseJson, writeJson, writeJsonDouble, writeJsonString } from "./json-text.ts";
import { formatDecimal } from "./number-text.ts";
import { valueToText } from "./text.ts";
import { isIntegerType, parseType, type SqlType } from "./types.ts";

export function valueToJson(v: Value, type: string | SqlType): string {
  const t = typeof type === "string" ? parseType(type) : type;
  if (v === null) return "null";
  switch (t.kind) {
    case "list":
    case "array":
      return `[${(v as Value[]).map((x) => valueToJson(x, t.child)).join(",")}]`;
    case "struct": {
      const o = v as Record<string, Value>;
      return `{${t.fields.map((f) => `${writeJsonString(f.name)}:${valueToJson(o[f.name] ?? null, f.type)}`).join(",")}}`;
    }
    case "map":
      return `{${(v as { key: Value; value: Value }[]).map((e) => `${writeJsonString(e.key === null ? "null" : valueToText(e.key, t.key))}:${valueToJson(e.value, t.value)}`).join(",")}}`;
    case "decimal":
      return writeJsonDouble(Number(formatDecimal(v as bigint, t.scale)));
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
