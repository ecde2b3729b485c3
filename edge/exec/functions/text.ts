/**
 * Any value → the VARCHAR text DuckDB's CAST(x AS VARCHAR) gives, including
 * the nested forms: [1, 2, NULL], {'a': 1, 'b': hello}, {k=v}.
 */
import type { Interval, Value } from "../../plan/values.ts";
import { formatDate, formatTime, formatTimestamp, formatTimestampTz } from "./calendar.ts";
import { formatDecimal, formatDouble, formatFloat } from "./number-text.ts";
import { parseType, type SqlType } from "./types.ts";

/** CAST(v AS VARCHAR) for a non-NULL value of the given type. */
export function valueToText(v: Value, type: string | SqlType): string {
  const t = typeof type === "string" ? parseType(type) : type;
  return render(v, t);
}

function render(v: Value, t: SqlType): string {
  switch (t.kind) {
    case "decimal": return formatDecimal(v as bigint, t.scale, t.width);
    case "enum": return v as string;
    case "list":
    case "array":
      // A list's JSON elements print as their JSON text, never quoted (a STRUCT's JSON fields are).
      if (t.child.kind === "scalar" && t.child.name === "JSON") return `[${(v as Value[]).map((x) => (x === null ? "NULL" : (x as string))).join(", ")}]`;
      return `[${(v as Value[]).map((x) => nested(x, t.child)).join(", ")}]`;
    case "struct": {
      const o = v as { [k: string]: Value };
      return `{${t.fields.map((f) => `${quoteAlways(f.name)}: ${nested(o[f.name] ?? null, f.type)}`).join(", ")}}`;
    }
    case "map":
      return `{${(v as { key: Value; value: Value }[]).map((e) => `${nested(e.key, t.key)}=${nested(e.value, t.value)}`).join(", ")}}`;
    case "scalar":
      switch (t.name) {
        case "BOOLEAN": return v ? "true" : "false";
        case "DOUBLE": return formatDouble(v as number);
        case "FLOAT": return formatFloat(v as number);
        case "DATE": return formatDate(v as number);
        case "TIME": return formatTime(v as bigint);
        case "TIMESTAMP": return formatTimestamp(v as bigint);
        case "TIMESTAMPTZ": return formatTimestampTz(v as bigint);
        case "INTERVAL": return formatInterval(v as Interval);
        case "BLOB": return formatBlob(v as Uint8Array);
        default: return String(v);
      }
  }
}

/** An element inside a LIST/STRUCT/MAP text: NULL, or strings quoted when DuckDB would. */
function nested(v: Value, t: SqlType): string {
  if (v === null) return "NULL";
  const isText = t.kind === "enum" || (t.kind === "scalar" && (t.name === "VARCHAR" || t.name === "JSON"));
  if (isText) return needsQuotes(v as string) ? quoteAlways(v as string) : (v as string);
  // Other scalars by the same rule on their text, as DuckDB 1.4 prints them: a TIMESTAMP
  // ('2024-01-01 10:00:00'), TIME or INTERVAL is quoted for its ':' or space, a DATE is not.
  const text = render(v, t);
  return t.kind === "scalar" || t.kind === "decimal" ? (needsQuotes(text) ? quoteAlways(text) : text) : text;
}

function needsQuotes(s: string): boolean {
  if (s.length === 0) return true;
  if (/^[ \t\n\r\v\f]|[ \t\n\r\v\f]$/.test(s)) return true;
  if (s.toLowerCase() === "null") return true;
  return /[()=',"{}[\]:]/.test(s);
}

function quoteAlways(s: string): string {
  return `'${s.replaceAll("\\", "\\\\").replaceAll("'", "\\'")}'`;
}

function formatBlob(b: Uint8Array): string {
  let out = "";
  for (const byte of b) {
    if (byte >= 32 && byte <= 126 && byte !== 92 && byte !== 39 && byte !== 34) out += String.fromCharCode(byte);
    else out += `\\x${byte.toString(16).toUpperCase().padStart(2, "0")}`;
  }
  return out;
}

/** INTERVAL as DuckDB prints it: 1 year 2 months 3 days 04:05:06.5 */
export function formatInterval(i: Interval): string {
  const parts: string[] = [];
  const years = Math.trunc(i.months / 12);
  const months = i.months - years * 12;
  const unit = (n: number, name: string) => `${n} ${name}${n === 1 || n === -1 ? "" : "s"}`;
  if (years) parts.push(unit(years, "year"));
  if (months) parts.push(unit(months, "month"));
  if (i.days) parts.push(unit(i.days, "day"));
  if (i.micros !== 0n) {
    const neg = i.micros < 0n;
    const abs = neg ? -i.micros : i.micros;
    const h = abs / 3_600_000_000n;
    const rest = formatTime(abs % 3_600_000_000n).slice(2);
    parts.push(`${neg ? "-" : ""}${h.toString().padStart(2, "0")}${rest}`);
  }
  return parts.length ? parts.join(" ") : "00:00:00";
}
