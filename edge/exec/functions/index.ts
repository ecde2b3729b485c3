/**
 * The function library the executor calls: scalars keyed by the
 * function_name DuckDB's json_serialize_sql prints, aggregates, casts and
 * DuckDB's ordering. See contract.ts.
 */
import type { ScalarRegistry } from "./contract.ts";
import { bytesTextScalars } from "./bytes-text.ts";
import { datetimeScalars } from "./datetime.ts";
import { extraScalars } from "./extra.ts";
import { jsonScalars } from "./json.ts";
import { mathScalars } from "./math.ts";
import { nestedScalars } from "./nested.ts";
import { numericScalars } from "./numeric.ts";
import { patternScalars } from "./pattern.ts";
import { stringScalars } from "./strings.ts";

export { aggregates } from "./aggregates.ts";
export { castFor, castValue, tryCastFor, tryCastValue } from "./cast.ts";
export { compareValues, valueKey } from "./compare.ts";
export { SqlError } from "./contract.ts";
export type { AggregateFn, CallContext, ScalarFn, SqlErrorCode } from "./contract.ts";
export { valueToText } from "./text.ts";

export const scalars: ScalarRegistry = {
  ...numericScalars,
  ...stringScalars,
  ...patternScalars,
  ...jsonScalars,
  ...nestedScalars,
  ...datetimeScalars,
  ...extraScalars,
  ...bytesTextScalars,
  ...mathScalars,
};
