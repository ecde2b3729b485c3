import { describe, expect, it } from "vitest";
import { configureSession, existsFromListing, explainMissingExtension, missingExtension, quoteIdent, readSqlError, stripTrailingSemicolons, withoutMissingFunction } from "./sql.ts";

describe("readSqlError", () => {
  const sql = "SELECT station\nFROM per_minute\nGROUP BY station\nORDER BY BY entries";

  it("reads DuckDB-WASM's JSON error and puts the position on the cell's line", () => {
    const position = sql.indexOf("BY entries");
    const raw = JSON.stringify({ exception_type: "Parser", exception_message: 'syntax error at or near "BY"\n\nLINE 4: ORDER BY BY entries\n                 ^', position: String(position) });
    expect(readSqlError(raw, sql)).toEqual({ message: 'Parser Error: syntax error at or near "BY"', line: 4, column: 10 });
  });

  it("subtracts the view wrapper from the position", () => {
    const prefix = 'CREATE OR REPLACE VIEW "x" AS '.length;
    const raw = JSON.stringify({ exception_type: "Parser", exception_message: "syntax error", position: String(prefix + sql.indexOf("GROUP")) });
    expect(readSqlError(raw, sql, prefix)).toMatchObject({ line: 3, column: 1 });
  });

  it("falls back to the LINE marker of a plain message, and to no line at all", () => {
    expect(readSqlError('Binder Error: column "x" not found\n\nLINE 2: FROM t', sql)).toEqual({ message: 'Binder Error: column "x" not found', line: 2, column: null });
    expect(readSqlError("Conversion Error: could not convert", sql, Number.POSITIVE_INFINITY)).toEqual({ message: "Conversion Error: could not convert", line: null, column: null });
  });
});

describe("sql helpers", () => {
  it("quotes identifiers and strips trailing semicolons", () => {
    expect(quoteIdent('a"b')).toBe('"a""b"');
    expect(stripTrailingSemicolons("SELECT 1;\n ;  \n")).toBe("SELECT 1");
  });
});

describe("extensions DuckDB-WASM lacks", () => {
  it("names the extension behind a failed autoload, a catalog miss and ICU's TIMESTAMPTZ overloads and casts", () => {
    expect(missingExtension("Extension Autoloading Error: An error occurred while trying to automatically install the required extension 'icu':\nExtension \"http://x/duckdb-extensions/v1.4.3/wasm_eh/icu.duckdb_extension.wasm\" could not be loaded")).toBe("icu");
    expect(missingExtension('Catalog Error: Scalar Function with name "json_extract" is not in the catalog, but it exists in the json extension.')).toBe("json");
    expect(missingExtension('Catalog Error: Type with name "JSON" is not in the catalog, but it exists in the json extension.')).toBe("json");
    expect(missingExtension("Binder Error: No function matches the given name and argument types '+(TIMESTAMP WITH TIME ZONE, INTERVAL)'. You might need to add explicit type casts.")).toBe("icu");
    expect(missingExtension("Conversion Error: Unimplemented type for cast (TIMESTAMP WITH TIME ZONE -> DATE)")).toBe("icu");
    expect(missingExtension("Binder Error: No function matches the given name and argument types 'abs(VARCHAR)'.")).toBeNull();
    expect(missingExtension("Conversion Error: Could not convert string 'x' to INT32")).toBeNull();
  });

  it("a cell's error says the extension is missing here and that the gateway's DuckDB runs such a cell, without DuckDB's INSTALL advice", () => {
    const raw = JSON.stringify({
      exception_type: "Catalog",
      exception_message: 'Scalar Function with name "json_extract" is not in the catalog, but it exists in the json extension.\n\nPlease try installing and loading the json extension by running:\nINSTALL json;\nLOAD json;\n\nAlternatively, consider enabling auto-install and auto-load by running:\nSET autoinstall_known_extensions=1;\nSET autoload_known_extensions=1;',
    });
    const { message } = readSqlError(raw, "SELECT json_extract(j, '$.a') FROM t");
    expect(message).toMatch(/^Catalog Error: Scalar Function with name "json_extract" is not in the catalog, but it exists in the json extension\.\n\nThe notebook's in-browser DuckDB has no json extension/);
    expect(message).toContain("a notebook opened from its gateway runs such a cell there; a shared snapshot has no gateway to run it on.");
    expect(message).not.toContain("runnel check");
    expect(message).not.toContain("INSTALL");
    expect(explainMissingExtension("Binder Error: x")).toBe("Binder Error: x");
  });
});

describe("configureSession", () => {
  const fake = () => {
    const statements: string[] = [];
    const conn = {
      query: async (sql: string) => {
        statements.push(sql);
        return { toArray: () => (sql.startsWith("SELECT version()") ? [{ v: "v1.4.3", p: "wasm_eh" }] : []) };
      },
    };
    return { conn, statements };
  };

  it("points the extension repository at the app's server and loads nothing it does not serve", async () => {
    const { conn, statements } = fake();
    const asked: string[] = [];
    const loaded = await configureSession(conn, "http://gw:8080/s/abc/", async (url) => (asked.push(url), false));
    expect(loaded).toEqual([]);
    expect(statements).toContain("SET autoload_known_extensions = false");
    expect(statements).toContain("SET custom_extension_repository = 'http://gw:8080/duckdb-extensions'");
    expect(asked).toEqual(["http://gw:8080/duckdb-extensions/v1.4.3/wasm_eh/icu.duckdb_extension.wasm", "http://gw:8080/duckdb-extensions/v1.4.3/wasm_eh/json.duckdb_extension.wasm"]);
    expect(statements.some((s) => s.startsWith("LOAD") || s.includes("TimeZone"))).toBe(false);
  });

  it("loads an extension the server has, icu with the pipeline's TimeZone UTC", async () => {
    const { conn, statements } = fake();
    const loaded = await configureSession(conn, "http://gw/", async (url) => url.endsWith("icu.duckdb_extension.wasm"));
    expect(loaded).toEqual(["icu"]);
    expect(statements.slice(-2)).toEqual(["LOAD icu", "SET TimeZone = 'UTC'"]);
  });
});

describe("existsFromListing", () => {
  it("asks once for the folder's listing instead of once per extension, and finds only the files it lists", async () => {
    const asked: string[] = [];
    const exists = existsFromListing(async (url) => (asked.push(url), Response.json(["icu.duckdb_extension.wasm"])));
    const { conn, statements } = (() => {
      const statements: string[] = [];
      return { statements, conn: { query: async (sql: string) => (statements.push(sql), { toArray: () => (sql.startsWith("SELECT version()") ? [{ v: "v1.4.3", p: "wasm_eh" }] : []) }) } };
    })();
    expect(await configureSession(conn, "http://gw:8080/s/abc/", exists)).toEqual(["icu"]);
    expect(asked).toEqual(["http://gw:8080/duckdb-extensions/v1.4.3/wasm_eh/index.json"]);
    expect(statements).toContain("LOAD icu");
    expect(statements).not.toContain("LOAD json");
  });

  it("loads nothing when the listing cannot be read, and says so in a warning", async () => {
    const warnings: unknown[] = [];
    const warn = console.warn;
    console.warn = (error: unknown) => void warnings.push(error);
    try {
      const exists = existsFromListing(async () => new Response("no", { status: 404 }));
      expect(await exists("http://gw/duckdb-extensions/v1.4.3/wasm_eh/icu.duckdb_extension.wasm")).toBe(false);
      expect(await exists("http://gw/duckdb-extensions/v1.4.3/wasm_eh/json.duckdb_extension.wasm")).toBe(false);
    } finally {
      console.warn = warn;
    }
    expect(warnings.map((w) => `${(w as Error).message}: ${((w as Error).cause as Error).message}`)).toEqual([
      "duckdb: cannot read which extensions the app serves; loading none: http://gw/duckdb-extensions/v1.4.3/wasm_eh/index.json answered 404",
    ]);
  });
});

describe("withoutMissingFunction", () => {
  const type = 'Catalog Error: Type with name "JSON" is not in the catalog, but it exists in the json extension.';

  it("reads a cast to JSON as one to VARCHAR, so the cell's tables can be read and the cell goes to the gateway", () => {
    expect(withoutMissingFunction("SELECT j::JSON AS j, CAST(x AS json) AS y, TRY_CAST(z AS JSON[]) FROM json_events", type)).toBe(
      "SELECT j::VARCHAR AS j, CAST(x AS VARCHAR) AS y, TRY_CAST(z AS VARCHAR[]) FROM json_events",
    );
  });
});
