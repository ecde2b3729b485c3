import { afterAll, expect, test } from "vitest";
import { parseNotebook } from "../../notebook/format/parse.ts";
import { Sampler } from "../sample/sampler.ts";
import { checkNotebook } from "../../edge/check/check.node.ts";
import type { SourceEvent } from "./source.ts";
import { defaultLibrary } from "../../edge/exec/library.ts";

const sampler = new Sampler();
afterAll(() => sampler.close());

const notebook = (source: string, sql: string) =>
  parseNotebook(`---\nsources:\n  s:\n${source}\n    format: json\nsinks:\n  out:\n    fs: { dir: out }\n---\n\n\`\`\`sql id=o sink=out\n${sql}\n\`\`\`\n`, "pin.md").notebook;
const ok = (value: unknown): SourceEvent => ({ ok: true, value, receivedAt: 0 });

test("a Kafka sample where no record had a key or a header still types _key VARCHAR and _headers a list of key/value, in the sample and in the plan", async () => {
  const nb = notebook("    kafka: { topic: t, brokers: [b], metadata: [key, headers] }", "SELECT id, _key, _headers FROM s");
  const events = [ok({ id: 1, _key: null, _headers: [] }), ok({ id: 2, _key: null, _headers: [] })];
  const sample = await sampler.type(events, nb.sources.s!);
  expect(Object.fromEntries(sample.schema.map((c) => [c.name, c.type]))).toEqual({ id: "BIGINT", _key: "VARCHAR", _headers: 'STRUCT("key" VARCHAR, "value" VARCHAR)[]' });
  const report = await checkNotebook(nb, { samples: { s: events.map((e) => (e.ok ? e.value : null)) }, library: defaultLibrary, random: { batches: 2, size: 5, seed: 1 } });
  expect(report.plan.sources.s?.schema.map((c) => `${c.name} ${c.type}`)).toEqual(["id BIGINT", "_key VARCHAR", '_headers STRUCT("key" VARCHAR, "value" VARCHAR)[]']);
});

test("a webhook sample of GUID delivery ids and no named header still types _delivery_id VARCHAR and the header a VARCHAR field", async () => {
  const nb = notebook("    webhook: { signature: github, secret: S, metadata: [received_at, delivery_id], headers: [X-GitHub-Event] }", "SELECT id, _received_at, _delivery_id, _headers FROM s");
  const events = [
    ok({ id: 1, _received_at: "2026-12-06 05:00:00.000", _delivery_id: "6f1c2d3e-0000-4000-8000-000000000001", _headers: { "x-github-event": null } }),
    ok({ id: 2, _received_at: "2026-12-06 05:00:01.000", _delivery_id: "6f1c2d3e-0000-4000-8000-000000000002", _headers: { "x-github-event": null } }),
  ];
  const sample = await sampler.type(events, nb.sources.s!);
  const types = Object.fromEntries(sample.schema.map((c) => [c.name, c.type]));
  expect(types).toEqual({ id: "BIGINT", _received_at: "TIMESTAMP", _delivery_id: "VARCHAR", _headers: 'STRUCT("x-github-event" VARCHAR)' });
  const report = await checkNotebook(nb, { samples: { s: events.map((e) => (e.ok ? e.value : null)) }, library: defaultLibrary, random: { batches: 2, size: 5, seed: 1 } });
  expect(report.plan.sources.s?.schema.find((c) => c.name === "_delivery_id")?.type).toBe("VARCHAR");
});
