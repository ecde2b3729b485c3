import { DuckDBInstance, type DuckDBConnection, type DuckDBResultReader, type DuckDBValue } from "@duckdb/node-api";

/** One native DuckDB database (in memory) and its connection. */
export interface DuckDB {
  readonly connection: DuckDBConnection;
  /** Runs statements for their effect; errors are prefixed `duckdb:` and name the statement. */
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
  await db.run("SET TimeZone = 'UTC'");
  return db;
}

/** Wraps an error from DuckDB with the subsystem prefix and the statement it came from. */
export function duckdbError(error: unknown, sql: string): Error {
  const message = error instanceof Error ? error.message : String(error);
  return new Error(`duckdb: ${message}\n  while running: ${abbreviate(sql)}`, { cause: error });
}

function abbreviate(sql: string): string {
  const flat = sql.replace(/\s+/g, " ").trim();
  return flat.length > 200 ? `${flat.slice(0, 200)}…` : flat;
}
