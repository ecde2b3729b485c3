/** Quotes a name for DuckDB SQL ("a""b"). */
export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** A string literal for DuckDB SQL ('it''s'). */
export function quoteString(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

/** The cell's SQL without trailing semicolons and whitespace, so it can be wrapped in a view. */
export function stripTrailingSemicolons(sql: string): string {
  return sql.replace(/[\s;]+$/u, "");
}

interface DuckDBErrorJson {
  exception_type?: string;
  exception_message?: string;
  position?: string;
}

/**
 * A DuckDB error as a cell shows it: "Parser Error: ..." and the 1-based line in the cell's SQL,
 * with the 1-based column on that line where DuckDB gives a position (the editor underlines the
 * token there).
 */
export interface SqlProblem {
  message: string;
  line: number | null;
  column: number | null;
}

/**
 * Reads a DuckDB error. DuckDB-WASM throws the error as JSON text
 * (`{"exception_type":"Parser","exception_message":"...","position":"186"}`);
 * other paths give "Parser Error: ... LINE 8: ...". `position` is a character
 * offset into the statement that ran, which is the cell's SQL after `prefix`
 * characters of wrapping (say, `CREATE OR REPLACE VIEW x AS `).
 */
export function readSqlError(raw: string, sql: string, prefix = 0): SqlProblem {
  let message = raw;
  let position: number | null = null;
  if (raw.startsWith("{")) {
    let parsed: DuckDBErrorJson | null = null;
    try {
      parsed = JSON.parse(raw) as DuckDBErrorJson;
    } catch (error) {
      if (!(error instanceof SyntaxError)) throw error;
    }
    if (parsed?.exception_message !== undefined) {
      message = `${parsed.exception_type ?? "DuckDB"} Error: ${parsed.exception_message}`;
      if (parsed.position !== undefined && /^\d+$/.test(parsed.position)) position = Number(parsed.position) - prefix;
    }
  }
  // The "LINE n: ..." excerpt repeats the source; the editor marks the line instead.
  message = explainMissingExtension(message.replace(/\n+LINE \d+:[\s\S]*$/, "").trim());
  let line: number | null = null;
  let column: number | null = null;
  if (position !== null && position >= 0 && position <= sql.length) {
    const before = sql.slice(0, position);
    line = before.split("\n").length;
    column = position - (before.lastIndexOf("\n") + 1) + 1;
  } else {
    const match = /LINE (\d+):/.exec(raw);
    if (match !== null) line = Number(match[1]);
  }
  return { message, line, column };
}

/** What each extension DuckDB-WASM may lack gives a cell, in the words the cell's note uses. */
const EXTENSIONS: Record<string, string> = {
  icu: "time zones: TIMESTAMPTZ functions, casts and arithmetic, AT TIME ZONE, named zones",
  json: "the JSON type and functions (->, ->>, json_extract, to_json, from_json, CAST ... AS JSON)",
};

/**
 * The extension a DuckDB error says the notebook's DuckDB-WASM lacks, or null: a function, type
 * or setting that "exists in the X extension", an autoload of X that failed, and ICU's
 * TIMESTAMPTZ overloads and casts, which core DuckDB does not have.
 */
export function missingExtension(message: string): string | null {
  const named = /exists in the (\w+) extension|required extension '(\w+)'/.exec(message);
  if (named !== null) return named[1] ?? named[2] ?? null;
  if (/Unimplemented type for cast \((TIMESTAMP WITH TIME ZONE -> \w|[\w ]+ -> TIMESTAMP WITH TIME ZONE\))/.test(message)) return "icu";
  if (/No function matches the given name and argument types '[^']*TIMESTAMP WITH TIME ZONE/.test(message)) return "icu";
  return null;
}

/**
 * The SQL with the function DuckDB named as missing from an extension swapped for a core one, or
 * null when `message` is not such an error. DuckDB-WASM's `getTableNames` looks every function up
 * in its catalog, so a cell using `->>` or `json_extract_string` fails it without the json
 * extension; the tables a query reads do not depend on its functions, so the swapped text gives
 * the same table names. `->` and `->>` (DuckDB's json_extract and json_extract_string) become
 * `||`; a named function call becomes `concat(`.
 */
export function withoutMissingFunction(sql: string, message: string): string | null {
  if (missingExtension(message) === null) return null;
  // A cast to JSON (`x::JSON`, `CAST(x AS JSON)`, `JSON[]`) names a type this DuckDB has not got; the
  // tables do not depend on it either. Left failing, the cell never reached the gateway, and its note
  // said that a notebook opened from its gateway runs such a cell there.
  const type = /Type with name "?([^"\s]+?)"? is not in the catalog/.exec(message);
  if (type !== null) return sql.replace(new RegExp(`(::\\s*|\\bAS\\s+)${escapeRegExp(type[1]!)}(?![\\w$])`, "gi"), "$1VARCHAR");
  const named = /Function with name "?([^"\s]+?)"? is not in the catalog/.exec(message);
  if (named === null) return null;
  const name = named[1]!;
  if (name === "->>" || name === "->" || (/^json_extract(_string)?$/.test(name) && sql.includes("->"))) return sql.replace(/->>?/g, "||");
  return sql.replace(new RegExp(`(?<![\\w$])${escapeRegExp(name)}(?=\\s*\\()`, "gi"), "concat");
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/**
 * A cell's error message with a note when the failure is an extension the browser's DuckDB has
 * not got (see `missingExtension`). DuckDB's advice to INSTALL it or enable autoloading is
 * dropped: the notebook cannot follow it, and the pipeline does not need it.
 */
export function explainMissingExtension(message: string): string {
  const extension = missingExtension(message);
  if (extension === null) return message;
  const what = EXTENSIONS[extension] ?? "functions this DuckDB build does not include";
  const base = message.replace(/\n+Please try installing and loading[\s\S]*$/, "").trim();
  // `runnel check` runs only the cells that feed a sink, and prints counts, not rows: the gateway is where this cell's rows come from.
  return `${base}\n\nThe notebook's in-browser DuckDB has no ${extension} extension (${what}), so it cannot run this cell itself. The gateway's DuckDB has it${extension === "icu" ? " (with TimeZone UTC, as the pipeline's)" : ""}: a notebook opened from its gateway runs such a cell there; a shared snapshot has no gateway to run it on.`;
}

/**
 * How DuckDB-WASM hands query results to the app. BIGINT stays Int64 (a `bigint`, which `toRows`
 * turns into a number where that is exact): DuckDB-WASM's `castBigIntToDouble` rounds an id past
 * 2^53 (1234567890123456789 shows as 1234567890123456800) and, inside a LIST, STRUCT or
 * STRUCT[], hands out the Int64's bits read as a double (`[1, 2]::BIGINT[]` as
 * `[5e-324, 1e-323]`). TIMESTAMP stays a timestamp, not a Date64.
 */
export const QUERY_CONFIG = { castBigIntToDouble: false, castTimestampToDate: false } as const;

/** Where the app looks for DuckDB extensions: its own server, never DuckDB's CDN. */
export function extensionRepository(baseUrl: string): string {
  return new URL("/duckdb-extensions", baseUrl).href;
}

/**
 * `configureSession`'s `exists`, answered from the listing of the extension's folder
 * (`<repository>/<version>/<platform>/index.json`, a JSON list of the files the app is deployed
 * with, `[]` for none; the gateway always serves it), read once per folder. Asking for each
 * extension instead answered 404 for every one the app does not ship: two errors in the browser's
 * console on every page open. A listing that cannot be read is said in a warning and counts as empty.
 */
export function existsFromListing(get: (url: string) => Promise<Response>): (url: string) => Promise<boolean> {
  const listings = new Map<string, Promise<string[]>>();
  return async (url) => {
    const file = new URL(url);
    const index = new URL("index.json", file).href;
    let listing = listings.get(index);
    if (listing === undefined) {
      listing = get(index)
        .then(async (response) => {
          if (!response.ok) throw new Error(`${index} answered ${response.status}`);
          const files: unknown = await response.json();
          if (!Array.isArray(files) || !files.every((f) => typeof f === "string")) throw new Error(`${index} is not a list of file names`);
          return files as string[];
        })
        .catch((cause: unknown) => {
          console.warn(new Error("duckdb: cannot read which extensions the app serves; loading none", { cause }));
          return [];
        });
      listings.set(index, listing);
    }
    return (await listing).includes(file.pathname.slice(file.pathname.lastIndexOf("/") + 1));
  };
}

/** What `configureSession` needs of a DuckDB-WASM connection. */
export interface SessionConnection {
  query(sql: string): Promise<{ toArray(): unknown[] }>;
}

/**
 * Sets up the notebook's DuckDB-WASM session like the pipeline's DuckDB. Extension autoloading is
 * off, and the extension repository is the app's server (`extensionRepository`): DuckDB-WASM
 * still loads icu on its own for a TIMESTAMPTZ function (`hour(ts)`, `date_trunc('day', ts)`)
 * whatever `autoload_known_extensions` says, and from DuckDB's CDN by default — with the browser's
 * time zone. Where the server has an extension (`exists`, true for a file it serves), it is loaded
 * here, and with icu the session's TimeZone is UTC, as in `runnel check` and the pipeline.
 * Answers the extensions loaded.
 */
export async function configureSession(conn: SessionConnection, baseUrl: string, exists: (url: string) => Promise<boolean>): Promise<string[]> {
  await conn.query("SET autoload_known_extensions = false");
  await conn.query("SET autoinstall_known_extensions = false");
  const repository = extensionRepository(baseUrl);
  await conn.query(`SET custom_extension_repository = ${quoteString(repository)}`);
  const row = (await conn.query("SELECT version() AS v, (SELECT platform FROM pragma_platform()) AS p")).toArray()[0] as { toJSON?: () => unknown } | undefined;
  const { v: version, p: platform } = (row?.toJSON ? row.toJSON() : row) as { v: string; p: string };
  const loaded: string[] = [];
  for (const extension of ["icu", "json"]) {
    // Ask first: a failed fetch inside DuckDB-WASM is not always a clean error.
    if (!(await exists(`${repository}/${version}/${platform}/${extension}.duckdb_extension.wasm`).catch(() => false))) continue;
    try {
      await conn.query(`LOAD ${extension}`);
      loaded.push(extension);
    } catch (error) {
      console.warn(new Error(`duckdb: the app serves the ${extension} extension but DuckDB-WASM could not load it`, { cause: error }));
    }
  }
  if (loaded.includes("icu")) await conn.query("SET TimeZone = 'UTC'");
  return loaded;
}
