/**
 * The JSON value an Avro value becomes, as the JSON event parser would give the same event written
 * as JSON text, so DuckDB reads it as it reads that JSON:
 * - int → number; long → number, past 2^53 a bigint (exact, as the JSON path keeps big integers);
 * - double → number, a safe-integral one or NaN/±Infinity a `JsonReal` (DuckDB's reader reads `10.0`
 *   and `NaN` as DOUBLE); float → the shortest decimal that is the same 32-bit float (0.1f is 0.1);
 * - string, enum → string; boolean, null → themselves; record, map → object; array → array;
 * - union → its branch's value (null for a null branch);
 * - bytes, fixed → text as DuckDB prints a BLOB (`\xHH` for bytes outside printable ASCII and for
 *   `\`, `'`, `"`), so `col::BLOB` gives the exact bytes back;
 * - timestamp-millis/-micros/-nanos (and local-) → `YYYY-MM-DD HH:MM:SS.fff` in UTC with 3, 6 or 9
 *   fraction digits, DuckDB's TIMESTAMP text (its JSON reader types it TIMESTAMP; with a `T` and `Z`
 *   it stays VARCHAR); date → `YYYY-MM-DD`; time-millis/-micros → `HH:MM:SS.fff` (3 or 6 digits);
 *   years before 1 as DuckDB writes them (`0044-03-15 (BC)`);
 * - decimal → its exact decimal text (`-12.50` for scale 2); uuid (string or fixed 16) → its text.
 */
import avro from "avsc";
import { JsonReal, MAX_NESTING, NestingError } from "../../edge/duckdb/lossless-json.ts";

/** Avro longs read as exact integers: a number while safe, else a bigint. */
export const exactLong = avro.types.LongType.__with({
  fromBuffer: (buf: Buffer) => {
    const n = buf.readBigInt64LE(0);
    return n >= BigInt(Number.MIN_SAFE_INTEGER) && n <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(n) : n;
  },
  toBuffer: (n: number | bigint) => {
    const buf = Buffer.alloc(8);
    buf.writeBigInt64LE(BigInt(n));
    return buf;
  },
  fromJSON: (n: unknown) => n,
  toJSON: (n: unknown) => n,
  isValid: (n: unknown) => typeof n === "bigint" || Number.isInteger(n),
  compare: (a: number | bigint, b: number | bigint) => (a < b ? -1 : a > b ? 1 : 0),
});

/** The underlying Avro types each logical type annotates; on any other the annotation is ignored, as the spec says. */
const UNDERLYING: Record<string, string[]> = {
  "timestamp-millis": ["long"],
  "timestamp-micros": ["long"],
  "timestamp-nanos": ["long"],
  "local-timestamp-millis": ["long"],
  "local-timestamp-micros": ["long"],
  "local-timestamp-nanos": ["long"],
  date: ["int"],
  "time-millis": ["int"],
  "time-micros": ["long"],
  decimal: ["bytes", "fixed"],
  uuid: ["string", "fixed"],
};

/**
 * A logical type that keeps the underlying value as read; `avroJson` maps it, knowing the annotation.
 * An annotation the spec says to ignore (on another type, a decimal's scale past its precision) is
 * `ignored`: the value maps as its underlying type's.
 */
class Annotated extends avro.types.LogicalType {
  readonly logical: string;
  readonly scale: number;
  readonly ignored: boolean;
  constructor(schema: avro.Schema, opts?: unknown) {
    super(schema, opts);
    const s = schema as { logicalType: string; scale?: unknown; precision?: unknown; size?: unknown };
    this.logical = s.logicalType;
    const under = this.underlyingType.typeName.replace(/^abstract:/, "");
    this.scale = typeof s.scale === "number" ? s.scale : 0;
    const precision = s.precision as number;
    this.ignored =
      !UNDERLYING[this.logical]!.includes(under) ||
      (this.logical === "decimal" && (!Number.isInteger(precision) || precision < 1 || !Number.isInteger(this.scale) || this.scale < 0 || this.scale > precision)) ||
      (this.logical === "uuid" && under === "fixed" && s.size !== 16);
  }
  protected override _fromValue(value: unknown): unknown {
    return value;
  }
  protected override _toValue(value: unknown): unknown {
    return value;
  }
  /**
   * How a writer's `type` reads as this one: its value unchanged when they annotate alike (or the writer's
   * is this one's underlying type); a decimal of a smaller scale, or a time or timestamp of a coarser unit,
   * converted exactly into this one's (as fastavro reads them: the writer's annotation says what the number
   * is); undefined (not resolvable) where the conversion would lose digits. Java's Avro reads the number
   * unchanged under the reader's annotation, so `12.34` written at scale 2 read 1.234 at scale 3.
   */
  protected override _resolve(type: avro.Type): ((value: unknown) => unknown) | undefined {
    const same = (value: unknown) => value;
    if (!(type instanceof Annotated) || type.ignored || this.ignored) {
      return type.typeName === this.typeName || avro.Type.isType(type, this.underlyingType.typeName) ? same : undefined;
    }
    if (this.logical === "decimal" && type.logical === "decimal") {
      if (type.scale === this.scale) return same;
      if (type.scale > this.scale) return undefined;
      const times = 10n ** BigInt(this.scale - type.scale);
      return (value) => twosComplement(unscaledOf(value as Buffer) * times);
    }
    const from = UNIT_DIGITS[type.logical];
    const to = UNIT_DIGITS[this.logical];
    if (from !== undefined && to !== undefined && from.kind === to.kind) {
      if (from.digits === to.digits) return same;
      if (from.digits > to.digits) return undefined;
      const times = 10n ** BigInt(to.digits - from.digits);
      return (value) => BigInt(value as number | bigint) * times;
    }
    return type.logical === this.logical ? same : undefined;
  }
}

/** The fraction digits of a time or timestamp's unit, and which kind of value it is (a UTC or local timestamp read alike: the same number is the same text). */
export const UNIT_DIGITS: Record<string, { kind: "timestamp" | "time"; digits: number }> = {
  "timestamp-millis": { kind: "timestamp", digits: 3 },
  "timestamp-micros": { kind: "timestamp", digits: 6 },
  "timestamp-nanos": { kind: "timestamp", digits: 9 },
  "local-timestamp-millis": { kind: "timestamp", digits: 3 },
  "local-timestamp-micros": { kind: "timestamp", digits: 6 },
  "local-timestamp-nanos": { kind: "timestamp", digits: 9 },
  "time-millis": { kind: "time", digits: 3 },
  "time-micros": { kind: "time", digits: 6 },
};

/** A decimal's unscaled value of its two's-complement big-endian bytes. */
function unscaledOf(bytes: Buffer): bigint {
  let unscaled = 0n;
  for (const b of bytes) unscaled = (unscaled << 8n) | BigInt(b);
  if (bytes.length > 0 && bytes[0]! >= 0x80) unscaled -= 1n << BigInt(bytes.length * 8);
  return unscaled;
}

/** The fewest two's-complement big-endian bytes of `n` (`unscaledOf` reads them back). */
function twosComplement(n: bigint): Buffer {
  let length = 1;
  while (n < -(1n << BigInt(length * 8 - 1)) || n >= 1n << BigInt(length * 8 - 1)) length++;
  const out = Buffer.alloc(length);
  let rest = n < 0n ? n + (1n << BigInt(length * 8)) : n;
  for (let i = length - 1; i >= 0; i--) {
    out[i] = Number(rest & 0xffn);
    rest >>= 8n;
  }
  return out;
}

/**
 * avsc's type hook giving every `long` the exact reader: a name reference (`"long"`) and `{type: "long"}`
 * alike. A logical type's schema reaches the hook twice, first for the logical type (left to avsc),
 * then for its underlying type, built inside the logical type's constructor.
 */
export function exactLongs(): (schema: unknown) => avro.Type | undefined {
  const annotated = new WeakSet<object>();
  return (schema) => {
    if (schema === "long") return exactLong;
    if (typeof schema !== "object" || schema === null || (schema as { type?: unknown }).type !== "long") return undefined;
    const logical = (schema as { logicalType?: unknown }).logicalType;
    if (typeof logical === "string" && Object.hasOwn(UNDERLYING, logical) && !annotated.has(schema)) {
      annotated.add(schema);
      return undefined;
    }
    return exactLong;
  };
}

export const AVRO_LOGICAL_TYPES = Object.fromEntries(Object.keys(UNDERLYING).map((name) => [name, Annotated])) as unknown as Record<string, new (schema: avro.Schema, opts?: unknown) => avro.types.LogicalType>;

/**
 * The JSON value of `value`, an avsc-decoded value of `type`. A record, map or array nested more than
 * `MAX_NESTING` levels deep (a recursive schema) throws `NestingError`, as the same JSON text does.
 */
export function avroJson(type: avro.Type, value: unknown, depth = 0): unknown {
  if (type instanceof Annotated) return logicalJson(type, value, depth);
  switch (type.typeName) {
    case "null":
    case "boolean":
    case "int":
    case "string":
    case "enum":
    case "long":
    case "abstract:long":
      return value;
    case "double":
      return doubleJson(value as number);
    case "float":
      return floatJson(value as number);
    case "bytes":
    case "fixed":
      return blobText(value as Buffer);
    case "array": {
      if (depth === MAX_NESTING) throw new NestingError();
      const items = (type as avro.types.ArrayType).itemsType;
      return (value as unknown[]).map((item) => avroJson(items, item, depth + 1));
    }
    case "map": {
      if (depth === MAX_NESTING) throw new NestingError();
      const values = (type as avro.types.MapType).valuesType;
      return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([key, item]) => [key, avroJson(values, item, depth + 1)]));
    }
    case "union:wrapped": {
      if (value === null) return null;
      const [branch, inner] = Object.entries(value as Record<string, unknown>)[0]!;
      const branchType = (type as avro.types.WrappedUnionType).types.find((t) => t.branchName === branch)!;
      return avroJson(branchType, inner, depth);
    }
    default: {
      if (type instanceof avro.types.RecordType) {
        if (depth === MAX_NESTING) throw new NestingError();
        const record = value as Record<string, unknown>;
        return Object.fromEntries(type.fields.map((field) => [field.name, avroJson(field.type, record[field.name], depth + 1)]));
      }
      throw new Error(`avro: no JSON mapping for Avro type ${type.typeName}`);
    }
  }
}

/** A double as DuckDB's JSON reader would read it written as JSON: an integral or non-finite one is a DOUBLE, not a BIGINT. */
function doubleJson(v: number): unknown {
  if (Number.isNaN(v)) return new JsonReal(NaN, "NaN");
  if (!Number.isFinite(v)) return new JsonReal(v, v > 0 ? "Infinity" : "-Infinity");
  return Number.isSafeInteger(v) ? new JsonReal(v) : v;
}

/** A float as the shortest decimal that reads back as the same 32-bit float (what Java's Float.toString writes). */
function floatJson(v: number): unknown {
  if (!Number.isFinite(v) || v === 0) return doubleJson(v);
  for (let digits = 1; digits <= 9; digits++) {
    const shortest = Number(v.toPrecision(digits));
    if (Math.fround(shortest) === v) return doubleJson(shortest);
  }
  return doubleJson(v);
}

/** Bytes as DuckDB prints a BLOB: printable ASCII as itself, but `\`, `'` and `"`, and every other byte as `\xHH`. */
export function blobText(bytes: Uint8Array): string {
  let text = "";
  for (const b of bytes) {
    text += b >= 0x20 && b <= 0x7e && b !== 0x5c && b !== 0x27 && b !== 0x22 ? String.fromCharCode(b) : `\\x${b.toString(16).toUpperCase().padStart(2, "0")}`;
  }
  return text;
}

function logicalJson(type: Annotated, value: unknown, depth: number): unknown {
  if (type.ignored) return avroJson(type.underlyingType, value, depth);
  switch (type.logical) {
    case "timestamp-millis":
    case "local-timestamp-millis":
      return timestampText(BigInt(value as number | bigint), 3);
    case "timestamp-micros":
    case "local-timestamp-micros":
      return timestampText(BigInt(value as number | bigint), 6);
    case "timestamp-nanos":
    case "local-timestamp-nanos":
      return timestampText(BigInt(value as number | bigint), 9);
    case "date":
      return dateText(value as number);
    case "time-millis":
      return timeText(BigInt(value as number), 3);
    case "time-micros":
      return timeText(BigInt(value as number | bigint), 6);
    case "decimal":
      return decimalText(value as Buffer, type.scale);
    case "uuid":
      return typeof value === "string" ? value : uuidText(value as Buffer);
    default:
      return avroJson(type.underlyingType, value, depth);
  }
}

/** `units` since the epoch (10^digits a second) as DuckDB's TIMESTAMP text. */
function timestampText(units: bigint, digits: number): string {
  const perDay = 86_400n * 10n ** BigInt(digits);
  let days = units / perDay;
  let rest = units % perDay;
  if (rest < 0n) {
    rest += perDay;
    days -= 1n;
  }
  const { date, bc } = civil(Number(days));
  return `${date}${bc ? " (BC)" : ""} ${timeText(rest, digits)}`;
}

/**
 * A time of day (`units` since midnight, 10^digits a second) as `HH:MM:SS.fff`, every fraction digit of
 * the unit written: DuckDB's JSON reader types a column TIMESTAMP or TIME only when every value has the
 * format it detected (a `00:00:00` among `03:04:05.123` made the column VARCHAR).
 */
function timeText(units: bigint, digits: number): string {
  const scale = 10n ** BigInt(digits);
  const seconds = units / scale;
  const fraction = (units % scale).toString().padStart(digits, "0");
  const two = (n: bigint) => n.toString().padStart(2, "0");
  return `${two(seconds / 3600n)}:${two((seconds / 60n) % 60n)}:${two(seconds % 60n)}.${fraction}`;
}

function dateText(days: number): string {
  const { date, bc } = civil(days);
  return bc ? `${date} (BC)` : date;
}

/** The proleptic Gregorian date `days` after 1970-01-01 (Hinnant's civil_from_days); a year ≤ 0 as DuckDB writes it, 1 BC for year 0. */
function civil(days: number): { date: string; bc: boolean } {
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  const bc = year <= 0;
  const pad = (n: number, w: number) => String(n).padStart(w, "0");
  return { date: `${pad(bc ? 1 - year : year, 4)}-${pad(month, 2)}-${pad(day, 2)}`, bc };
}

/** A decimal's unscaled two's-complement big-endian bytes as exact decimal text. */
function decimalText(bytes: Buffer, scale: number): string {
  const unscaled = unscaledOf(bytes);
  const negative = unscaled < 0n;
  const digits = (negative ? -unscaled : unscaled).toString().padStart(scale + 1, "0");
  const text = scale === 0 ? digits : `${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
  return negative ? `-${text}` : text;
}

function uuidText(bytes: Buffer): string {
  const hex = bytes.toString("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
