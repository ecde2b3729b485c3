/**
 * The function library the executor uses by default: the scalar functions,
 * aggregates, casts and comparisons of `functions/`, as one object.
 */
import type { FunctionLibrary } from "./functions/contract.ts";
import * as functions from "./functions/index.ts";

export const defaultLibrary: FunctionLibrary = {
  scalars: functions.scalars,
  aggregates: functions.aggregates,
  castValue: functions.castValue,
  tryCastValue: functions.tryCastValue,
  castFor: functions.castFor,
  tryCastFor: functions.tryCastFor,
  compareValues: functions.compareValues,
  valueKey: functions.valueKey,
};
