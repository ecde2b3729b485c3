/**
 * Avro container files written by fastavro (Python), a writer independent of avsc, in each codec
 * Avro's spec names that exporters use (null, deflate, snappy, zstandard), with small blocks and a
 * second writer schema in the same folder, one file gzipped whole: a backfill over them writes what
 * DuckDB answers over the same events as NDJSON (the events' JSON written by hand, as in avro14).
 */
import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, expect, test } from "vitest";
import { parseNotebook } from "../../notebook/format/parse.ts";
import { EVENTS, SCHEMA, SELECT } from "../../tests/runner/avro14-orders.ts";
import { ensureFastavro } from "../../tests/servers/pyarrow.ts";
import { compilePlan } from "../compile/compile.ts";
import { gatherCompileInputs } from "../compile/inputs.node.ts";
import { loadJsonTexts, openDuckDB } from "../duckdb/index.node.ts";
import { runnelWriter } from "../parquet/runnel.ts";
import { openSink, parseSinkOverride } from "./open-sink.ts";
import { listInputs, readEvents } from "./read-inputs.ts";
import { runFiles } from "./run-files.ts";

const dir = mkdtempSync(join(tmpdir(), "runnel-fastavro-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let python: string;
beforeAll(async () => {
  python = await ensureFastavro();
}, 300_000);

/** The four avro14 orders as Python values (fastavro picks each union's branch by the value), and an older schema's two. */
const SCRIPT = String.raw`
import json, sys
from decimal import Decimal
import fastavro

schema = json.loads(sys.argv[2])
out = sys.argv[1]
orders = [
  {"id": 2**60 + 1, "name": "Zürich 🚀", "note": None, "price": 10.0, "ratio": 0.1, "raw": bytes([0, 0x61, 0x5c, 0x27, 0xff]), "ts": 1704164645123, "tsu": 1704164645123456, "day": 19724, "amount": Decimal("-12.34"), "uid": "123e4567-e89b-12d3-a456-426614174000", "kind": "PAID", "tags": ["a", "b"], "qty": {"apple": 2, "🍐": 2**62}, "addr": {"city": "Köln", "zip": None}},
  {"id": -(2**63), "name": "", "note": "l'été \"chaud\"", "price": 1.5, "ratio": -2.5, "raw": b"", "ts": -1, "tsu": -1, "day": -1, "amount": Decimal("0.05"), "uid": "00000000-0000-0000-0000-000000000000", "kind": "NEW", "tags": [], "qty": {}, "addr": None},
  {"id": 0, "name": "日本語", "note": "", "price": -0.25, "ratio": 3.4028234663852886e38, "raw": b"plain", "ts": 0, "tsu": 0, "day": 0, "amount": Decimal("99999.99"), "uid": "ffffffff-ffff-ffff-ffff-ffffffffffff", "kind": "SHIPPED", "tags": ["ü", "", "x y"], "qty": {"n": -5}, "addr": {"city": "São Paulo", "zip": 1310}},
  {"id": 9007199254740993, "name": "tab\there", "note": None, "price": 123456789.125, "ratio": 1e-7, "raw": b'"', "ts": 253402300799999, "tsu": 1, "day": 2932896, "amount": Decimal("-21474836.48"), "uid": "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11", "kind": "PAID", "tags": ["only"], "qty": {"k": 9007199254740993}, "addr": {"city": "", "zip": -1}},
]
parsed = fastavro.parse_schema(schema)
for codec in ["null", "deflate", "snappy", "zstandard"]:
  with open(f"{out}/orders-{codec}.avro", "wb") as f:
    # sync_interval 1: a block per record, so every codec's block boundaries are crossed.
    fastavro.writer(f, parsed, orders, codec=codec, sync_interval=1)
big = f"{out}/../big"
import os
os.makedirs(big, exist_ok=True)
for codec in ["deflate", "snappy", "zstandard"]:
  with open(f"{big}/{codec}.avro", "wb") as f:
    # Blocks of 16 KB, whose repeats snappy writes as copies.
    fastavro.writer(f, parsed, orders * 150, codec=codec)
old = {"type": "record", "name": "Order", "namespace": "shop", "fields": [{"name": "id", "type": "long"}, {"name": "name", "type": "string"}, {"name": "legacy", "type": ["null", "long"]}]}
with open(f"{out}/orders-old.avro", "wb") as f:
  fastavro.writer(f, fastavro.parse_schema(old), [{"id": 5, "name": "old one", "legacy": 1}, {"id": 6, "name": "old two", "legacy": None}], codec="snappy")
`;

const NOTEBOOK = `---
sources:
  orders:
    webhook: { signature: none }
    format: json
sinks:
  lake:
    fs: { dir: out }
---

\`\`\`sql id=clean sink=lake
${SELECT}
\`\`\`
`;

const shown = (rows: unknown[][]) => JSON.stringify(rows, (_, v) => (typeof v === "bigint" ? v.toString() : v));

test("Avro files fastavro writes (null, deflate, snappy, zstandard; another writer schema; one gzipped) backfill as DuckDB reads the same events as NDJSON", { timeout: 120_000 }, async () => {
  const exports = join(dir, "exports");
  mkdirSync(exports);
  await promisify(execFile)(python, ["-c", SCRIPT, exports, JSON.stringify(SCHEMA)]);
  // One export gzipped whole, as some jobs copy them (`.avro.gz`).
  writeFileSync(join(exports, "orders-gzip.avro.gz"), gzipSync(readFileSync(join(exports, "orders-null.avro"))));
  rmSync(join(exports, "orders-null.avro"));
  const names = ["orders-gzip.avro.gz", "orders-deflate.avro", "orders-snappy.avro", "orders-zstandard.avro", "orders-old.avro"];
  for (const [i, name] of names.entries()) utimesSync(join(exports, name), 1_700_000_000 + i, 1_700_000_000 + i);

  const { notebook } = parseNotebook(NOTEBOOK, "orders.md");
  const texts = EVENTS.map((e) => e.json);
  const db = await openDuckDB({ threads: 1 });
  try {
    await loadJsonTexts(db, "orders", texts);
    const plan = compilePlan(await gatherCompileInputs(db, notebook));
    const out = join(dir, "lake");
    const spec = parseSinkOverride(`fs:${out}`, notebook.sinks.lake!);
    const inputs = await listInputs(join(exports, "*.avro*"));
    expect(inputs.map((f) => f.path.slice(exports.length + 1))).toEqual(names);
    const result = await runFiles({ plan, inputs: { orders: inputs }, targets: { lake: { spec, opened: openSink(spec) } }, parquet: runnelWriter });
    expect({ events: result.events, rows: result.rows, deadLetters: result.deadLetters }).toEqual({ events: 18, rows: 18, deadLetters: 0 });

    const old = ['{"id": 5, "name": "old one", "legacy": 1}', '{"id": 6, "name": "old two", "legacy": null}'];
    const ndjson = join(dir, "expected.ndjson");
    writeFileSync(ndjson, [...texts, ...texts, ...texts, ...texts, ...old].join("\n") + "\n");
    await db.run(`CREATE TABLE expected AS SELECT * FROM read_json('${ndjson}')`);
    const expected = (await db.read(`SELECT * FROM (${SELECT.replace(/FROM orders$/, "FROM expected")}) ORDER BY ALL`)).getRows();
    const written = (await db.read(`SELECT * FROM read_parquet('${out}/**/*.parquet') ORDER BY ALL`)).getRows();
    expect(written).toHaveLength(18);
    expect(shown(written)).toBe(shown(expected));

    // Larger blocks read the same in every codec.
    const read = async (codec: string) => {
      const events: unknown[] = [];
      for await (const batch of readEvents({ path: join(dir, "big", `${codec}.avro`), mtimeMs: 0, format: "avro" }, 1000)) events.push(...batch);
      return shown([events]);
    };
    const deflated = await read("deflate");
    expect(JSON.parse(deflated)[0]).toHaveLength(600);
    expect(await read("snappy")).toBe(deflated);
    expect(await read("zstandard")).toBe(deflated);
  } finally {
    db.close();
  }
});
