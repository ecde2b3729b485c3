/**
 * The function library the executor calls: scalars keyed by the
 * function_name DuckDB's json_serialize_sql prints, aggregates, casts and
 * DuckDB's ordering. See contract.ts.
 */
import type { ScalarRegistry } from "./contract.ts";
import { binScalars13b } from "./bin13b.ts";
import { bytesTextScalars } from "./bytes-text.ts";
import { datetimeScalars } from "./datetime.ts";
import { extraScalars } from "./extra.ts";
import { graphemeScalars15 } from "./graphemes15.ts";
import { jsonScalars } from "./json.ts";
import { jsonContainsScalars13 } from "./json-contains13.ts";
import { jsonMergeScalars15 } from "./json-merge15.ts";
import { mathScalars } from "./math.ts";
import { nestedScalars } from "./nested.ts";
import { numericScalars } from "./numeric.ts";
import { patternScalars } from "./pattern.ts";
import { payloadIdScalars15 } from "./payload-ids15.ts";
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
  ...jsonContainsScalars13,
  ...nestedScalars,
  ...datetimeScalars,
  ...extraScalars,
  ...bytesTextScalars,
  ...binScalars13b,
  ...mathScalars,
  ...payloadIdScalars15,
  ...graphemeScalars15,
  ...jsonMergeScalars15,
};
