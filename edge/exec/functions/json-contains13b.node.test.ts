import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { openDuckDB, type DuckDB } from "../../duckdb/open.node.ts";
import { scalars } from "./index.ts";
import { SqlError } from "./contract.ts";

let db: DuckDB;
beforeAll(async () => {
  db = await openDuckDB({ threads: 1 });
});
afterAll(() => db.close());

const quote = (s: string): string => `'${s.replaceAll("'", "''")}'`;

async function duckdb(sql: string): Promise<string> {
  try {
    return String((await db.read(sql)).getRowsJson()[0]![0]);
  } catch (e) {
    return (e as Error).message.replace(/^duckdb: /, "").split("\n")[0]!;
  }
}

function ours(name: string, args: string[], argTypes: string[]): string {
  try {
    return String(scalars[name]!(args, { argTypes, resultType: "VARCHAR" }));
  } catch (e) {
    return e instanceof SqlError ? e.duckdbText.split("\n")[0]! : String(e);
  }
}

describe("json_contains and unbin: DuckDB's answers and error texts", () => {
  test.each([
    ["{bad", "[bad"],
    ["{bad", "1"],
    ["[1]", "tru"],
    ["[1]", ""],
    ["[1]", " "],
    ['{"a":[1,{"b":[2,3]}]}', '{"b":[3]}'],
  ])("json_contains(%j, %j)", async (h, n) => {
    expect(ours("json_contains", [h, n], ["VARCHAR", "VARCHAR"])).toBe(await duckdb(`SELECT json_contains(${quote(h)}, ${quote(n)})`));
  });

  test.each(["102", " 1", "1é"])("unbin(%j)", async (b) => {
    expect(ours("unbin", [b], ["VARCHAR"])).toBe(await duckdb(`SELECT unbin(${quote(b)})`));
  });
});
