import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, test } from "vitest";
import type { SourceSpec } from "../../notebook/format/model.ts";
import { describeSource } from "./source.case.ts";
import { deliveryBytes, readDeliveryLines } from "../webhooks/deliveries.ts";
import { openWebhookSource } from "./webhook-source.ts";

type WebhookSpec = Extract<SourceSpec, { kind: "webhook" }>;
const spec: WebhookSpec = {
  kind: "webhook", name: "hooks", path: "/hooks", signature: "github", secret: "HOOK_SECRET",
  deliveryHeader: null, format: "json", sampleSize: 1000, demo: null,
};

describeSource("webhook", async () => {
  const dir = await mkdtemp(join(tmpdir(), "runnel-webhook-"));
  const source = await openWebhookSource(spec, join(dir, "hooks"));
  let n = 0;
  let clock = 1_700_000_000_000;
  return {
    source,
    async produce(count) {
      const produced = [];
      for (let k = 0; k < count; k++) {
        const value = { n: n++, text: "héllo" };
        await source.receive(Buffer.from(JSON.stringify(value)), new Headers(), clock++);
        produced.push(value);
      }
      return produced;
    },
    async produceUndecodable(raw) {
      await source.receive(Buffer.from(raw), new Headers(), clock++);
    },
    async close() {
      await source.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
});

test("webhook deliveries survive a restart, keeping only the newest sample_size", async () => {
  const dir = await mkdtemp(join(tmpdir(), "runnel-webhook-"));
  const file = join(dir, "hooks");
  const small = { ...spec, sampleSize: 5 };
  const first = await openWebhookSource(small, file);
  for (let i = 0; i < 12; i++) await first.receive(Buffer.from(JSON.stringify({ i })), new Headers(), 1000 + i);
  await first.close();
  const second = await openWebhookSource(small, file);
  expect((await second.sample(100)).map((e) => (e.ok ? e.value : null))).toEqual([7, 8, 9, 10, 11].map((i) => ({ i })));
  await second.close();
  await rm(dir, { recursive: true, force: true });
});

test("the delivery folder never holds more than three times sample_size deliveries", async () => {
  const dir = await mkdtemp(join(tmpdir(), "runnel-webhook-"));
  const source = await openWebhookSource({ ...spec, sampleSize: 5 }, join(dir, "hooks"));
  for (let i = 0; i < 53; i++) await source.receive(Buffer.from(JSON.stringify({ i })), new Headers(), i);
  await source.close();
  const lines = await readDeliveryLines(join(dir, "hooks"));
  expect(lines.length).toBeGreaterThanOrEqual(5);
  expect(lines.length).toBeLessThanOrEqual(15);
  expect(Buffer.from(deliveryBytes(JSON.parse(lines[lines.length - 1]!))).toString("utf8")).toBe('{"i":52}');
  await rm(dir, { recursive: true, force: true });
});

test("a webhook delivery whose id was seen before is not stored again", async () => {
  const dir = await mkdtemp(join(tmpdir(), "runnel-webhook-"));
  const source = await openWebhookSource(spec, join(dir, "hooks"));
  const headers = new Headers({ "x-github-delivery": "d-1", "x-github-event": "push" });
  expect(await source.receive(Buffer.from('{"a":1}'), headers, 1)).toMatchObject({ id: "d-1" });
  expect(await source.receive(Buffer.from('{"a":1}'), headers, 2)).toBeNull();
  const sample = await source.sample(10);
  expect(sample).toHaveLength(1);
  expect(sample[0]).toMatchObject({ ok: true, value: { a: 1 }, meta: { delivery: "d-1", event: "push" } });
  await source.close();
  await rm(dir, { recursive: true, force: true });
});

test("a blank X-GitHub-Delivery is no id: every such delivery is stored, none is taken for a retry of the first", async () => {
  const dir = await mkdtemp(join(tmpdir(), "runnel-webhook-"));
  const source = await openWebhookSource(spec, join(dir, "hooks"));
  for (let i = 0; i < 3; i++) expect(await source.receive(Buffer.from(JSON.stringify({ i })), new Headers({ "x-github-delivery": " " }), i)).not.toBeNull();
  expect((await source.sample(10)).map((e) => e.ok && e.value)).toEqual([{ i: 0 }, { i: 1 }, { i: 2 }]);
  await source.close();
  await rm(dir, { recursive: true, force: true });
});

test("a form-encoded delivery (GitHub's default content type) is read as the JSON in its payload field", async () => {
  const dir = await mkdtemp(join(tmpdir(), "runnel-webhook-"));
  const source = await openWebhookSource(spec, join(dir, "hooks"));
  const form = new Headers({ "x-github-delivery": "f-1", "content-type": "application/x-www-form-urlencoded" });
  const json = JSON.stringify({ ref: "refs/heads/main", msg: "fix a+b & ü" });
  await source.receive(Buffer.from(`payload=${encodeURIComponent(json).replace(/%20/g, "+")}`), form, 1);
  await source.receive(Buffer.from("nothing=here"), new Headers({ "x-github-delivery": "f-2", "content-type": "application/x-www-form-urlencoded" }), 2);
  const sample = await source.sample(10);
  expect(sample[0]).toMatchObject({ ok: true, value: { ref: "refs/heads/main", msg: "fix a+b & ü" } });
  expect(sample[1]).toMatchObject({ ok: false, raw: "nothing=here", error: expect.stringMatching(/has no payload field/) });
  await source.close();
  await rm(dir, { recursive: true, force: true });
});
