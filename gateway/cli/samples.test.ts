import { expect, test } from "vitest";
import { readEventsText } from "./samples.ts";

test("a JSON array file is its events; NDJSON whose first record is an array is one record per line", () => {
  expect(readEventsText('[{"a":1},{"a":2}]', "s.json")).toEqual([{ a: 1 }, { a: 2 }]);
  expect(readEventsText('[{"a":1},{"a":2}]\n{"a":3}\n', "s.ndjson")).toEqual([[{ a: 1 }, { a: 2 }], { a: 3 }]);
  expect(readEventsText('{"a":1}\n\n{"a":2}', "s.ndjson")).toEqual([{ a: 1 }, { a: 2 }]);
});

test("a file that is neither says which file and line", () => {
  expect(() => readEventsText('[{"a":1}', "s.json")).toThrow(/^s\.json: not JSON/);
  expect(() => readEventsText('[{"a":1}]\n{"a":', "s.ndjson")).toThrow(/^s\.ndjson line 2: not JSON/);
});

test("a gzipped or pretty-printed JSON sample (a CloudTrail export) reads as runnel run reads it; a broken one says where", async () => {
  const { mkdtempSync, writeFileSync } = await import("node:fs");
  const { tmpdir } = await import("node:os");
  const { join } = await import("node:path");
  const { gzipSync } = await import("node:zlib");
  const { readSampleFile } = await import("./samples.ts");
  const notebook = { sources: { trail: { format: "json" } } } as never;
  const dir = mkdtempSync(join(tmpdir(), "runnel-sample-"));
  const trail = JSON.stringify({ Records: [{ eventName: "GetObject", n: 1 }, { eventName: "PutObject", n: 2 }] }, null, 2);
  writeFileSync(join(dir, "trail.json.gz"), gzipSync(trail));
  writeFileSync(join(dir, "pretty.json"), '{\n  "a": 1\n}\n{\n  "a": 2\n}\n');
  writeFileSync(join(dir, "broken.ndjson"), '{"a": 1}\n{"a": \n');
  expect(await readSampleFile(notebook, "trail", join(dir, "trail.json.gz"))).toEqual([{ Records: [{ eventName: "GetObject", n: 1 }, { eventName: "PutObject", n: 2 }] }]);
  expect(await readSampleFile(notebook, "trail", join(dir, "pretty.json"))).toEqual([{ a: 1 }, { a: 2 }]);
  await expect(readSampleFile(notebook, "trail", join(dir, "broken.ndjson"))).rejects.toThrow(/^--sample trail=.*broken\.ndjson: .*line 2/);
});

test("check and publish sample the webhook deliveries the gateway kept for the notebook, and no other notebook's", async () => {
  const { mkdtempSync } = await import("node:fs");
  const { tmpdir } = await import("node:os");
  const { join } = await import("node:path");
  const { parseNotebook } = await import("../../notebook/format/parse.ts");
  const { SourceRegistry } = await import("../sources/registry.ts");
  const { silentLogger } = await import("../log.ts");
  const { gatherSamples } = await import("./samples.ts");
  const { notebook } = parseNotebook("---\ntitle: t\nsources:\n  inbox:\n    webhook: { signature: none }\n    demo: { generator: github, rate: 2, seed: 1 }\n---\n", "orders.md");
  const state = mkdtempSync(join(tmpdir(), "runnel-kept-"));
  const registry = new SourceRegistry({ stateDir: state, demo: false, log: silentLogger });
  const spec = notebook.sources.inbox as Extract<(typeof notebook.sources)[string], { kind: "webhook" }>;
  const capture = await registry.capture("orders.md", spec);
  for (const id of [1, 2, 3]) await capture.receive(new TextEncoder().encode(JSON.stringify({ id, kept: true })), { get: () => null }, Date.now());
  await registry.close();
  const said: string[] = [];
  const { events: kept } = await gatherSamples(notebook, [], { file: "notebooks/orders.md", state, say: (line) => said.push(line) });
  expect(kept.inbox).toEqual([{ id: 1, kept: true }, { id: 2, kept: true }, { id: 3, kept: true }]);
  expect(said).toEqual([`sample of inbox: the 3 webhook deliveries the gateway kept in ${join(state, "hooks", "orders.md", "inbox")}, not the demo stand-in; --sample inbox=<file> checks other events`]);
  // A file of the same name outside the gateway's notebooks folder is another notebook: its demo stand-in, not these.
  const { events: elsewhere } = await gatherSamples(notebook, [], { file: join(state, "orders.md"), state, say: (line) => said.push(line) });
  expect(elsewhere.inbox!.some((e) => (e as { kept?: boolean }).kept)).toBe(false);
  expect(elsewhere.inbox!.length).toBeGreaterThan(0);
});

test("a sample file that is not UTF-8 is refused with the line or what to do, never read with U+FFFD in place of its bytes", async () => {
  const { mkdtempSync, writeFileSync } = await import("node:fs");
  const { tmpdir } = await import("node:os");
  const { join } = await import("node:path");
  const { readSampleFile } = await import("./samples.ts");
  const dir = mkdtempSync(join(tmpdir(), "runnel-sample-latin1-"));
  // "café" in Latin-1: DuckDB's read_json and read_csv refuse the byte 0xE9, and the pipeline dead-letters such a record.
  writeFileSync(join(dir, "l1.ndjson"), Buffer.concat([Buffer.from('{"a":"ok"}\n{"a":"caf'), Buffer.from([0xe9]), Buffer.from('"}\n')]));
  writeFileSync(join(dir, "l1.csv"), Buffer.concat([Buffer.from("id,name\n1,caf"), Buffer.from([0xe9]), Buffer.from("\n")]));
  const json = { sources: { s: { format: "json" } } } as never;
  const csv = { sources: { s: { format: "csv" } } } as never;
  await expect(readSampleFile(json, "s", join(dir, "l1.ndjson"))).rejects.toThrow(/^--sample s=.*l1\.ndjson: .*line 2 is not valid UTF-8$/);
  await expect(readSampleFile(csv, "s", join(dir, "l1.csv"))).rejects.toThrow(/^--sample s=.*l1\.csv: the file is not UTF-8 \(a Latin-1 or Windows-1252 export\?\); convert it, e\.g\. iconv -f latin1 -t utf-8$/);
});
