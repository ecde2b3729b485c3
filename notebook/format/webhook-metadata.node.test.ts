import { describe, expect, test } from "vitest";
import { formatIssue, parseNotebook, serializeNotebook } from "./index.ts";
import type { Notebook, SourceSpec } from "./model.ts";

const file = "notebooks/t.md";

function read(...lines: string[]) {
  const { notebook, issues } = parseNotebook(lines.join("\n") + "\n", file);
  return { sources: notebook.sources, problems: issues.map(formatIssue), notebook };
}

const hook = (entry: string, ...more: string[]) => read("---", "sources:", "  gh:", `    webhook: ${entry}`, ...more, "---", "", "```sql id=q", "SELECT 1 FROM gh", "```");

describe("webhook metadata: and headers: in the front matter", () => {
  test("metadata: names the delivery's columns in its order, headers: the header names, lower-case", () => {
    const { sources, problems } = hook("{ signature: github, secret: S, metadata: [delivery_id, received_at], headers: [X-GitHub-Event, X-GitHub-Hook-ID] }");
    expect(problems).toEqual([]);
    expect(sources.gh).toMatchObject({ kind: "webhook", deliveryHeader: "X-GitHub-Delivery", metadata: ["delivery_id", "received_at"], headers: ["x-github-event", "x-github-hook-id"] });
  });

  test("true adds both fields; text separated by commas is a list too", () => {
    expect(hook('{ signature: github, secret: S, metadata: true, headers: "X-GitHub-Event, User-Agent" }').sources.gh).toMatchObject({
      metadata: ["received_at", "delivery_id"],
      headers: ["x-github-event", "user-agent"],
    });
    expect(hook('{ signature: github, secret: S, metadata: "received_at" }').sources.gh).toMatchObject({ metadata: ["received_at"] });
  });

  test("without them, or with false or empty lists, the model has neither key", () => {
    for (const entry of ["{ signature: github, secret: S }", "{ signature: github, secret: S, metadata: false, headers: [] }", "{ signature: github, secret: S, metadata: [] }"]) {
      const { sources, problems } = hook(entry);
      expect(problems).toEqual([]);
      expect(Object.hasOwn(sources.gh!, "metadata")).toBe(false);
      expect(Object.hasOwn(sources.gh!, "headers")).toBe(false);
    }
  });

  test("a header that carries a secret or a signature is refused, whichever scheme the source uses", () => {
    expect(hook("{ signature: github, secret: S, headers: [X-GitHub-Event, Authorization, X-Hub-Signature-256, Stripe-Signature, cookie] }").problems).toEqual([
      "format: notebooks/t.md:4:72: sources.gh.webhook.headers[1]: Authorization carries a secret or a signature, which would be written into the lake with every event; leave it out of headers:",
      "format: notebooks/t.md:4:87: sources.gh.webhook.headers[2]: X-Hub-Signature-256 carries a secret or a signature, which would be written into the lake with every event; leave it out of headers:",
      "format: notebooks/t.md:4:108: sources.gh.webhook.headers[3]: Stripe-Signature carries a secret or a signature, which would be written into the lake with every event; leave it out of headers:",
      "format: notebooks/t.md:4:126: sources.gh.webhook.headers[4]: cookie carries a secret or a signature, which would be written into the lake with every event; leave it out of headers:",
    ]);
    expect(hook('{ signature: bearer, secret: S, headers: "x-request-id, authorization" }').problems).toEqual([
      "format: notebooks/t.md:4:55: sources.gh.webhook.headers: authorization carries a secret or a signature, which would be written into the lake with every event; leave it out of headers:",
    ]);
  });

  test("a header named twice in any case, or a name that is no header name, is an error at the item", () => {
    expect(hook("{ signature: github, secret: S, headers: [X-GitHub-Event, x-github-event, 'X GitHub', 3] }").problems).toEqual([
      "format: notebooks/t.md:4:72: sources.gh.webhook.headers[1]: x-github-event is listed twice (header names ignore case)",
      "format: notebooks/t.md:4:88: sources.gh.webhook.headers[2]: expected a header name such as X-GitHub-Event (letters, digits and - _ . ! # $ % & ' * + ^ ` | ~), found \"X GitHub\"",
      "format: notebooks/t.md:4:100: sources.gh.webhook.headers[3]: expected a header name such as X-GitHub-Event (letters, digits and - _ . ! # $ % & ' * + ^ ` | ~), found 3",
    ]);
  });

  test("an unknown metadata field is an error with a suggestion; one listed twice too", () => {
    expect(hook("{ signature: github, secret: S, metadata: [recieved_at, delivery_id, delivery_id] }").problems).toEqual([
      `format: notebooks/t.md:4:57: sources.gh.webhook.metadata[0]: expected one of received_at, delivery_id, found "recieved_at" (did you mean 'received_at'?)`,
      "format: notebooks/t.md:4:83: sources.gh.webhook.metadata[2]: delivery_id is listed twice",
    ]);
  });

  test("delivery_id needs a delivery header: a scheme without one must name it", () => {
    expect(hook("{ signature: stripe, secret: S, metadata: [delivery_id] }").problems).toEqual([
      "format: notebooks/t.md:4:46: sources.gh.webhook.metadata: delivery_id needs a header naming each delivery, and signature: stripe has none by default; name it with delivery_header: (e.g. X-Request-Id), or leave delivery_id out",
    ]);
    expect(hook("{ signature: stripe, secret: S, delivery_header: X-Request-Id, metadata: [delivery_id] }").sources.gh).toMatchObject({ deliveryHeader: "X-Request-Id", metadata: ["delivery_id"] });
    expect(hook("{ signature: stripe, secret: S, metadata: [received_at] }").problems).toEqual([]);
  });

  test("a CSV source cannot take them", () => {
    expect(hook("{ signature: github, secret: S, metadata: [received_at], headers: [X-GitHub-Event] }", "    format: csv").problems).toEqual([
      "format: notebooks/t.md:4:46: sources.gh.webhook.metadata: adds columns to JSON events, and a CSV record is a row of text fields; use format: json or ndjson, or leave metadata: out",
      "format: notebooks/t.md:4:71: sources.gh.webhook.headers: adds columns to JSON events, and a CSV record is a row of text fields; use format: json or ndjson, or leave headers: out",
    ]);
  });

  test("the unknown-key message lists them", () => {
    expect(hook("{ signature: github, secret: S, header: [X-GitHub-Event] }").problems).toEqual([
      "format: notebooks/t.md:4:46: sources.gh.webhook: unknown key 'header' (did you mean 'headers'?); expected path, signature, secret, delivery_header, metadata, headers",
    ]);
  });

  test("an edited source writes them, both fields in order as true, and reads back the same", () => {
    const { notebook } = hook("{ signature: github, secret: S }");
    const base = notebook.sources.gh as Extract<SourceSpec, { kind: "webhook" }>;
    const withSource = (source: SourceSpec): Notebook => ({ ...notebook, sources: { gh: source } });
    const some = withSource({ ...base, metadata: ["delivery_id"], headers: ["x-github-event"] });
    const written = serializeNotebook(some);
    expect(written.replace(/\s+/g, " ")).toContain("webhook: { signature: github, secret: S, delivery_header: X-GitHub-Delivery, metadata: [ delivery_id ], headers: [ x-github-event ] }");
    expect(parseNotebook(written, file).notebook.sources.gh).toEqual(some.sources.gh);

    const both = withSource({ ...base, metadata: ["received_at", "delivery_id"] });
    const bothWritten = serializeNotebook(both);
    expect(bothWritten).toContain("metadata: true");
    expect(bothWritten).not.toContain("headers");
    expect(parseNotebook(bothWritten, file).notebook.sources.gh).toEqual(both.sources.gh);
  });
});
