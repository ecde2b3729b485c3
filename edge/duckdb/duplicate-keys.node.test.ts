import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { parseJson as parseJsonText, type Json } from "../exec/functions/json-text.ts";
import { DuplicateKeyError, parseEventJson, parseJsonFast, parseJsonLossless } from "./lossless-json.ts";
import { openDuckDB } from "./open.node.ts";

type DuckDB = Awaited<ReturnType<typeof openDuckDB>>;
let db: DuckDB;
const dir = mkdtempSync(join(tmpdir(), "runnel-dupkeys-"));
beforeAll(async () => {
  db = await openDuckDB({ threads: 1 });
});
afterAll(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

/** DuckDB's read_json of one record: its rows, or the words after "in line 1: " of its error. */
async function duckdbReads(text: string, n: number): Promise<{ rows: unknown } | { error: string }> {
  const file = join(dir, `r${n}.json`);
  writeFileSync(file, `${text}\n`);
  try {
    return { rows: (await db.read(`SELECT * FROM read_json('${file}', format = 'newline_delimited')`)).getRowObjectsJson() };
  } catch (error) {
    const m = /in line 1: ([\s\S]*?)\n(?:Try increasing|  while running)/.exec((error as Error).message);
    return { error: m ? m[1]! : (error as Error).message };
  }
}

/** Our parsers' answer for one event text: DuckDB's words when they refuse a key written twice. */
function ours(text: string): { error: string } | { value: unknown } {
  const answers = [parseEventJson, (t: string) => parseJsonLossless(t, { duckdb: true })].map((parse) => {
    try {
      return { value: parse(text) };
    } catch (error) {
      if (error instanceof DuplicateKeyError) return { error: error.message };
      throw error;
    }
  });
  expect(answers[1]).toEqual(answers[0]);
  return answers[0]!;
}

describe("an object with a key written twice", () => {
  const refused = [
    '{"a":1,"a":2,"b":"x"}',
    '{"x":{"a":1,"a":2},"b":"x"}',
    '{"a":1,"\\u0061":2}',
    '{"a":[{"k":1,"k":2}]}',
    '{"a" : 1, "a":2}',
    '{ "a" : 1.50 , "b": 1e2, "c":"\\u0061\\/é\\n\\t\\u0001", "d": 123456789012345678901234, "e":-0.0, "f":[1, 2 ,{}], "g":null,"h":true, "a":2, "i": NaN, "j":1E400, "k":0.1, "l":1.0e-7}',
    '{"b":1,"a":1,"a":2,"b":2}',
    '{"a":1,"a":2,"x":{"k":1,"k":2}}',
    '{"x":{"k":1,"k":2},"y":{"m":1,"m":2}}',
    '{"x":{"k":{"q":1,"q":2},"k":{"r":1}}}',
    '{"x":{"a":1,"a":2,"y":{"q":1,"q":2}}}',
    '{"q\\"k":1,"q\\"k":2}',
    '{"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa":1,"a":1,"a":22}',
    '{"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa":1,"a":1,"a":22}',
    '{"a":1,"a":2, "n":9007199254740993}',
    '{"a":1,"a":2,}',
    '{"__proto__":1,"__proto__":2}',
  ];
  test.each(refused)("is refused in DuckDB's words, as read_json refuses it: %s", async (text) => {
    const duck = await duckdbReads(text, refused.indexOf(text));
    expect(duck).toHaveProperty("error");
    expect(ours(text)).toEqual(duck);
    expect(parseJsonFast(text)).toBeUndefined();
  });

  test("text that only looks like a repeated key (a colon after a quote in a string, space before a colon) is read", async () => {
    const texts = ['{"a":"\\":","b":1}', '{"a":"x : y"}', '{"a" : 1, "b" : "\\":"}', '{"a":{"a":1},"b":[{"a":1},{"a":2}]}', '{"s":"\\"a\\":1,\\"a\\":2"}'];
    for (const [i, text] of texts.entries()) {
      expect(await duckdbReads(text, 100 + i)).toHaveProperty("rows");
      expect(ours(text)).toEqual({ value: JSON.parse(text) });
      expect(parseJsonFast(text)).toEqual(JSON.parse(text));
    }
  });

  test("half a surrogate pair is refused before a repeated key, as DuckDB reads the text before its keys", () => {
    expect(() => parseEventJson('{"s":"\\ud800","a":1,"a":2}')).toThrow(SyntaxError);
  });
});

/** Whether any object in `j` repeats a key (the reference: a reader that keeps every entry). */
function repeats(j: Json): boolean {
  if (j.t === "arr") return j.items.some(repeats);
  if (j.t !== "obj") return false;
  const keys = j.entries.map(([k]) => k);
  return new Set(keys).size !== keys.length || j.entries.some(([, v]) => repeats(v));
}

test("random JSON: the event parsers refuse it exactly when an object repeats a key", () => {
  // Few key names, strings full of quotes and colons, whitespace around colons: what fools a count of `":`.
  const key = fc.constantFrom("a", "b", '\\":', "a\\\\", " :", "\\u0061");
  const space = fc.constantFrom("", " ", "\n", "\t ");
  const value = fc.letrec((tie) => ({
    v: fc.oneof({ depthSize: "small" }, fc.constantFrom('"x"', '"\\":"', '": "', "1", "null", '"a\\\\"'), tie("o"), tie("l")),
    o: fc.array(fc.tuple(key, space, space, tie("v")), { maxLength: 4 }).map((es) => `{${es.map(([k, s1, s2, v]) => `"${k}"${s1}:${s2}${v}`).join(",")}}`),
    l: fc.array(tie("v"), { maxLength: 3 }).map((vs) => `[${vs.join(",")}]`),
  }));
  fc.assert(
    fc.property(value.o, (text) => {
      const expected = repeats(parseJsonText(text));
      let refused = false;
      try {
        parseEventJson(text);
      } catch (error) {
        if (!(error instanceof DuplicateKeyError)) throw error;
        refused = true;
      }
      expect(refused).toBe(expected);
      if (!expected) expect(parseJsonFast(text)).toEqual(JSON.parse(text));
    }),
    { numRuns: 3000 },
  );
});
