/**
 * A raw JSON event → a row of the pinned scan schema, the way DuckDB's
 * `read_json(..., columns = {...})` converts it: fields by name, missing
 * fields NULL, extra fields ignored, objects into STRUCT, arrays into LIST,
 * text into DATE/TIMESTAMP/numbers by DuckDB's cast from VARCHAR, nested
 * values into VARCHAR/JSON as their JSON text. What DuckDB would reject
 * throws `ConvertError`, which the pipeline turns into a dead letter.
 */
import { JsonReal, REPEATED, RepeatedKeys } from "../duckdb/lossless-json.ts";
import { shown } from "../duckdb/duplicate-keys.ts";
import { parseType, type TypeNode } from "../plan/type-text.ts";
import { jsonKey, type Schema, type Value } from "../plan/values.ts";
import type { SourceFormat } from "../../notebook/format/model.ts";
import { RowError, type CallContext, type FunctionLibrary } from "./functions/contract.ts";
import { parseUuid } from "./functions/cast.ts";
import { writeJsonDouble, writeJsonString } from "./functions/json-text.ts";
import { valueToText } from "./functions/text.ts";
import { repeatedKeysVerdict } from "./repeated-keys.ts";
import { UNROLLED, unrolledReader } from "./unrolled-reader.ts";

export class ConvertError extends RowError {
  override name = "ConvertError";
}

/**
 * A converter met the value of a key its object writes twice (`REPEATED`): DuckDB refuses the
 * record, and the event's converter says which object DuckDB names (`repeatedKeysVerdict`).
 */
class RepeatedKeyRead extends RowError {
  override name = "RepeatedKeyRead";
}

type Converter = (raw: unknown, path: string) => Value;

/**
 * Builds the converter for a whole event. With `reads` (the columns the plan
 * reads), a column outside it whose conversion cannot fail (VARCHAR, JSON:
 * any JSON value has a text) is left NULL unconverted; every other column is
 * still converted, so an event DuckDB's read_json rejects is rejected here too.
 */
export function eventConverter(schema: Schema, lib: FunctionLibrary, reads: ReadonlySet<number> | null = null, format: SourceFormat = "json"): (event: unknown) => Value[] {
  const csv = format === "csv";
  const fields = schema
    .map((c, index) => ({ index, key: jsonKey(c), type: parseType(c.type), text: c.type, format: c.format }))
    .filter((f) => reads === null || reads.has(f.index) || !(f.type.kind === "scalar" && (f.type.name === "VARCHAR" || f.type.name === "JSON")))
    .map((f) => ({ index: f.index, name: f.key, inherited: f.key in Object.prototype, conv: csv ? csvConverter(f.text, f.format, lib) : converterFor(f.type, f.text, lib) }));
  const width = schema.length;
  const n = fields.length;
  // The whole record as JSON (DuckDB's one `json` column for records that are not all objects).
  const whole = schema.findIndex((c) => c.whole === true);
  if (whole !== -1) {
    // Records of one kind of scalar are typed by it (`json` VARCHAR for strings): each converts as a field of that type would.
    const type = parseType(schema[whole]!.type);
    const conv = type.kind === "scalar" && type.name === "JSON" ? null : converterFor(type, schema[whole]!.type, lib);
    return (event) => {
      const row = new Array<Value>(width).fill(null);
      if (event !== null && event !== undefined) row[whole] = conv === null ? jsonText(event) : conv(event, "json");
      return row;
    };
  }
  // Each row starts as a copy of this one: copying a packed array costs a third of `new Array(width).fill(null)`.
  const nulls = new Array<Value>(width).fill(null);
  const read =
    n <= UNROLLED && !fields.some((f) => f.inherited)
      ? unrolledReader(fields, nulls)
      : (o: Record<string, unknown>): Value[] => {
          const row = nulls.slice();
          for (let i = 0; i < n; i++) {
            const f = fields[i]!;
            const v = f.inherited ? ownField(o, f.name) : o[f.name];
            if (v !== undefined && v !== null) row[f.index] = f.conv(v, f.name);
          }
          return row;
        };
  // An event that repeats a key reaches `REPEATED` only where DuckDB reads it into a column;
  // the try costs the common path nothing (V8 optimises it), and only such a read pays for the verdict.
  const refuse = repeatedKeysRefusal(schema, lib);
  // Columns left unread are never looked at, but a key of theirs written twice at the top still
  // makes DuckDB refuse the record: only pipelines that leave a column unread check for it.
  const unread = schema.filter((_, i) => !fields.some((f) => f.index === i)).map(jsonKey);
  if (unread.length === 0) {
    return (event) => {
      // DuckDB's read_json reads a record that is JSON null as a row of NULLs.
      if (event === null) return nulls.slice();
      // A record that is a number written as a real (`-0.0`, `NaN`, `Infinity`: a JsonReal) is no object either.
      if (typeof event !== "object" || Array.isArray(event) || event instanceof JsonReal) {
        throw new ConvertError(`event is ${describe(event)}, not a JSON object: ${valueForReason(event)}`);
      }
      try {
        return read(event as Record<string, unknown>);
      } catch (error) {
        throw error instanceof RepeatedKeyRead ? refuse(event) : error;
      }
    };
  }
  return (event) => {
    if (event === null) return nulls.slice();
    if (typeof event !== "object" || Array.isArray(event) || event instanceof JsonReal) {
      throw new ConvertError(`event is ${describe(event)}, not a JSON object: ${valueForReason(event)}`);
    }
    try {
      const row = read(event as Record<string, unknown>);
      if (event instanceof RepeatedKeys && unread.some((key) => Object.hasOwn(event, key) && (event as unknown as Record<string, unknown>)[key] === REPEATED)) throw new RepeatedKeyRead();
      return row;
    } catch (error) {
      throw error instanceof RepeatedKeyRead ? refuse(event) : error;
    }
  };
}

/**
 * The error for an event DuckDB refuses because an object in it writes a key twice that DuckDB
 * reads into a column: DuckDB's words, prefixed with the field where the object is nested
 * (`field a[0]: Object {"x":1,"x":2} has duplicate key "x"`), or a conversion error DuckDB
 * reports after it (see `repeatedKeysVerdict`).
 */
function repeatedKeysRefusal(schema: Schema, lib: FunctionLibrary): (event: object) => ConvertError {
  const fields = schema.map((c) => ({ key: jsonKey(c), type: parseType(c.type) }));
  const refusal = (t: TypeNode) => {
    const conv = converterFor(t, childText(t), lib);
    return (raw: unknown, path: string): string | null => {
      try {
        conv(raw, path);
        return null;
      } catch (error) {
        if (error instanceof ConvertError) return error.message;
        throw error;
      }
    };
  };
  return (event) => new ConvertError(repeatedKeysVerdict(event, fields, refusal, jsonText) ?? "Object has duplicate key");
}

/**
 * A CSV field's text as `read_csv` with the column's type pinned reads it: DuckDB's CAST from
 * VARCHAR (`" 12 "`, `"007"`, `"1e3"` into an integer; `"T"` into a BOOLEAN), an empty field NULL,
 * and a TIMESTAMPTZ that does not parse NULL too (read_csv's own leniency there). A DATE or
 * TIMESTAMP with the sniffer's `format` (`%d/%m/%Y`) is read by strptime with it. A value that is
 * not text (events made for the check) is first written as a CSV writer would (`csvFieldText`).
 */
function csvConverter(type: string, format: string | undefined, lib: FunctionLibrary): Converter {
  const lenient = type === "TIMESTAMP WITH TIME ZONE" || type === "TIMESTAMPTZ";
  const strptime = lib.scalars.strptime;
  // read_csv's dateformat/timestampformat apply to DATE and TIMESTAMP columns only; a TIMESTAMP WITH
  // TIME ZONE is read by the cast whatever the format (`05/01/2024 10:30` is NULL there, not parsed).
  const read: (text: string) => Value =
    format !== undefined && strptime !== undefined && !lenient
      ? (text) => lib.castValue(strptime([text, format], { argTypes: ["VARCHAR", "VARCHAR"], resultType: "TIMESTAMP" } as CallContext), "TIMESTAMP", type)
      : (text) => lib.castValue(text, "VARCHAR", type);
  return (raw, path) => {
    const text = typeof raw === "string" ? raw : csvFieldText(raw);
    if (text === "") return null;
    try {
      return read(text);
    } catch (error) {
      if (lenient) return null;
      throw new ConvertError(`field ${path}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    }
  };
}

/** A value as a CSV field's text: a string as it is, a number or boolean as JS prints it, a JsonReal as its real, anything else as JSON. */
export function csvFieldText(v: unknown): string {
  if (v === null || v === undefined) return "";
  if (typeof v === "string") return v;
  if (typeof v === "number" || typeof v === "boolean" || typeof v === "bigint") return String(v);
  if (v instanceof JsonReal) return v.text();
  return jsonText(v);
}

/**
 * A key named like something every object inherits (`constructor`, `toString`, `__proto__`): the
 * event's own value or nothing, never the inherited one (an event without a `constructor` field
 * read Object's constructor function and was refused).
 */
function ownField(o: Record<string, unknown>, name: string): unknown {
  return Object.hasOwn(o, name) ? o[name] : undefined;
}

/** A value that did not fit, for a reason: its JSON text as DuckDB's errors show it (the first 50 bytes and `...`). */
function valueForReason(v: unknown): string {
  return shown(jsonText(v));
}

function describe(v: unknown): string {
  if (v === null) return "null";
  if (v instanceof JsonReal) return "a number";
  if (Array.isArray(v)) return "an array";
  return typeof v === "object" ? "an object" : `a ${typeof v}`;
}

/** A type's text for a reason, cut where a STRUCT of hundreds of fields would fill every dead letter. */
function typeForReason(text: string): string {
  return text.length <= 160 ? text : `${text.slice(0, 120)}… (${text.length} characters)`;
}

/**
 * JSON text as DuckDB's JSON type prints a value (compact, no spaces). A number that is not a
 * safe integer is a double and is written as yyjson writes one (`7.5e141`, not JS's `7.5e+141`),
 * and so is a `JsonReal` (the text wrote `10.0`: DuckDB keeps `10.0`).
 */
export function jsonText(v: unknown): string {
  if (typeof v === "bigint") return v.toString();
  // A safe integer is an integer in the text (`-0` too: the event parsers keep `-0.0` as a JsonReal).
  if (typeof v === "number") return Number.isSafeInteger(v) ? String(v + 0) : writeJsonDouble(v);
  if (v instanceof JsonReal) return v.source ?? writeJsonDouble(v.value);
  if (Array.isArray(v)) return `[${v.map(jsonText).join(",")}]`;
  if (v !== null && typeof v === "object") {
    try {
      return `{${Object.entries(v as Record<string, unknown>).map(([k, x]) => `${jsonString(k)}:${jsonText(x)}`).join(",")}}`;
    } catch (error) {
      // An object that writes a key twice met its `REPEATED`: it prints every member, as DuckDB keeps them in a JSON or VARCHAR column.
      if (error instanceof RepeatedKeyRead && v instanceof RepeatedKeys) return `{${RepeatedKeys.members(v).map(([k, x]) => `${jsonString(k)}:${jsonText(x)}`).join(",")}}`;
      throw error;
    }
  }
  if (typeof v === "string") return jsonString(v);
  if (v === REPEATED) throw new RepeatedKeyRead();
  return JSON.stringify(v);
}

/**
 * A string as yyjson writes it: JSON.stringify's escapes, except a control character without a
 * short escape, which DuckDB writes in upper-case hex (`\u001F`; JSON.stringify writes `\u001f`).
 */
function jsonString(s: string): string {
  const quoted = JSON.stringify(s);
  return quoted.includes("\\u") ? writeJsonString(s) : quoted;
}

/**
 * Whether a parsed event has an integer where DuckDB prints the number's text (a VARCHAR, JSON,
 * BLOB or other text-read column, at any depth), so that `10.0` and `10` would differ: only then
 * must an event parser keep reals apart (`parseJsonFast`'s `realsMatter`). A field of a numeric
 * column reads `10.0` and `10` alike, so most events never need the exact parser.
 */
export function integersAtText(schema: Schema): (event: unknown) => boolean {
  // The whole record as JSON: every integer prints as written.
  if (schema.some((c) => c.whole === true)) return holdsInteger;
  const fields = schema.map((c) => ({ name: jsonKey(c), at: integerProbe(parseType(c.type)) })).filter((f) => f.at !== null);
  const probe = (event: unknown): boolean => {
    if (event === null || typeof event !== "object") return false;
    // A top-level array is its elements, each an event.
    if (Array.isArray(event)) return event.some(probe);
    const o = event as Record<string, unknown>;
    for (const f of fields) {
      const v = o[f.name];
      if (v !== undefined && v !== null && f.at!(v)) return true;
    }
    return false;
  };
  return probe;
}

function integerProbe(t: TypeNode): ((v: unknown) => boolean) | null {
  switch (t.kind) {
    case "list":
    case "array": {
      const child = integerProbe(t.child);
      return child && ((v) => Array.isArray(v) && v.some((x) => x !== null && child(x)));
    }
    case "struct": {
      const fields = t.fields.map((f) => ({ name: f.name, at: integerProbe(f.type) })).filter((f) => f.at !== null);
      if (fields.length === 0) return null;
      return (v) => v !== null && typeof v === "object" && !Array.isArray(v) && fields.some((f) => {
        const x = (v as Record<string, unknown>)[f.name];
        return x !== undefined && x !== null && f.at!(x);
      });
    }
    case "map": {
      const value = integerProbe(t.value);
      return value && ((v) => v !== null && typeof v === "object" && Object.values(v as object).some((x) => x !== null && value(x)));
    }
    case "decimal": {
      // Past 2^53 scaled, an integer (exact) and a real of the same value (through DOUBLE) read differently.
      const exactBelow = 2 ** 53 / 10 ** t.scale;
      return (v) => typeof v === "number" && Number.isSafeInteger(v) && Math.abs(v) >= exactBelow;
    }
    case "other":
      return holdsInteger;
    case "scalar":
      return t.name === "VARCHAR" || t.name === "JSON" || t.name === "BLOB" ? holdsInteger : null;
  }
}

function holdsInteger(v: unknown): boolean {
  if (typeof v === "number") return Number.isInteger(v);
  if (v === null || typeof v !== "object") return false;
  return Object.values(v as object).some(holdsInteger);
}

/**
 * A converter's last resort: a number the text wrote as a real (`10.0`, a `JsonReal`) reads like
 * the same number (through `again`, the converter itself), anything else is refused. Reals are
 * rare, so they take the converters' fallback, and the common path pays nothing for them. (Text
 * columns print a JsonReal themselves.)
 */
function lastResort(raw: unknown, path: string, text: string, again: Converter): Value {
  if (raw instanceof JsonReal) return again(raw.value, path);
  if (raw === REPEATED) throw new RepeatedKeyRead();
  throw new ConvertError(`field ${path}: cannot read ${describe(raw)} as ${text}: ${valueForReason(raw)}`);
}

function converterFor(t: TypeNode, text: string, lib: FunctionLibrary): Converter {
  const cast = (v: Value, from: string, path: string): Value => {
    try {
      return lib.castValue(v, from, text);
    } catch (error) {
      throw new ConvertError(`field ${path}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    }
  };
  switch (t.kind) {
    case "list":
    case "array": {
      const child = converterFor(t.child, childText(t.child), lib);
      return (raw, path) => {
        if (raw === null) return null;
        if (!Array.isArray(raw)) {
          if (raw === REPEATED) throw new RepeatedKeyRead();
          throw new ConvertError(`field ${path}: expected an array for ${typeForReason(text)}, got ${describe(raw)}: ${valueForReason(raw)}`);
        }
        return raw.map((x, i) => (x === null || x === undefined ? null : child(x, `${path}[${i}]`)));
      };
    }
    case "struct": {
      const fields = t.fields.map((f) => ({ name: f.name, inherited: f.name in Object.prototype, conv: converterFor(f.type, childText(f.type), lib) }));
      return (raw, path) => {
        if (raw === null) return null;
        if (typeof raw !== "object" || Array.isArray(raw) || raw instanceof JsonReal) {
          if (raw === REPEATED) throw new RepeatedKeyRead();
          throw new ConvertError(`field ${path}: expected an object for ${typeForReason(text)}, got ${describe(raw)}: ${valueForReason(raw)}`);
        }
        const o = raw as Record<string, unknown>;
        const out: { [k: string]: Value } = {};
        for (const f of fields) {
          const v = f.inherited ? ownField(o, f.name) : o[f.name];
          const x = v === undefined || v === null ? null : f.conv(v, `${path}.${f.name}`);
          // A field named `__proto__` is a field, not the object's prototype.
          if (f.name === "__proto__") Object.defineProperty(out, f.name, { value: x, enumerable: true, writable: true, configurable: true });
          else out[f.name] = x;
        }
        return out;
      };
    }
    case "map": {
      const key = converterFor(t.key, childText(t.key), lib);
      const value = converterFor(t.value, childText(t.value), lib);
      const entries = (members: readonly (readonly [string, unknown])[], path: string): Value => members.map(([k, v]) => ({ key: key(k, path), value: v === null ? null : value(v, `${path}.${k}`) }));
      return (raw, path) => {
        if (raw === null) return null;
        if (typeof raw !== "object" || Array.isArray(raw) || raw instanceof JsonReal) {
          if (raw === REPEATED) throw new RepeatedKeyRead();
          throw new ConvertError(`field ${path}: expected an object for ${typeForReason(text)}, got ${describe(raw)}: ${valueForReason(raw)}`);
        }
        try {
          return entries(Object.entries(raw as Record<string, unknown>), path);
        } catch (error) {
          // An object that writes a key twice met its `REPEATED`: a MAP of every member, as DuckDB reads it.
          if (error instanceof RepeatedKeyRead && raw instanceof RepeatedKeys) return entries(RepeatedKeys.members(raw), path);
          throw error;
        }
      };
    }
    case "decimal":
      // A JSON real goes through DOUBLE, as read_json reads it (1e20 into DECIMAL(38,5) keeps the double's error; 5e-324 is 0),
      // and a JSON integer through BIGINT, exactly: 999999999999999 into DECIMAL(18,3) is 999999999999999.000, where the
      // double's product was ...998.976. A safe integer is one the text wrote so (a real written integral, `10.0`, arrives
      // as a JsonReal where it matters, see integerProbe); past 2^53 an integer arrives as a bigint, a real as a number.
      const self: Converter = (raw, path) => {
        if (typeof raw === "number") return Number.isSafeInteger(raw) ? cast(BigInt(raw), "BIGINT", path) : cast(raw, "DOUBLE", path);
        if (raw instanceof JsonReal) return cast(raw.value, "DOUBLE", path);
        if (typeof raw === "bigint") return cast(raw, "HUGEINT", path);
        if (typeof raw === "string") return cast(raw, "VARCHAR", path);
        if (typeof raw === "boolean") return cast(raw, "BOOLEAN", path);
        return lastResort(raw, path, text, self);
      };
      return self;
    case "other":
      return (raw, path) => cast(typeof raw === "string" ? raw : jsonText(raw), "VARCHAR", path);
    case "scalar":
      return scalarConverter(t.name, text, cast);
  }
}

function childText(t: TypeNode): string {
  // Re-printing keeps the exact DuckDB spelling for nested casts.
  return formatTypeText(t);
}

import { formatType as formatTypeText } from "../plan/type-text.ts";

const INT_RANGES: Record<string, [number, number]> = {
  TINYINT: [-128, 127],
  SMALLINT: [-32768, 32767],
  INTEGER: [-2147483648, 2147483647],
  UTINYINT: [0, 255],
  USMALLINT: [0, 65535],
  UINTEGER: [0, 4294967295],
};
const BIG_RANGES: Record<string, [bigint, bigint]> = {
  BIGINT: [-(2n ** 63n), 2n ** 63n - 1n],
  UBIGINT: [0n, 2n ** 64n - 1n],
  HUGEINT: [-(2n ** 127n), 2n ** 127n - 1n],
  UHUGEINT: [0n, 2n ** 128n - 1n],
};

/**
 * A JSON value that is not a string, as read_json writes it into a VARCHAR (or BLOB) column: a double (a
 * fraction, past 2^53, or a `JsonReal`: the text wrote `12.0`) as DuckDB casts a DOUBLE to VARCHAR (1e-05,
 * 1e+16, 12.0), anything else as its JSON text.
 */
function scalarText(raw: unknown): string {
  // NaN and the infinities keep their spelling (`nan`, `-Infinity`), as DuckDB keeps it.
  if (raw instanceof JsonReal) return raw.source ?? valueToText(raw.value, "DOUBLE");
  return typeof raw === "number" && !Number.isSafeInteger(raw) ? valueToText(raw, "DOUBLE") : jsonText(raw);
}

const SPACE = /[ \t\n\v\f\r]/;
const UTF8 = new TextEncoder();

/**
 * Whether read_json takes a JSON string as a number of this kind: it casts strictly, unlike CAST.
 * Integers: spaces around, an optional '-', digits without a leading zero (unless signed), or a
 * whole 0x / 0b literal; no '+', fraction, exponent or '_'. Floats: spaces before only, an optional
 * '-', no leading zero before a digit, the usual decimal and exponent forms, inf/infinity/nan.
 */
export function strictNumberText(s: string, kind: "integer" | "float"): boolean {
  if (kind === "integer" && /^0[xX][0-9a-fA-F]+$|^0[bB][01]+$/.test(s)) return true;
  let i = 0;
  while (i < s.length && SPACE.test(s[i]!)) i++;
  const signed = s[i] === "-";
  if (signed) i++;
  if (!signed && s[i] === "0" && i + 1 < s.length && s.charCodeAt(i + 1) >= 48 && s.charCodeAt(i + 1) <= 57) return false;
  const rest = s.slice(i);
  if (kind === "integer") return /^[0-9]+[ \t\n\v\f\r]*$/.test(rest);
  return /^(?:(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?|inf|infinity|nan)$/i.test(rest);
}

function scalarConverter(name: string, text: string, cast: (v: Value, from: string, path: string) => Value): Converter {
  const notNumber = (raw: string, path: string): ConvertError => new ConvertError(`field ${path}: Failed to cast value to numerical: ${JSON.stringify(raw)}`);
  if (name === "VARCHAR") return (raw) => (typeof raw === "string" ? raw : scalarText(raw));
  if (name === "JSON") {
    return (raw) => jsonText(raw);
  }
  // read_json takes a BLOB as the text's own bytes (no \\x escapes, unlike CAST), anything else as its JSON text.
  if (name === "BLOB") return (raw) => UTF8.encode(typeof raw === "string" ? raw : scalarText(raw));
  const small = INT_RANGES[name];
  if (small) {
    const self: Converter = (raw, path) => {
      // -0.0 reads as 0.
      if (typeof raw === "number" && Number.isInteger(raw) && raw >= small[0] && raw <= small[1]) return raw + 0;
      if (typeof raw === "number") return cast(raw, "DOUBLE", path);
      if (typeof raw === "bigint") return cast(raw, "HUGEINT", path);
      if (typeof raw === "string") {
        if (!strictNumberText(raw, "integer")) throw notNumber(raw, path);
        return cast(raw, "VARCHAR", path);
      }
      if (typeof raw === "boolean") return cast(raw, "BOOLEAN", path);
      return lastResort(raw, path, text, self);
    };
    return self;
  }
  const big = BIG_RANGES[name];
  if (big) {
    // Every safe integer fits a signed type of 64 bits or more; unsigned ones need no sign.
    const signed = big[0] < 0n;
    const self: Converter = (raw, path) => {
      if (typeof raw === "number" && Number.isSafeInteger(raw) && (signed || raw >= 0)) return BigInt(raw);
      if (typeof raw === "bigint" && raw >= big[0] && raw <= big[1]) return raw;
      // An integer the column cannot hold is DuckDB's reader error (2^127 into HUGEINT, -1 into UBIGINT), not a cast's.
      if (typeof raw === "bigint" || (typeof raw === "number" && Number.isSafeInteger(raw))) {
        throw new ConvertError(`field ${path}: Failed to cast value to numerical: ${String(raw)}`);
      }
      if (typeof raw === "number") return cast(raw, "DOUBLE", path);
      if (typeof raw === "string") {
        if (!strictNumberText(raw, "integer")) throw notNumber(raw, path);
        return cast(raw, "VARCHAR", path);
      }
      if (typeof raw === "boolean") return cast(raw, "BOOLEAN", path);
      return lastResort(raw, path, text, self);
    };
    return self;
  }
  if (name === "DOUBLE" || name === "FLOAT") {
    const self: Converter = (raw, path) => {
      if (typeof raw === "number") {
        if (name === "DOUBLE") return raw;
        const f = Math.fround(raw);
        // A finite number past FLOAT's range is DuckDB's error, not an infinity.
        if (!Number.isFinite(f) && Number.isFinite(raw)) throw new ConvertError(`field ${path}: Failed to cast value to numerical: ${raw}`);
        return f;
      }
      // Past 64 bits the reader takes the number's text (a FLOAT past its range is then an infinity, as 1e400 is).
      if (typeof raw === "bigint") return raw < -(2n ** 63n) || raw >= 2n ** 64n ? cast(raw.toString(), "VARCHAR", path) : cast(raw, "HUGEINT", path);
      if (typeof raw === "string") {
        if (!strictNumberText(raw, "float")) throw notNumber(raw, path);
        return cast(raw, "VARCHAR", path);
      }
      if (typeof raw === "boolean") return cast(raw, "BOOLEAN", path);
      return lastResort(raw, path, text, self);
    };
    return self;
  }
  if (name === "BOOLEAN") {
    const self: Converter = (raw, path) => {
      if (typeof raw === "boolean") return raw;
      if (typeof raw === "string") {
        // read_json casts text strictly: t, f, true, false, yes and no in any case; not CAST's 1, 0, y or n.
        if (raw.length === 1 && "01yYnN".includes(raw)) throw notNumber(raw, path);
        return cast(raw, "VARCHAR", path);
      }
      // Any integer reads as whether it is nonzero; a number JSON cannot hold (1e400) fails.
      if (typeof raw === "bigint") {
        if (raw < -(2n ** 63n) || raw >= 2n ** 64n) throw new ConvertError(`field ${path}: Failed to cast value to numerical: ${raw}`);
        return raw !== 0n;
      }
      if (typeof raw === "number" && !Number.isFinite(raw)) throw new ConvertError(`field ${path}: Failed to cast value to numerical: ${raw}`);
      if (typeof raw === "number") return Number.isInteger(raw) ? cast(raw, "BIGINT", path) : cast(raw, "DOUBLE", path);
      return lastResort(raw, path, text, self);
    };
    return self;
  }
  if (name === "UUID") {
    return (raw, path) => {
      const u = typeof raw === "string" ? parseUuid(raw) : null;
      if (u === null) throw new ConvertError(`field ${path}: Could not convert string '${typeof raw === "string" ? raw : jsonText(raw)}' to INT128`);
      return u;
    };
  }
  const self: Converter = (raw, path) => {
    if (typeof raw === "string") return cast(raw, "VARCHAR", path);
    if (typeof raw === "number" && !Number.isFinite(raw)) throw new ConvertError(`field ${path}: cannot read ${raw} as ${text}`);
    if (typeof raw === "number" || typeof raw === "bigint" || typeof raw === "boolean") return cast(String(raw), "VARCHAR", path);
    return lastResort(raw, path, text, self);
  };
  return self;
}

