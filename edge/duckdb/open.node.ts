import { DuckDBInstance } from "./node-api.node.ts";
import type { DuckDBConnection, DuckDBResultReader, DuckDBValue } from "@duckdb/node-api";
import { duckdbError } from "./error.ts";

/** One native DuckDB database (in memory) and its connection. */
export interface DuckDB {
  readonly connection: DuckDBConnection;
  /** Runs statements for their effect; a failure is a `DuckDBError` (`duckdb: ...`) naming the statement and, when DuckDB says, the place. */
  run(sql: string): Promise<void>;
  /** Runs one statement and reads its whole result. */
  read(sql: string, values?: DuckDBValue[]): Promise<DuckDBResultReader>;
  close(): void;
}

export interface OpenOptions {
  /** Worker threads; DuckDB's default is one per core. */
  threads?: number;
}

/**
 * Opens an in-memory DuckDB configured like the notebook's: extensions are
 * never fetched (json and parquet are built into @duckdb/node-api; anything
 * else fails at once instead of reaching for the network), and the session
 * time zone is UTC so TIMESTAMPTZ text and casts do not depend on the machine.
 * Errors are `DuckDBError`s carrying DuckDB's error type and position.
 */
export async function openDuckDB(options: OpenOptions = {}): Promise<DuckDB> {
  const config: Record<string, string> = {
    autoinstall_known_extensions: "false",
    autoload_known_extensions: "false",
  };
  if (options.threads !== undefined) {
    if (!Number.isInteger(options.threads) || options.threads < 1) {
      throw new Error(`duckdb: threads must be a positive integer, got ${options.threads}`);
    }
    config.threads = String(options.threads);
  }
  const instance = await DuckDBInstance.create(":memory:", config);
  const connection = await instance.connect();
  const db: DuckDB = {
    connection,
    async run(sql) {
      try {
        await connection.run(sql);
      } catch (error) {
        throw duckdbError(error, sql);
      }
    },
    async read(sql, values) {
      try {
        return await connection.runAndReadAll(sql, values);
      } catch (error) {
        throw duckdbError(error, sql);
      }
    },
    close() {
      connection.closeSync();
      instance.closeSync();
    },
  };
  // errors_as_json: DuckDB reports an error's type and position as data (see error.ts).
  await connection.run("SET errors_as_json = true");
  await db.run("SET TimeZone = 'UTC'");
  return db;
}
