/**
 * A webhook source writes no secret into the lake by any of its columns: `headers:` refuses the
 * headers that carry one, and so does `metadata: [delivery_id]` when the delivery header it reads
 * is one of them (`delivery_header: Authorization` would write every bearer token as `_delivery_id`).
 */
import { expect, test } from "vitest";
import { formatIssue, parseNotebook } from "./index.ts";

const hook = (entry: string) => {
  const text = ["---", "sources:", "  gh:", `    webhook: ${entry}`, "---", "", "```sql id=q", "SELECT 1 FROM gh", "```"].join("\n") + "\n";
  const { notebook, issues } = parseNotebook(text, "notebooks/t.md");
  return { source: notebook.sources.gh, problems: issues.map(formatIssue) };
};

test("delivery_id read from a header that carries a secret or a signature is refused, in any case", () => {
  for (const [entry, header] of [
    ["{ signature: bearer, secret: S, delivery_header: Authorization, metadata: [delivery_id] }", "Authorization"],
    ["{ signature: github, secret: S, delivery_header: x-hub-signature-256, metadata: [received_at, delivery_id] }", "x-hub-signature-256"],
    ["{ signature: none, delivery_header: COOKIE, metadata: true }", "COOKIE"],
  ] as const) {
    const { problems } = hook(entry);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain(`sources.gh.webhook.delivery_header: ${header} carries a secret or a signature, which metadata: delivery_id would write into the lake with every event as _delivery_id`);
  }
});

test("delivery_header: a secret header stays allowed when delivery_id is not a column (it only names deliveries to drop repeats)", () => {
  expect(hook("{ signature: bearer, secret: S, delivery_header: Authorization, metadata: [received_at] }").problems).toEqual([]);
  expect(hook("{ signature: github, secret: S, metadata: [delivery_id] }").problems).toEqual([]);
});

test("headers: a header whose name says it holds a credential is refused too (GitLab sends its secret as X-Gitlab-Token in plain text); event headers stay allowed", () => {
  for (const header of ["X-Gitlab-Token", "X-Api-Key", "X-Webhook-Secret", "X-Auth-Token", "X-Twilio-Signature"]) {
    const { problems } = hook(`{ signature: none, headers: [X-Gitlab-Event, ${header}] }`);
    expect(problems, header).toHaveLength(1);
    expect(problems[0]).toContain(`${header} carries a secret or a signature, which would be written into the lake with every event; leave it out of headers:`);
  }
  expect(hook("{ signature: none, headers: [X-Gitlab-Event, X-GitHub-Event, X-Shopify-Topic, Idempotency-Key, X-Request-Id] }").problems).toEqual([]);
});
