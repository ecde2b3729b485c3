/**
 * `runnel check` and `runnel publish` of a Kafka notebook with no demo generator and no --sample file
 * read their sample from the topic itself, as the notebook's sample does: a person with a real topic
 * publishes from the shell without exporting a file first. A topic that cannot be read says so.
 */
import { spawnSync } from "node:child_process";
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { kafka as kafkaConfig } from "../servers/config.ts";
import { fillTopic, runnel, uniqueName } from "./harness.ts";
import type { Plan } from "../../edge/plan/types.ts";

const notebook = (topic: string) => `---
title: Orders from a real topic
sources:
  orders:
    kafka: { topic: ${topic}, brokers: ["${kafkaConfig.brokers[0]}"] }
    format: json
sinks:
  lake:
    fs: { dir: out/lake }
---

\`\`\`sql id=clean sink=lake
SELECT id, upper(customer) AS customer, amount * 2 AS doubled FROM orders WHERE amount > 0
\`\`\`
`;

const cli = (args: string[], cwd: string) => spawnSync(process.execPath, [runnel, ...args], { cwd, encoding: "utf8", timeout: 120_000 });

describe("a Kafka notebook's sample from its topic", () => {
  test("check and publish sample the topic's newest events, say so, and publish the schema they hold", { timeout: 240_000 }, async () => {
    const topic = uniqueName("sample-from-topic");
    const events = Array.from({ length: 40 }, (_, i) => ({ id: i, customer: `c${i % 7}`, amount: (i % 5) - 1, note: i === 3 ? "ünïcode" : null }));
    await fillTopic(topic, 2, events, (e) => String((e as { id: number }).id));
    const work = await mkdtemp(join(tmpdir(), "runnel-topic-sample-"));
    await writeFile(join(work, "nb.md"), notebook(topic));

    const check = cli(["check", "nb.md"], work);
    expect(check.status, `${check.stdout}\n${check.stderr}`).toBe(0);
    expect(check.stdout).toContain(`sample of orders: the 40 newest events of topic ${topic}`);

    const pub = cli(["publish", "nb.md", "--out", "dist"], work);
    expect(pub.status, `${pub.stdout}\n${pub.stderr}`).toBe(0);
    expect(pub.stdout).toContain(`sample of orders: the 40 newest events of topic ${topic}`);
    const plan = JSON.parse(await readFile(join(work, "dist", "nb", "plan.json"), "utf8")) as Plan;
    expect(plan.sources.orders!.schema.map((c) => `${c.name} ${c.type}`)).toEqual(["id BIGINT", "customer VARCHAR", "amount BIGINT", "note VARCHAR"]);
  });

  test("a topic that does not exist is a clear refusal naming the topic and the way out", { timeout: 240_000 }, async () => {
    const topic = uniqueName("no-such-topic");
    const work = await mkdtemp(join(tmpdir(), "runnel-topic-sample-"));
    await writeFile(join(work, "nb.md"), notebook(topic));
    const check = cli(["check", "nb.md"], work);
    expect(check.status).toBe(2);
    expect(check.stderr).toContain(`runnel check: source orders: cannot read a sample from topic ${topic}:`);
    expect(check.stderr).toContain("or pass --sample orders=<file.ndjson>");
    expect(check.stderr).not.toContain("usage:");
  });
});
