import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, test } from "vitest";
import { queryJson, sqlString, withDuckDB } from "../parquet/duckdb-oracle.node.ts";
import { deadLetterKey, decodeDeadLetters, encodeDeadLetters, type DeadLetter } from "./dead-letter.ts";
import { fsSink } from "./fs.node.ts";

const letters: DeadLetter[] = [
  { reason: "json: Unexpected token } at position 12", raw: '{"a": 1,, }', source: "github", at: "2026-11-22T05:06:07.123Z" },
  { reason: 'cast: could not convert "abc" to INTEGER (column entries)', raw: "line one\nline two\u0000 🦆", source: "github", at: "2026-11-22T05:06:08.000Z" },
];

test("dead letters are NDJSON lines {reason, raw, source, at} that decode to the same letters", () => {
  const bytes = encodeDeadLetters(letters);
  const text = new TextDecoder().decode(bytes);
  expect(text.split("\n")).toHaveLength(3);
  expect(text.startsWith('{"reason":"json: Unexpected token } at position 12","raw":"{\\"a\\": 1,, }","source":"github","at":')).toBe(true);
  expect(decodeDeadLetters(bytes)).toEqual(letters);
  expect(() => decodeDeadLetters(new TextEncoder().encode('{"reason":1}\n'))).toThrow("dead-letter: line 1 is not a dead letter");
  expect(() => encodeDeadLetters([{ ...letters[0]!, at: "yesterday" }])).toThrow('dead-letter: "at" must be an ISO 8601 time');
});

test("dead letters land under <prefix>_errors/ where DuckDB reads them as a Hive-partitioned JSON dataset", async () => {
  const key = deadLetterKey({ prefix: "lake/", source: "github", day: "2026-11-22", writer: "do-abc", first: 7, last: 8 });
  expect(key).toBe(`lake/_errors/source=github/day=2026-11-22/do-abc-${"7".padStart(20, "0")}-${"8".padStart(20, "0")}.ndjson`);
  const dir = mkdtempSync(join(tmpdir(), "runnel-dead-"));
  try {
    await fsSink(dir).put(key, encodeDeadLetters(letters), { contentType: "application/x-ndjson" });
    await withDuckDB(async (db) => {
      const rows = await queryJson(
        db,
        `SELECT reason, raw, source, day::VARCHAR AS day FROM read_json(${sqlString(join(dir, "lake/_errors/**/*.ndjson"))}, format = 'newline_delimited', hive_partitioning = true) ORDER BY "at"`,
      );
      expect(rows).toEqual(letters.map((l) => ({ reason: l.reason, raw: l.raw, source: "github", day: "2026-11-22" })));
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a flush of large refused records past V8's longest string still encodes, every letter whole", () => {
  // Six 95 MiB records: 598 million characters of letters, past the ~537 million a V8 string may hold.
  const raw = "x".repeat(95 * 1024 * 1024);
  const many = Array.from({ length: 6 }, (_, i) => ({ reason: `too big ${i}`, raw, source: "logs", at: "2026-12-06T10:00:00.000Z" }));
  const bytes = encodeDeadLetters(many);
  const line = (i: number) => `{"reason":"too big ${i}","raw":"${raw}","source":"logs","at":"2026-12-06T10:00:00.000Z"}\n`;
  expect(bytes.length).toBe(many.reduce((n, _, i) => n + line(i).length, 0));
  const head = new TextDecoder().decode(bytes.subarray(0, 40));
  expect(head).toBe(line(0).slice(0, 40));
  const tail = new TextDecoder().decode(bytes.subarray(bytes.length - 60));
  expect(tail).toBe(line(5).slice(-60));
  expect(bytes.filter((b) => b === 0x0a).length).toBe(6);
});
