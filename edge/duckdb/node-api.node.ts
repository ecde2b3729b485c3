/**
 * @duckdb/node-api, loaded so that text keeps a leading U+FEFF. The package decodes every
 * VARCHAR with one module-wide `new TextDecoder()`, whose default drops a byte order mark at the
 * start, where DuckDB keeps it (`hex(s)` is `EFBBBF…`): the check then compared the pipeline's
 * exact text with DuckDB's answer missing a character and refused correct pipelines. The
 * package is required here, once, while `TextDecoder` defaults to `ignoreBOM: true`, and every
 * module takes its values from this file (types may still come from the package), so no
 * static import evaluates the package first.
 */
import { createRequire } from "node:module";
import type * as NodeApi from "@duckdb/node-api";

function load(): typeof NodeApi {
  const Original = globalThis.TextDecoder;
  globalThis.TextDecoder = class KeepByteOrderMark extends Original {
    constructor(label?: string, options?: TextDecoderOptions) {
      super(label, { ...options, ignoreBOM: true });
    }
  };
  try {
    return createRequire(import.meta.url)("@duckdb/node-api") as typeof NodeApi;
  } finally {
    globalThis.TextDecoder = Original;
  }
}

const api = load();

export const {
  DuckDBInstance, DuckDBArrayValue, DuckDBBitValue, DuckDBBlobValue, DuckDBDateValue, DuckDBDecimalValue, DuckDBIntervalValue, DuckDBListValue, DuckDBMapValue, DuckDBStructValue, DuckDBTimeNSValue, DuckDBTimeTZValue, DuckDBTimeValue, DuckDBTimestampMillisecondsValue, DuckDBTimestampNanosecondsValue, DuckDBTimestampSecondsValue, DuckDBTimestampTZValue, DuckDBTimestampValue, DuckDBUUIDValue, DuckDBUnionValue, timestampValue,
} = api;

// The classes as types too, under the same names.
export type DuckDBInstance = NodeApi.DuckDBInstance;
export type DuckDBArrayValue = NodeApi.DuckDBArrayValue;
export type DuckDBBitValue = NodeApi.DuckDBBitValue;
export type DuckDBBlobValue = NodeApi.DuckDBBlobValue;
export type DuckDBDateValue = NodeApi.DuckDBDateValue;
export type DuckDBDecimalValue = NodeApi.DuckDBDecimalValue;
export type DuckDBIntervalValue = NodeApi.DuckDBIntervalValue;
export type DuckDBListValue = NodeApi.DuckDBListValue;
export type DuckDBMapValue = NodeApi.DuckDBMapValue;
export type DuckDBStructValue = NodeApi.DuckDBStructValue;
export type DuckDBTimeNSValue = NodeApi.DuckDBTimeNSValue;
export type DuckDBTimeTZValue = NodeApi.DuckDBTimeTZValue;
export type DuckDBTimeValue = NodeApi.DuckDBTimeValue;
export type DuckDBTimestampMillisecondsValue = NodeApi.DuckDBTimestampMillisecondsValue;
export type DuckDBTimestampNanosecondsValue = NodeApi.DuckDBTimestampNanosecondsValue;
export type DuckDBTimestampSecondsValue = NodeApi.DuckDBTimestampSecondsValue;
export type DuckDBTimestampTZValue = NodeApi.DuckDBTimestampTZValue;
export type DuckDBTimestampValue = NodeApi.DuckDBTimestampValue;
export type DuckDBUUIDValue = NodeApi.DuckDBUUIDValue;
export type DuckDBUnionValue = NodeApi.DuckDBUnionValue;
