import { afterAll, describe, expect, test } from "vitest";
import { createSqlRefs } from "./sql-refs.node.ts";

const provider = createSqlRefs();
afterAll(() => provider.close());

const tables = async (code: string) => (await provider.sql(code)).tables;

describe("SQL references from DuckDB's parser", () => {
  test("a plain FROM names its table at the table's offset", async () => {
    expect(await tables("SELECT * FROM turnstile")).toEqual([{ name: "turnstile", offset: 14 }]);
  });

  test("CTE names are not references, but what the CTEs read is", async () => {
    const code = "WITH a AS (SELECT * FROM src), b AS (SELECT * FROM a) SELECT * FROM b JOIN clean c ON b.id = c.id";
    expect(await tables(code)).toEqual([
      { name: "src", offset: code.indexOf("src") },
      { name: "clean", offset: code.indexOf("clean") },
    ]);
  });

  test("subqueries, set operations and lateral joins are walked", async () => {
    const code = "SELECT x FROM t1 WHERE y IN (SELECT y FROM t2) UNION ALL SELECT x FROM t3, LATERAL (SELECT * FROM t4)";
    expect((await tables(code)).map((table) => table.name)).toEqual(["t1", "t2", "t3", "t4"]);
  });

  test("table functions and schema-qualified tables are not cell references", async () => {
    expect(await tables("SELECT * FROM read_parquet('x.parquet'), main.lookup, range(3)")).toEqual([]);
  });

  test("a table read twice is listed once, at its first place", async () => {
    expect(await tables("SELECT * FROM a JOIN a AS b USING (id)")).toEqual([{ name: "a", offset: 14 }]);
  });

  test("offsets count characters, not UTF-8 bytes", async () => {
    const code = "SELECT 'ünïcødé ✓' AS s FROM events";
    expect(await tables(code)).toEqual([{ name: "events", offset: code.indexOf("events") }]);
  });

  test("a syntax error carries DuckDB's message and where it happened", async () => {
    expect(await provider.sql("SELECT a FROM WHERE b")).toEqual({ tables: [], error: { message: 'syntax error at or near "WHERE"', offset: 14 } });
  });

  test("a cell with two statements is an error", async () => {
    expect((await provider.sql("SELECT 1; SELECT 2")).error?.message).toBe("a SQL cell holds one query, this one has 2 statements");
  });

  test("a statement other than a query is an error", async () => {
    expect((await provider.sql("CREATE TABLE x AS SELECT 1")).error).toEqual({
      message: "a SQL cell is one SELECT query (or FROM … SELECT); other statements are not cells",
      offset: 0,
    });
  });

  test("an empty cell has no references and no error", async () => {
    expect(await provider.sql("-- nothing yet")).toEqual({ tables: [], error: null });
  });

  test("the same code is parsed once", async () => {
    expect(provider.sql("SELECT * FROM memo_me")).toBe(provider.sql("SELECT * FROM memo_me"));
  });
});
