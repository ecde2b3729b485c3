import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { describeQuery } from "./describe.node.ts";
import { DuckDBError } from "./error.ts";
import { queryRows } from "./query-rows.node.ts";
import { type DuckDB, openDuckDB } from "./open.node.ts";
import { parseSql, SqlError } from "./parse-sql.node.ts";
import { NO_QUERY_LOCATION, positionFromQueryLocation } from "./position.ts";

let db: DuckDB;
beforeAll(async () => {
  db = await openDuckDB({ threads: 1 });
});
afterAll(() => db.close());

async function parseError(sql: string): Promise<SqlError> {
  const error = await parseSql(db, sql).then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(SqlError);
  return error as SqlError;
}

describe("parseSql", () => {
  test("returns DuckDB's own tree of a SELECT", async () => {
    const tree = await parseSql(db, "SELECT a FROM t WHERE b > 1");
    expect(tree.error).toBe(false);
    expect(tree.statements).toHaveLength(1);
    const node = tree.statements[0]!.node;
    expect(node.type).toBe("SELECT_NODE");
    expect(node.from_table).toMatchObject({ type: "BASE_TABLE", table_name: "t" });
    expect(node.where_clause).toMatchObject({ class: "COMPARISON", type: "COMPARE_GREATERTHAN" });
  });

  test("integer constants beyond 2^53 keep every digit", async () => {
    const tree = await parseSql(db, "SELECT 9007199254740993 AS x");
    const item = (tree.statements[0]!.node.select_list as Array<{ value: { value: unknown } }>)[0]!;
    expect(item.value.value).toBe(9007199254740993n);
  });

  test("query_location counts bytes, and positionFromQueryLocation turns it into line and column", async () => {
    const sql = "SELECT 'é🎉' AS x,\n       yy FROM t";
    const tree = await parseSql(db, sql);
    const list = tree.statements[0]!.node.select_list as Array<{ query_location: number }>;
    const at = positionFromQueryLocation(sql, list[1]!.query_location);
    expect(at).toEqual({ offset: sql.indexOf("yy"), line: 2, column: 8 });
    const from = tree.statements[0]!.node.from_table as { query_location: number };
    expect(positionFromQueryLocation(sql, from.query_location)?.offset).toBe(sql.indexOf("t", sql.indexOf("FROM") + 4));
  });

  test("a node without a location says so", async () => {
    const tree = await parseSql(db, "SELECT 1");
    const from = tree.statements[0]!.node.from_table as { type: string; query_location: bigint };
    expect(from.type).toBe("EMPTY");
    expect(from.query_location).toBe(NO_QUERY_LOCATION);
    expect(positionFromQueryLocation("SELECT 1", from.query_location)).toBeNull();
  });

  test("a syntax error carries its line and column, counted past unicode", async () => {
    const error = await parseError("SELECT 'éé🎉',\n  1 FROM FROM x");
    expect(error.message).toBe('duckdb: parser error: syntax error at or near "FROM" at line 2, column 10');
    expect(error.position).toEqual({ offset: 24, line: 2, column: 10 });
    expect(error.errorType).toBe("parser");
  });

  test("an error at the end of the input points past the last character", async () => {
    const error = await parseError("SELECT 1 +");
    expect(error.position).toEqual({ offset: 10, line: 1, column: 11 });
  });

  test("a statement other than SELECT is refused without a place", async () => {
    const error = await parseError("CREATE TABLE x (a INTEGER)");
    expect(error.message).toBe("duckdb: not implemented error: Only SELECT statements can be serialized to json!");
    expect(error.position).toBeNull();
  });

  test("SQL with quotes and backslashes reaches DuckDB unchanged", async () => {
    const tree = await parseSql(db, "SELECT 'it''s \\n' AS \"we\"\"ird\"");
    const item = (tree.statements[0]!.node.select_list as Array<{ alias: string; value: { value: unknown } }>)[0]!;
    expect(item.alias).toBe('we"ird');
    expect(item.value.value).toBe("it's \\n");
  });
});

describe("describeQuery", () => {
  test("gives names and DuckDB's type text without running the query", async () => {
    const schema = await describeQuery(db, "SELECT 1 AS a, {'x y': [1.5]} AS s, error('never runs') AS e");
    expect(schema).toEqual([
      { name: "a", type: "INTEGER" },
      { name: "s", type: 'STRUCT("x y" DECIMAL(2,1)[])' },
      { name: "e", type: "INTEGER" },
    ]);
  });

  test("accepts CTEs, FROM-first queries and a trailing semicolon", async () => {
    expect(await describeQuery(db, "WITH c AS (SELECT 1 AS a) SELECT * FROM c;")).toEqual([{ name: "a", type: "INTEGER" }]);
    expect(await describeQuery(db, "FROM range(2) t(i)")).toEqual([{ name: "i", type: "BIGINT" }]);
  });
});

describe("errors DuckDB raises while binding or running", () => {
  async function failure(run: () => Promise<unknown>): Promise<DuckDBError> {
    const error = await run().then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(DuckDBError);
    return error as DuckDBError;
  }

  test("a binder error in describeQuery points at the column in the caller's SQL, past unicode", async () => {
    const sql = "SELECT 'é🎉' AS a,\n       nope\nFROM range(1)";
    const error = await failure(() => describeQuery(db, sql));
    expect(error.kind).toBe("Binder");
    expect(error.position).toEqual({ offset: sql.indexOf("nope"), line: 2, column: 8 });
    expect(error.message).toMatch(/^duckdb: Binder Error: Referenced column "nope" not found in FROM clause! \(line 2, column 8\)\nCandidate bindings: "range"\n {2}while running: /);
    expect(error.duckdbText).toBe('Binder Error: Referenced column "nope" not found in FROM clause!\nCandidate bindings: "range"');
  });

  test("a conversion error while running carries its type, place and DuckDB's classic text as the cause", async () => {
    const sql = "SELECT 'é', CAST('x' AS INTEGER) AS n";
    const error = await failure(() => queryRows(db, sql));
    expect(error.kind).toBe("Conversion");
    expect(error.detail).toBe("Could not convert string 'x' to INT32");
    expect(error.position?.offset).toBe(sql.indexOf("CAST"));
    expect((error.cause as Error).message).toBe("Conversion Error: Could not convert string 'x' to INT32");
  });

  test("an unknown function or table is a Catalog error at its name", async () => {
    const fn = await failure(() => describeQuery(db, "SELECT foo(1)"));
    expect([fn.kind, fn.position?.column]).toEqual(["Catalog", 8]);
    const table = await failure(() => queryRows(db, "SELECT * FROM missing_table"));
    expect([table.kind, table.position?.column]).toEqual(["Catalog", 15]);
  });

  test("a syntax error found while splitting statements is a Parser error with its place", async () => {
    const error = await failure(() => describeQuery(db, "SELECT 'é' FROM FROM"));
    expect(error.kind).toBe("Parser");
    expect(error.position).toEqual({ offset: 16, line: 1, column: 17 });
  });

  test("an error without a place has none", async () => {
    const error = await failure(() => queryRows(db, "SELECT error('boom') AS x"));
    expect([error.kind, error.detail, error.position]).toEqual(["Invalid Input", "boom", null]);
  });
});
