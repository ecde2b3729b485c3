import { DuckDBArrayValue, DuckDBBitValue, DuckDBBlobValue, DuckDBDateValue, DuckDBDecimalValue, DuckDBIntervalValue, DuckDBListValue, DuckDBMapValue, DuckDBStructValue, DuckDBTimeNSValue, DuckDBTimeTZValue, DuckDBTimeValue, DuckDBTimestampMillisecondsValue, DuckDBTimestampNanosecondsValue, DuckDBTimestampSecondsValue, DuckDBTimestampTZValue, DuckDBTimestampValue, DuckDBUUIDValue, DuckDBUnionValue } from "./node-api.node.ts";
import type { DuckDBValue } from "@duckdb/node-api";
import type { Value } from "../plan/values.ts";

/** DuckDB's +infinity TIMESTAMP, in microseconds (what DuckDB stores: 2^63 - 1). */
export const TIMESTAMP_INFINITY = 2n ** 63n - 1n;
/** DuckDB's -infinity TIMESTAMP, in microseconds (-(2^63 - 1)). */
export const TIMESTAMP_NEG_INFINITY = -TIMESTAMP_INFINITY;
/** DuckDB's +infinity DATE, in days (2^31 - 1). */
export const DATE_INFINITY = 2 ** 31 - 1;
/** DuckDB's -infinity DATE, in days (-(2^31 - 1)). */
export const DATE_NEG_INFINITY = -DATE_INFINITY;

/**
 * Converts one value as @duckdb/node-api returns it into the representation
 * of `edge/plan/values.ts`. Beyond the types listed there:
 *   TIMESTAMP_S, TIMESTAMP_MS  bigint microseconds (widened; infinities map to TIMESTAMP's)
 *   TIMESTAMP_NS               bigint nanoseconds (its own unit, so nothing is lost)
 *   TIME_NS                    bigint nanoseconds since midnight
 *   TIME WITH TIME ZONE        { micros: bigint, offset: number } (offset in seconds east of UTC)
 *   ARRAY (fixed size)         Value[]
 *   UNION                      { tag: string, value: Value }
 *   BIT                        string of 0s and 1s, as DuckDB prints it
 *   BIGNUM (VARINT)            bigint
 * ±infinity DATE and TIMESTAMP values are held as DuckDB stores them (the
 * constants above), which keeps their order and round-trips through Parquet.
 */
export function toValue(value: DuckDBValue): Value {
  switch (typeof value) {
    case "boolean":
    case "number":
    case "bigint":
    case "string":
      return value;
  }
  if (value === null) return null;
  if (value instanceof DuckDBListValue || value instanceof DuckDBArrayValue) return value.items.map(toValue);
  if (value instanceof DuckDBStructValue) {
    const out: { [field: string]: Value } = {};
    for (const [field, item] of Object.entries(value.entries)) out[field] = toValue(item);
    return out;
  }
  if (value instanceof DuckDBMapValue) return value.entries.map((e) => ({ key: toValue(e.key), value: toValue(e.value) }));
  if (value instanceof DuckDBDecimalValue) return value.value;
  if (value instanceof DuckDBDateValue) return value.days;
  if (value instanceof DuckDBTimestampValue || value instanceof DuckDBTimestampTZValue) return value.micros;
  if (value instanceof DuckDBTimestampSecondsValue) return widen(value.seconds, 1_000_000n);
  if (value instanceof DuckDBTimestampMillisecondsValue) return widen(value.millis, 1_000n);
  if (value instanceof DuckDBTimestampNanosecondsValue) return value.nanos;
  if (value instanceof DuckDBTimeValue) return value.micros;
  if (value instanceof DuckDBTimeNSValue) return value.nanos;
  if (value instanceof DuckDBTimeTZValue) return { micros: value.micros, offset: value.offset };
  if (value instanceof DuckDBIntervalValue) return { months: value.months, days: value.days, micros: value.micros };
  if (value instanceof DuckDBBlobValue) return new Uint8Array(value.bytes);
  if (value instanceof DuckDBUUIDValue) return value.toString();
  if (value instanceof DuckDBBitValue) return value.toString();
  if (value instanceof DuckDBUnionValue) return { tag: value.tag, value: toValue(value.value) };
  throw new Error(`duckdb: no conversion for a value of class ${(value as object).constructor.name}`);
}

function widen(units: bigint, factor: bigint): bigint {
  if (units === TIMESTAMP_INFINITY) return TIMESTAMP_INFINITY;
  if (units === TIMESTAMP_NEG_INFINITY) return TIMESTAMP_NEG_INFINITY;
  return units * factor;
}
