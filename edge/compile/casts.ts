/**
 * Which casts a pipeline can make: the target must be a type the executor holds
 * (`edge/plan/values.ts`), and the pair must be one DuckDB has. Anything else compiled
 * and then failed, or was NULL, on every event at run time (`CAST(x AS BIGNUM)` a
 * dead letter per event, `TRY_CAST(x AS TIMETZ)` a silent NULL), so it is refused here.
 */
import { formatType, parseType, type TypeNode } from "../plan/type-text.ts";

/** The scalar types the executor holds values of (`values.ts`), as DESCRIBE names them. */
const HELD = new Set([
  "BOOLEAN", "TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT",
  "UTINYINT", "USMALLINT", "UINTEGER", "UBIGINT", "UHUGEINT", "FLOAT", "DOUBLE",
  "VARCHAR", "JSON", "UUID", "BLOB", "DATE", "TIME", "TIMESTAMP", "TIMESTAMP WITH TIME ZONE", "INTERVAL",
]);

/** What to write instead of a cast to a type the executor does not hold. */
const INSTEAD: Record<string, string> = {
  BIGNUM: "keep the number as HUGEINT (38 digits), DECIMAL(38,s) or VARCHAR (text keeps every digit)",
  VARINT: "keep the number as HUGEINT (38 digits), DECIMAL(38,s) or VARCHAR (text keeps every digit)",
  "TIME WITH TIME ZONE": "cast to TIME for the time of day, or keep the text; a TIMESTAMPTZ (x::TIMESTAMPTZ) keeps an instant with its offset applied",
  TIME_NS: "cast to TIME (microseconds)",
  TIMESTAMP_S: "it holds timestamps in microseconds: cast to TIMESTAMP instead (date_trunc('second', x::TIMESTAMP) for whole seconds, epoch_ms(x) for the number)",
  TIMESTAMP_MS: "it holds timestamps in microseconds: cast to TIMESTAMP instead (date_trunc('second', x::TIMESTAMP) for whole seconds, epoch_ms(x) for the number)",
  TIMESTAMP_NS: "it holds timestamps in microseconds: cast to TIMESTAMP instead (date_trunc('second', x::TIMESTAMP) for whole seconds, epoch_ms(x) for the number)",
  BIT: "keep the bits as text (VARCHAR) or as an integer, and test them with & and >>",
  UNION: "cast to one of the members' types, or keep a STRUCT with a field per member",
  VARIANT: "cast to JSON, which keeps any value's shape as text",
};

/** DuckDB has no cast from a date or time to a number or BOOLEAN; what gives the number instead. */
const TEMPORAL_NUMBER: Record<string, string> = {
  DATE: "date_diff('day', DATE '1970-01-01', x) for days since 1970, or year(x) * 10000 + month(x) * 100 + day(x) for 20240102",
  TIME: "epoch(x) for seconds since midnight, or hour(x), minute(x), second(x)",
  TIMESTAMP: "epoch(x) for seconds, epoch_ms(x) for milliseconds, epoch_us(x) for microseconds",
  "TIMESTAMP WITH TIME ZONE": "epoch(x) for seconds, epoch_ms(x) for milliseconds, epoch_us(x) for microseconds",
};

const NUMBER_OR_BOOLEAN = new Set(["BOOLEAN", "TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT", "UINTEGER", "UBIGINT", "UHUGEINT", "FLOAT", "DOUBLE"]);

/** The first type inside `t` (itself, an element, a field, a key or value) that the executor does not hold. */
function unheld(t: TypeNode): TypeNode | null {
  switch (t.kind) {
    case "scalar": return HELD.has(t.name) ? null : t;
    case "decimal": return null;
    case "list":
    case "array": return unheld(t.child);
    case "struct":
      for (const f of t.fields) {
        const u = unheld(f.type);
        if (u) return u;
      }
      return null;
    case "map": return unheld(t.key) ?? unheld(t.value);
    case "other": return /^ENUM\(/i.test(t.text) ? null : t;
  }
}

/** A type as the person likely wrote it: DESCRIBE's `TIME WITH TIME ZONE` is `TIMETZ`. */
const SHORT: Record<string, string> = { "TIME WITH TIME ZONE": "TIMETZ" };

/** Whether the executor holds values of DuckDB type `type` (as DESCRIBE prints it), at every depth. */
export function heldByPipeline(type: string): boolean {
  return unheld(parseType(type)) === null;
}

function baseName(t: TypeNode): string {
  const text = formatType(t);
  return /^UNION\(/i.test(text) ? "UNION" : text;
}

/**
 * Why a pipeline cannot cast a `from` value to `to` (both as DESCRIBE prints them), as
 * `{ what, suggestion }` for a CompileError, or null when it can.
 */
export function castRefusal(from: string, to: string, isTry: boolean): { what: string; suggestion: string } | null {
  const fn = isTry ? "TRY_CAST" : "CAST";
  const target = parseType(to);
  const u = unheld(target);
  if (u) {
    const name = baseName(u);
    const inside = formatType(u) === formatType(target) ? "" : ` (in ${to})`;
    return {
      what: `${fn} to ${SHORT[name] ?? name}${inside}`,
      suggestion: `a pipeline holds no ${name} values (it would fail or be NULL on every event); ${INSTEAD[name] ?? "cast to a type the Parquet file can hold (a number, text, a time, a list or a struct of those)"}`,
    };
  }
  const source = parseType(from);
  // Measured on DuckDB 1.4: an ENUM column cast to JSON is its label as it is (`a`, not the JSON string `"a"`), which
  // is no JSON; a JSON object or array cast to BLOB reads its text as BLOB text (`\n` inside a string fails), unlike
  // JSON text anywhere else. The executor answers neither so; each has a clear spelling.
  if (source.kind === "other" && /^ENUM\(/i.test(source.text) && target.kind === "scalar" && target.name === "JSON") {
    return { what: `${fn} from ENUM to JSON`, suggestion: "DuckDB gives the label itself, which is not JSON text; write to_json(x) for the JSON string, or CAST(x AS VARCHAR)" };
  }
  if (source.kind === "scalar" && source.name === "JSON" && target.kind === "scalar" && target.name === "BLOB") {
    return { what: `${fn} from JSON to BLOB`, suggestion: "write encode(CAST(x AS VARCHAR)) for the UTF-8 bytes of the JSON text" };
  }
  if (source.kind === "scalar" && TEMPORAL_NUMBER[source.name] && (target.kind === "decimal" || (target.kind === "scalar" && NUMBER_OR_BOOLEAN.has(target.name)))) {
    return {
      what: `${fn} from ${source.name} to ${formatType(target)}`,
      suggestion: `DuckDB has no such cast (CAST fails on every row, TRY_CAST is always NULL); write ${TEMPORAL_NUMBER[source.name]}`,
    };
  }
  return null;
}
