import { describe, expect, test } from "vitest";
import { parseNotebook, sourceToYaml } from "../../format/index.ts";
import { spliceSinkEntry, spliceSourceEntry } from "./source-entry-text.ts";

const YAML = [
  "title: Sources # kept",
  "sources:",
  "  trips:   # the demo stream",
  "    demo: { generator: turnstile, rate: 2O, seed: 1 }",
  "  orders:",
  '    kafka: { topic: ordres, brokers: ["127.0.0.1:9092"] }',
  "    demo: { generator: turnstile, rate: 5, seed: 1 }",
  "  spare: { demo: shop }",
  "sinks:",
  "  lake:",
  "    fs: { dir: data, prefix: trips/ }",
  "    partition_by: [day]",
  "",
].join("\n");

const sources = (yaml: string) => parseNotebook(`---\n${yaml}---\n`, "x.md");

describe("spliceSourceEntry", () => {
  test("replaces one entry, keeping every other byte and the comment on its key's line", () => {
    const out = spliceSourceEntry(YAML, "trips", { demo: { generator: "turnstile", rate: 20, seed: 1 } })!;
    expect(out).toBe(YAML.replace("    demo: { generator: turnstile, rate: 2O, seed: 1 }", "    demo: { generator: turnstile, rate: 20, seed: 1 }"));
    expect(sources(out).issues).toEqual([]);
  });

  test("replaces an entry in the middle and the last one written on one line", () => {
    const mid = spliceSourceEntry(YAML, "orders", { kafka: { topic: "orders", brokers: ["127.0.0.1:9092"] } })!;
    expect(mid).toContain("  orders:\n    kafka: { topic: orders, brokers: [ 127.0.0.1:9092 ] }\n  spare: { demo: shop }\n");
    expect(mid).toContain("    partition_by: [day]\n");
    const last = spliceSourceEntry(YAML, "spare", { demo: "pii" })!;
    expect(last).toContain("  spare:\n    demo: pii\nsinks:\n");
    expect(sources(last).notebook.sources.spare?.demo?.generator).toBe("pii");
  });

  test("adds after the last source and removes an entry with its lines", () => {
    const added = spliceSourceEntry(YAML, "hooks", { webhook: { signature: "none" }, format: "ndjson" })!;
    expect(added).toContain("  spare: { demo: shop }\n  hooks:\n    webhook: { signature: none }\n    format: ndjson\nsinks:\n");
    expect(Object.keys(sources(added).notebook.sources)).toContain("hooks");
    const removed = spliceSourceEntry(YAML, "orders", null)!;
    expect(removed).toBe(YAML.replace('  orders:\n    kafka: { topic: ordres, brokers: ["127.0.0.1:9092"] }\n    demo: { generator: turnstile, rate: 5, seed: 1 }\n', ""));
  });

  test("answers null where the writer is needed: no sources, flow style, unreadable YAML", () => {
    expect(spliceSourceEntry("title: x\n", "a", { demo: "shop" })).toBeNull();
    expect(spliceSourceEntry("sources: { a: { demo: shop } }\n", "b", { demo: "shop" })).toBeNull();
    expect(spliceSourceEntry("sources:\n  a: [\n", "a", null)).toBeNull();
  });

  test("given the entry as it was, rewrites only the keys whose value changed", () => {
    const github = [
      "sources:",
      "  github:",
      "    webhook:",
      "      path: /github",
      "      signature: github",
      "      secret: GITHUB_WEBHOOK_SECRET",
      "      headers: [X-GitHub-Event]",
      "    format: json",
      "    demo: { generator: github, rate: 2, seed: 1 } # slow",
      "sinks:",
      "  pushes:",
      "    partition_by: [day]",
      "",
    ].join("\n");
    const spec = parseNotebook(`---\n${github}---\n`, "github.md").notebook.sources.github!;
    const before = sourceToYaml(spec);
    const faster = sourceToYaml({ ...spec, demo: { ...spec.demo!, rate: 50 } });
    expect(spliceSourceEntry(github, "github", faster, before)).toBe(github.replace("    demo: { generator: github, rate: 2, seed: 1 } # slow\n", "    demo: { generator: github, rate: 50, seed: 1 }\n"));
    // A new key is added after the others; a key the entry no longer has is taken out again.
    const sampled = spliceSourceEntry(github, "github", { ...faster, sample_size: 500 }, before)!;
    expect(sampled).toContain("      headers: [X-GitHub-Event]\n    format: json\n    demo: { generator: github, rate: 2, seed: 1 } # slow\n    sample_size: 500\nsinks:\n".replace("rate: 2, seed: 1 } # slow", "rate: 50, seed: 1 }"));
    expect(spliceSourceEntry(sampled, "github", faster, { ...faster, sample_size: 500 })).toBe(github.replace("    demo: { generator: github, rate: 2, seed: 1 } # slow\n", "    demo: { generator: github, rate: 50, seed: 1 }\n"));
  });

  test("the comment and blank lines above the next entry stay with it when an entry is removed or edited", () => {
    const yaml = "sources:\n  trips:\n    demo: turnstile\n\n  # orders come from the shop's topic\n  orders:\n    kafka: { topic: o }\nsinks:\n  s: {}\n";
    expect(spliceSourceEntry(yaml, "trips", null)).toBe("sources:\n\n  # orders come from the shop's topic\n  orders:\n    kafka: { topic: o }\nsinks:\n  s: {}\n");
    expect(spliceSourceEntry(yaml, "trips", { demo: "pii" })).toContain("    demo: pii\n\n  # orders come from the shop's topic\n  orders:\n");
  });
});

describe("spliceSinkEntry", () => {
  test("adds a sink after the last one with partition_by written [day], edits one key, removes one, keeps the sources", () => {
    const added = spliceSinkEntry(YAML, "archive", { s3: { bucket: "b", prefix: "x/" }, partition_by: ["day", "hour"], lateness: "3 minutes" })!;
    expect(added).toBe(`${YAML}  archive:\n    s3: { bucket: b, prefix: x/ }\n    partition_by: [day, hour]\n    lateness: 3 minutes\n`);
    const lake = { fs: { dir: "data", prefix: "trips/" }, partition_by: ["day"] };
    expect(spliceSinkEntry(added, "lake", { ...lake, lateness: "5 minutes" }, lake)).toBe(added.replace("    partition_by: [day]\n", "    partition_by: [day]\n    lateness: 5 minutes\n"));
    expect(spliceSinkEntry(added, "archive", null)).toBe(YAML);
    expect(parseNotebook(`---\n${added}---\n`, "t.md").notebook.sinks.archive?.lateness).toBe(180);
  });

  test("a front matter with no sinks: gets the section after its last line; a list item that needs quoting is written by the yaml writer", () => {
    const yaml = "title: t\nsources:\n  a: { demo: shop } # kept\n";
    expect(spliceSinkEntry(yaml, "lake", { fs: { dir: "data" }, partition_by: ["day"] })).toBe(`${yaml}sinks:\n  lake:\n    fs: { dir: data }\n    partition_by: [day]\n`);
    expect(spliceSinkEntry(yaml, "lake", { fs: {}, partition_by: ["a, b"] })).toBe(`${yaml}sinks:\n  lake:\n    fs: {}\n    partition_by: [ "a, b" ]\n`);
    expect(spliceSinkEntry("title: [", "lake", { fs: {} })).toBeNull();
    // The last sink removed leaves `sinks:`; the next one added goes under it, nothing else re-spelled.
    const emptied = spliceSinkEntry(`${yaml}sinks: # the lake\n  lake:\n    fs: { dir: data }\n`, "lake", null)!;
    expect(emptied).toBe(`${yaml}sinks: # the lake\n`);
    expect(spliceSinkEntry(emptied, "lake", { fs: { dir: "d" } })).toBe(`${yaml}sinks: # the lake\n  lake:\n    fs: { dir: d }\n`);
  });
});
