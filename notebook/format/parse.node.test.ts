import { readFileSync } from "node:fs";
import { describe, expect, test } from "vitest";
import { formatIssue, parseNotebook, serializeNotebook } from "./index.ts";

const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), "utf8");

/** The printed issues of a notebook given as lines. */
function problems(...lines: string[]): string[] {
  return parseNotebook(lines.join("\n") + "\n", "notebooks/t.md").issues.map(formatIssue);
}

describe("parseNotebook", () => {
  test("a source or sink named __proto__ is an issue, not a source that silently vanishes", () => {
    const text = ["---", "sources:", "  __proto__:", "    webhook: { signature: none }", "sinks:", "  __proto__:", "    fs: { path: out }", "---", "", "# t"];
    expect(problems(...text)).toEqual([
      "format: notebooks/t.md:3:3: sources.__proto__: '__proto__' cannot name a source; rename it",
      "format: notebooks/t.md:6:3: sinks.__proto__: '__proto__' cannot name a sink; rename it",
    ]);
    const { notebook } = parseNotebook(text.join("\n") + "\n", "notebooks/t.md");
    expect(Object.getPrototypeOf(notebook.sources)).toBe(Object.getPrototypeOf({}));
  });

  test("a sink named like a folder runnel keeps beside the sinks (_errors, _runs, _backfills) is an issue", () => {
    const text = ["---", "sinks:", "  _runs:", "    fs: { dir: out }", "  _Errors:", "    fs: { dir: out }", "  runs:", "    fs: { dir: out }", "---", "", "# t"];
    expect(problems(...text)).toEqual([
      "format: notebooks/t.md:3:3: sinks._runs: '_runs' names a folder runnel keeps beside the sinks' (_errors, _runs, _backfills); rename the sink",
      "format: notebooks/t.md:5:3: sinks._Errors: '_Errors' names a folder runnel keeps beside the sinks' (_errors, _runs, _backfills); rename the sink",
    ]);
  });

  test("reads the design document's example notebook with no issues", () => {
    const { notebook, issues } = parseNotebook(fixture("design-example.md"), "notebooks/turnstile.md");
    expect(issues).toEqual([]);
    expect(notebook.title).toBe("Turnstile entries by station");
    expect(notebook.sources.turnstile).toEqual({
      kind: "kafka",
      name: "turnstile",
      topic: "mta.turnstile",
      brokers: ["127.0.0.1:9092"],
      format: "json",
      sampleSize: 1000,
      demo: null,
    });
    expect(notebook.sinks.lake).toEqual({
      name: "lake",
      target: { kind: "s3", bucket: "lake", prefix: "turnstile/", endpoint: null, region: "us-east-1" },
      partitionBy: ["day"],
      flush: { rows: 100_000, bytes: 64 * 1024 * 1024, seconds: 60 },
      lateness: 0,
    });
    expect(notebook.cells.map((cell) => [cell.language, cell.id, cell.sink, cell.start.line])).toEqual([
      ["sql", "clean", null, 17],
      ["sql", "per_minute", "lake", 24],
      ["js", null, null, 31],
    ]);
    expect(notebook.cells[1]!.code).toBe(
      "SELECT station, time_bucket(INTERVAL 1 minute, ts) AS minute, day,\n       sum(entries) AS entries, sum(exits) AS exits\nFROM clean\nGROUP BY ALL",
    );
  });

  test("a webhook source keeps its demo stand-in, and durations and sizes read as seconds and bytes", () => {
    const { notebook, issues } = parseNotebook(fixture("github-hooks.md"), "notebooks/github.md");
    expect(issues).toEqual([]);
    expect(notebook.sources.github).toEqual({
      kind: "webhook",
      name: "github",
      path: "/github",
      signature: "github",
      secret: "GITHUB_WEBHOOK_SECRET",
      deliveryHeader: "X-GitHub-Delivery",
      format: "json",
      sampleSize: 1000,
      demo: { generator: "github", rate: 5, seed: 1 },
    });
    expect(notebook.sources.ticks).toEqual({
      kind: "demo",
      name: "ticks",
      format: "json",
      sampleSize: 1000,
      demo: { generator: "turnstile", rate: 20, seed: 1 },
    });
    expect(notebook.sinks.lake).toMatchObject({
      target: { kind: "r2", binding: "LAKE", prefix: "github/" },
      partitionBy: ["day", "event"],
      flush: { rows: 5000, bytes: 16 * 1024 * 1024, seconds: 120 },
      lateness: 300,
    });
    expect(notebook.sinks.local!.target).toEqual({ kind: "fs", dir: "out", prefix: "" });
  });

  test("only sql and js fences are cells; tildes and indented fences count, fences inside longer fences do not", () => {
    const { notebook } = parseNotebook(fixture("github-hooks.md"), "notebooks/github.md");
    expect(notebook.cells.map((cell) => [cell.language, cell.id, cell.code])).toEqual([
      ["sql", "pushes", "SELECT payload->>'ref' AS ref, CAST(received_at AS DATE) AS day, 'push' AS event\nFROM github"],
      ["js", null, "total = pushes.length"],
      ["sql", null, "SELECT count(*) FROM ticks"],
    ]);
    expect(notebook.cells[1]).toMatchObject({ indent: 2, start: { line: 45, column: 1 }, infoStart: { line: 44, column: 6 } });
  });

  test("a notebook without front matter is titled by its first heading", () => {
    const { notebook, issues } = parseNotebook(fixture("no-front-matter.md"), "notebooks/scratch.md");
    expect(issues).toEqual([]);
    expect(notebook.title).toBe("Scratch");
    expect(notebook.sources).toEqual({});
    expect(notebook.cells).toHaveLength(1);
  });

  test("a byte order mark before the front matter does not hide it", () => {
    const text = "\uFEFF---\ntitle: 1984\n---\n\n```sql id=a\nSELECT 1\n```\n";
    const { notebook, issues } = parseNotebook(text, "notebooks/bom.md");
    expect(issues).toEqual([]);
    expect(notebook.title).toBe("1984");
    expect(serializeNotebook(notebook)).toBe(text);
  });

  test("a notebook with neither front matter nor heading is titled by its file name", () => {
    expect(parseNotebook("```js\n1\n```\n", "notebooks/bare.md").notebook.title).toBe("bare");
  });
});

describe("parseNotebook reports problems with file, line and column", () => {
  const head = ["---", "sources:", "  s:", "    demo: turnstile", "sinks:", "  lake:", "    fs: { dir: out }", "---", ""];

  test("a cell's sink must be declared under sinks:", () => {
    expect(problems(...head, "```sql id=per_minute sink=lak", "SELECT 1", "```")).toEqual([
      "format: notebooks/t.md:10:22: sink 'lak' of cell per_minute is not declared under sinks: (did you mean 'lake'?)",
    ]);
  });

  test("an anonymous cell is named by its place", () => {
    expect(problems(...head, "```js", "1", "```", "", "```sql sink=sea", "SELECT 1", "```")).toEqual([
      "format: notebooks/t.md:14:8: sink 'sea' of cell #2 is not declared under sinks:",
    ]);
  });

  test("an unknown front matter key is an error at the key, with a suggestion", () => {
    expect(problems("---", "title: x", "sink:", "  lake: { fs: {} }", "---")).toEqual([
      "format: notebooks/t.md:3:1: unknown front matter key 'sink' (did you mean 'sinks'?); expected title, sources or sinks",
    ]);
  });

  test("an unknown key inside a source names the keys that are allowed", () => {
    expect(problems("---", "sources:", "  t:", "    kafka: { topc: a, brokers: [b] }", "---")).toEqual([
      "format: notebooks/t.md:4:5: sources.t.kafka: missing topic:, expected a string",
      "format: notebooks/t.md:4:14: sources.t.kafka: unknown key 'topc' (did you mean 'topic'?); expected topic, brokers, metadata",
    ]);
  });

  test("a secret written as a value is refused", () => {
    expect(
      problems("---", "sources:", "  gh:", "    webhook:", "      signature: github", '      secret: "ghp_8f3a9c2e77d1b0"', "---"),
    ).toEqual([
      "format: notebooks/t.md:6:15: sources.gh.webhook.secret: expected the name of an environment variable holding the secret (like GITHUB_WEBHOOK_SECRET), not the secret itself: secrets are never written in the notebook",
    ]);
  });

  test("a credential at the top level is refused with where secrets go instead", () => {
    expect(problems("---", "api_token: abc", "---")).toEqual([
      "format: notebooks/t.md:2:1: unknown front matter key 'api_token'; secrets are never written in the notebook: set it in the environment (webhooks name it with secret: ENV_NAME; S3 and R2 take credentials from the environment)",
    ]);
  });

  test("a credential under any other key is refused with where secrets go instead", () => {
    expect(problems("---", "sinks:", "  lake:", "    s3: { bucket: b, secret_access_key: wJalrXUtnFEMI }", "---")).toEqual([
      "format: notebooks/t.md:4:22: sinks.lake.s3: unknown key 'secret_access_key'; secrets are never written in the notebook: set it in the environment (webhooks name it with secret: ENV_NAME; S3 and R2 take credentials from the environment)",
    ]);
  });

  test("an unknown demo generator suggests the closest built-in one", () => {
    expect(problems("---", "sources:", "  s:", "    demo: turnstyle", "---")).toEqual([
      'format: notebooks/t.md:4:11: sources.s.demo.generator: expected one of turnstile, shop, cloudtrail, cart-cdc, github, pii, found "turnstyle" (did you mean \'turnstile\'?)',
    ]);
  });

  test("a signature scheme other than none needs a secret's name", () => {
    expect(problems("---", "sources:", "  gh:", "    webhook: { signature: stripe }", "---")).toEqual([
      "format: notebooks/t.md:4:27: sources.gh.webhook.signature: signature: stripe needs secret: naming the environment variable that holds the secret",
    ]);
  });

  test("a misspelt signature scheme suggests the right one", () => {
    expect(problems("---", "sources:", "  gh:", "    webhook: { signature: gihub, secret: GH }", "---")).toEqual([
      'format: notebooks/t.md:4:27: sources.gh.webhook.signature: expected one of github, stripe, sha256, bearer, shopify, slack, standard, none, found "gihub" (did you mean \'github\'?)',
    ]);
  });

  test("a scheme whose sender names its deliveries reads that header unless delivery_header says another", () => {
    const header = (hook: string) => {
      const { notebook, issues } = parseNotebook(["---", "sources:", "  s:", `    webhook: { ${hook} }`, "---", ""].join("\n"), "notebooks/t.md");
      expect(issues).toEqual([]);
      const s = notebook.sources.s!;
      return s.kind === "webhook" ? s.deliveryHeader : "not a webhook";
    };
    expect(header("signature: github, secret: S")).toBe("X-GitHub-Delivery");
    expect(header("signature: shopify, secret: S")).toBe("X-Shopify-Webhook-Id");
    expect(header("signature: standard, secret: S")).toBe("webhook-id");
    expect(header("signature: standard, secret: S, delivery_header: svix-id")).toBe("svix-id");
    expect(header("signature: slack, secret: S")).toBeNull();
    expect(header("signature: sha256, secret: S")).toBeNull();
  });

  test("credentials in a URL are refused", () => {
    expect(problems("---", "sources:", "  api:", "    http: { url: 'https://me:hunter2@example.com/feed' }", "---")).toEqual([
      "format: notebooks/t.md:4:18: sources.api.http.url: a URL must not carry credentials: secrets are never written in the notebook; name an environment variable instead",
    ]);
  });

  test("a source needs exactly one stream", () => {
    expect(problems("---", "sources:", "  a:", "    format: csv", "  b:", "    kafka: { topic: t, brokers: [x] }", "    http: { url: 'https://example.com' }", "---")).toEqual([
      "format: notebooks/t.md:3:3: sources.a: expected one of kafka:, webhook:, http: or demo: to say where the events come from",
      "format: notebooks/t.md:7:5: sources.b.http: a source reads one stream, but this one has both kafka: and http:; declare a second source",
    ]);
  });

  test("a sink needs exactly one place to write", () => {
    expect(problems("---", "sinks:", "  lake:", "    partition_by: [day]", "---")).toEqual([
      "format: notebooks/t.md:3:3: sinks.lake: expected one of s3:, r2: or fs: to say where the files go",
    ]);
  });

  test("lateness must be seconds or a duration", () => {
    expect(problems("---", "sinks:", "  lake:", "    fs: {}", "    lateness: soon", "---")).toEqual([
      'format: notebooks/t.md:5:15: sinks.lake.lateness: expected seconds or a duration such as "30 seconds" or "5 minutes", found "soon"',
    ]);
  });

  test("a value of the wrong type says what was expected and found", () => {
    expect(problems("---", "sinks:", "  lake:", "    fs: {}", "    flush: { rows: many }", "---")).toEqual([
      'format: notebooks/t.md:5:20: sinks.lake.flush.rows: expected a number, found "many"',
    ]);
  });

  test("a YAML syntax error points at the YAML line", () => {
    expect(problems("---", "title: x", "sources:", "  a: [unclosed", "---")).toEqual([
      "format: notebooks/t.md:5:1: front matter is not valid YAML: Flow sequence in block collection must be sufficiently indented and end with a ]",
    ]);
  });

  test("a repeated YAML key is an error at the repeat", () => {
    expect(problems("---", "title: a", "title: b", "---")).toEqual(["format: notebooks/t.md:3:1: front matter is not valid YAML: Map keys must be unique"]);
  });

  test("a source name SQL cannot use unquoted is refused", () => {
    expect(problems("---", "sources:", "  my-events:", "    demo: shop", "---")).toEqual([
      "format: notebooks/t.md:3:3: sources.my-events: 'my-events' is not a name SQL can use unquoted; expected letters, digits and _ (not starting with a digit)",
    ]);
  });

  test("cell attributes: unknown, repeated, empty and badly named", () => {
    expect(problems("```sql idd=a", "1", "```", "```sql id=a id=b", "2", "```", "```js sink=", "3", "```", "```sql id=per-minute", "4", "```")).toEqual([
      "format: notebooks/t.md:1:8: unknown cell attribute 'idd' (did you mean 'id'?); a cell takes id=<name> and sink=<sink>",
      "format: notebooks/t.md:4:13: id= is given twice on one cell",
      "format: notebooks/t.md:7:7: sink= needs a value, e.g. sink=lake",
      "format: notebooks/t.md:10:11: cell id 'per-minute' is not a name SQL and JavaScript can both use; expected letters, digits and _ (not starting with a digit)",
    ]);
  });

  test("an unclosed fence is reported where it opens, and still read as a cell", () => {
    const text = "# t\n\n```sql id=a\nSELECT 1\n";
    const { notebook, issues } = parseNotebook(text, "notebooks/t.md");
    expect(issues.map(formatIssue)).toEqual(["format: notebooks/t.md:3:1: the ```sql fence opened here is never closed; expected a line with ```"]);
    expect(notebook.cells[0]!.code).toBe("SELECT 1");
  });

  test("unclosed front matter is reported on line 1", () => {
    expect(problems("---", "title: x", "", "```js", "1", "```")).toEqual([
      "format: notebooks/t.md:1:1: front matter opened here is never closed; expected a line with ---",
    ]);
  });

  test("an invalid notebook still yields its valid parts", () => {
    const { notebook, issues } = parseNotebook(
      ["---", "sources:", "  good:", "    demo: shop", "  bad:", "    kafka: { topic: 3 }", "---", "", "```sql id=q", "SELECT * FROM good", "```", ""].join("\n"),
      "notebooks/t.md",
    );
    expect(issues.length).toBeGreaterThan(0);
    expect(Object.keys(notebook.sources)).toEqual(["good"]);
    expect(notebook.cells.map((cell) => cell.id)).toEqual(["q"]);
  });
});
