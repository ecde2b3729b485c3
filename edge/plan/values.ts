/**
 * How DuckDB values are held in JavaScript everywhere rows travel between
 * the executor, the sinks, the Parquet writer and the check. A column's
 * DuckDB type (from DESCRIBE) travels beside the rows in a `Schema`, so a
 * value never has to say what it is.
 *
 *   BOOLEAN                         boolean
 *   TINYINT SMALLINT INTEGER        number
 *   UTINYINT USMALLINT UINTEGER     number
 *   BIGINT UBIGINT HUGEINT UHUGEINT bigint
 *   FLOAT DOUBLE                    number (NaN and ±Infinity allowed)
 *   DECIMAL(p,s)                    bigint, the unscaled value (12.34 as DECIMAL(4,2) is 1234n)
 *   VARCHAR JSON UUID ENUM          string
 *   BLOB                            Uint8Array
 *   DATE                            number, days since 1970-01-01
 *   TIME                            bigint, microseconds since midnight
 *   TIMESTAMP TIMESTAMPTZ           bigint, microseconds since 1970-01-01 00:00:00 UTC
 *   INTERVAL                        { months: number, days: number, micros: bigint }
 *   T[] (LIST)                      Value[]
 *   STRUCT(...)                     { [field]: Value } in declared field order
 *   MAP(K, V)                       Array<{ key: Value, value: Value }>
 *   NULL of any type                null
 */
export type Interval = { months: number; days: number; micros: bigint };

export type Value =
  | null
  | boolean
  | number
  | bigint
  | string
  | Uint8Array
  | Interval
  | Value[]
  | { [field: string]: Value };

export type Row = Record<string, Value>;

/**
 * New rows of the given columns, all NULL, each a copy of one template: every
 * column is an own property however it is named (`__proto__` too, which an
 * assignment to `{}` would take as the prototype), and the rows share one shape.
 */
export function rowFactory(names: string[]): () => Row {
  const template: Row = Object.fromEntries(names.map((n) => [n, null]));
  return () => ({ ...template });
}

export interface Column {
  name: string;
  /** DuckDB's type text, exactly as DESCRIBE prints it, e.g. `STRUCT(a INTEGER, b VARCHAR[])`. */
  type: string;
  /**
   * A source column only: the events' top-level key it reads, when DuckDB's JSON reader named the
   * column otherwise (keys that differ only in case, `id` and `ID`, become columns `id` and `ID_1`).
   */
  key?: string;
  /**
   * A DATE or TIMESTAMP column of a CSV source only: the strptime format read_csv's sniffer found
   * its fields in (`%d/%m/%Y`), when it is not ISO 8601, which a plain cast reads.
   */
  format?: string;
  /**
   * A source column only: the whole record as JSON. DuckDB's JSON reader makes one column `json`
   * of each record's text when the records are not all objects (scalars, arrays, or a mix).
   */
  whole?: boolean;
}

/** The JSON key a source column reads from each event. */
export function jsonKey(column: Column): string {
  return column.key ?? column.name;
}

export type Schema = Column[];
