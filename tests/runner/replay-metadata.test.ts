/**
 * A replayed dead letter of a Kafka source with `metadata:` writes the row the live run of the
 * fixed bundle writes for that record: `_key`, `_timestamp`, `_partition`, `_offset`, `_topic` and
 * `_headers` included (they were NULL: the letter kept only the value). Real broker, the bundled
 * runner, `runnel run --replay`, DuckDB reading the Parquet back.
 */
import { spawnSync } from "node:child_process";
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Kafka, logLevel } from "kafkajs";
import { describe, expect, test } from "vitest";
import { openDuckDB } from "../../edge/duckdb/index.node.ts";
import { decodeDeadLetters } from "../../edge/sinks/dead-letter.ts";
import { listInputs } from "../../edge/runner/read-inputs.ts";
import { kafka as kafkaConfig } from "../servers/config.ts";
import { runnel, startBundledRunner, uniqueName } from "./harness.ts";

const topic = uniqueName("replay-metadata");

const notebook = (amount: string) => `---
title: Paid
sources:
  ev:
    kafka: { topic: ${topic}, brokers: ["${kafkaConfig.brokers[0]}"], metadata: true }
    format: json
sinks:
  out:
    fs: { dir: out, prefix: ev/ }
---

\`\`\`sql id=paid sink=out
SELECT id, ${amount} AS amount, _key, _timestamp, _partition, _offset, _topic, _headers FROM ev
\`\`\`
`;

/** A sample as the notebook showed it: every metadata column present, so DuckDB infers their documented types. */
const sample = [
  { id: 1, amount: "5", _key: "k", _timestamp: "2026-01-01 00:00:00.000", _partition: 0, _offset: 0, _topic: topic, _headers: [{ key: "trace", value: "t" }] },
  { id: 2, amount: "7", _key: null, _timestamp: "2026-01-01 00:00:01.500", _partition: 1, _offset: 3, _topic: topic, _headers: [] },
];

function cli(args: string[]) {
  const r = spawnSync(process.execPath, [runnel, ...args], { encoding: "utf8", timeout: 180_000 });
  return { status: r.status, out: r.stdout, err: r.stderr };
}

async function publish(dir: string, name: string, text: string): Promise<string> {
  await writeFile(join(dir, `${name}.md`), text);
  const r = cli(["publish", join(dir, `${name}.md`), "--out", join(dir, `dist-${name}`), "--sample", `ev=${join(dir, "sample.ndjson")}`]);
  expect(r.status, r.out + r.err).toBe(0);
  return join(dir, `dist-${name}`, name);
}

/** Every column of the Parquet rows under `dir`, as DuckDB reads them, as text (ordered by id). */
async function rowsOf(dir: string): Promise<Record<string, string | null>[]> {
  const db = await openDuckDB({ threads: 1 });
  try {
    const reader = await db.read(`SELECT COLUMNS(*)::VARCHAR FROM read_parquet('${dir}/**/*.parquet') ORDER BY id`);
    return reader.getRowObjectsJson() as Record<string, string | null>[];
  } finally {
    db.close();
  }
}

describe("runnel run --replay of a Kafka source with metadata:", () => {
  test("the replayed rows equal the live run's of the fixed bundle, metadata columns included; a second replay adds no row", { timeout: 480_000 }, async () => {
    const dir = await mkdtemp(join(tmpdir(), "runnel-replay-metadata-"));
    await writeFile(join(dir, "sample.ndjson"), sample.map((e) => `${JSON.stringify(e)}\n`).join(""));
    const client = new Kafka({ brokers: [...kafkaConfig.brokers], logLevel: logLevel.NOTHING });
    const admin = client.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 2 }], waitForLeaders: true });
    await admin.disconnect();
    const producer = client.producer();
    await producer.connect();
    await producer.send({
      topic,
      messages: [
        { partition: 0, key: "order-1", value: JSON.stringify({ id: 1, amount: "12" }), timestamp: "1700000000123", headers: { trace: "t1" } },
        // Refused by the first notebook's cast: "1,250" and "n/a".
        { partition: 0, key: "order-2", value: JSON.stringify({ id: 2, amount: "1,250" }), timestamp: "1700000001000", headers: { trace: "t2", tag: ["a", "b"] } },
        { partition: 1, key: null, value: '{"id": 3, "amount": "n/a"}', timestamp: "1700000002500" },
        { partition: 1, key: "order-4", value: JSON.stringify([{ id: 4, amount: "40" }, { id: 5, amount: "4,0" }]), timestamp: "1700000003000", headers: { trace: "t4" } },
      ],
    });
    await producer.disconnect();

    // The first notebook: a strict cast refuses ids 2, 3 and 5.
    const first = await publish(dir, "strict", notebook("CAST(amount AS INTEGER)"));
    const lake = join(dir, "lake");
    const live = startBundledRunner(first, ["--until-caught-up", "--group", `${topic}-strict`, "--sink", `out=fs:${lake}`]);
    expect(await live.exited, live.output()).toBe(0);
    const letters = [];
    for (const file of await listInputs(join(lake, "_errors"))) letters.push(...decodeDeadLetters(await readFile(file.path)));
    expect(letters.map((l) => JSON.parse(l.raw).id).sort()).toEqual([2, 3, 5]);
    // The letter keeps the event as sent and the record's fields beside it.
    const two = letters.find((l) => JSON.parse(l.raw).id === 2)!;
    expect(two.raw).toBe('{"id":2,"amount":"1,250"}');
    expect(two.origin?.kafka).toMatchObject({ topic, partition: 0, offset: "1", timestamp: 1700000001000, key: btoa("order-2") });

    // Fixed and published again: the refused events replayed into their own folder.
    const fixed = await publish(dir, "fixed", notebook("TRY_CAST(replace(amount, ',', '') AS INTEGER)"));
    const replayed = join(dir, "replayed");
    const replay = cli(["run", fixed, "--replay", join(lake, "_errors"), "--sink", `out=fs:${replayed}`]);
    expect(replay.status, replay.out + replay.err).toBe(0);
    expect(replay.out).toContain("replaying 3 of ev dead letters");

    // The fixed bundle run live over the same topic: what the pipeline would have written.
    const oracle = join(dir, "oracle");
    const again = startBundledRunner(fixed, ["--until-caught-up", "--group", `${topic}-fixed`, "--sink", `out=fs:${oracle}`]);
    expect(await again.exited, again.output()).toBe(0);
    const liveRows = await rowsOf(oracle);
    expect(liveRows.map((r) => r.id)).toEqual(["1", "2", "3", "4", "5"]);
    const replayedRows = await rowsOf(replayed);
    expect(replayedRows).toEqual(liveRows.filter((r) => ["2", "3", "5"].includes(r.id!)));
    expect(replayedRows[0]).toMatchObject({ _key: "order-2", _partition: "0", _offset: "1", _topic: topic, _timestamp: "2023-11-14 22:13:21", _headers: "[{'key': trace, 'value': t2}, {'key': tag, 'value': a}, {'key': tag, 'value': b}]" });

    // The same letters replayed again replace the first replay's objects: still one row each.
    const twice = cli(["run", fixed, "--replay", join(lake, "_errors"), "--sink", `out=fs:${replayed}`]);
    expect(twice.status, twice.out + twice.err).toBe(0);
    expect(await rowsOf(replayed)).toEqual(replayedRows);
  });
});
