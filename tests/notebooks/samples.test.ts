/**
 * The six sample notebooks run as the notebook runs them: each source becomes
 * a DuckDB table of its demo stand-in's first 1000 events (github: GitHub's
 * own payload examples), and every SQL cell runs in order, a named cell
 * registered as a view for the cells after it.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { type DuckDB, loadEvents, loadJsonTexts, openDuckDB, type QueryResult, queryRows, quoteIdent } from "../../edge/duckdb/index.node.ts";
import { Sampler } from "../../gateway/sample/sampler.ts";
import { openWasm, type WasmConnection } from "./wasm.ts";
import { demoEvents } from "../../gateway/sources/demo/index.ts";
import { demoSample } from "../../gateway/sources/demo-source.ts";
import { parseNotebook } from "../../notebook/format/index.ts";
import type { Notebook } from "../../notebook/format/index.ts";

const root = new URL("../../", import.meta.url).pathname;
const FIXTURES = join(root, "tests/fixtures/github-webhooks");
const GITHUB_EVENTS = ["push", "issues", "pull_request"];

/** Every SQL cell's output columns, in order, per notebook; anonymous cells by their 1-based place. */
const EXPECTED: Record<string, Record<string, string[]>> = {
  "turnstile.md": {
    clean: ["station", "device", "ts", "day", "entries", "exits"],
    per_minute: ["station", "device", "minute", "day", "readings", "entries_first", "entries_last", "exits_first", "exits_last"],
    by_station: ["station", "entries", "exits", "devices"],
  },
  "cloudtrail.md": {
    records: ["r"],
    events: [
      "event_id", "event_time", "day", "service", "action", "region", "source_ip", "identity_type", "principal_arn", "principal",
      "mfa", "bucket", "object_key", "assumed_role", "error_code", "failed", "read_only",
    ],
    denied: ["principal", "service", "action", "denials"],
  },
  "github.md": {
    deliveries: ["event", "deliveries"],
    push_rows: ["repo", "branch", "is_tag", "before_sha", "after_sha", "pusher", "sender", "branch_created", "forced", "head_message", "pushed_at", "day"],
    push_commits: ["repo", "ref", "c"],
    commit_rows: ["repo", "branch", "sha", "message", "author_name", "author_login", "author_email_missing", "is_distinct", "committed_at", "day"],
    pull_rows: [
      "action", "repo", "number", "title", "author", "state", "draft", "merged", "head_branch", "base_branch", "additions", "deletions",
      "changed_files", "updated_at", "day",
    ],
    issue_rows: ["action", "repo", "number", "title", "author", "state", "comment_count", "no_body", "label", "updated_at", "day"],
  },
  "shop-entrances.md": {
    entrances: [
      "event_id", "ts", "day", "region", "shop_id", "player_id", "platform", "player_level", "entrance", "from_scene", "party_size",
      "promo_id", "promo_banner", "device_os", "fps", "ab_bucket",
    ],
    per_minute: ["minute", "entrance", "entrances", "players", "avg_fps"],
  },
  "pii-staging.md": {
    staged: ["event", "user_id", "email_md5", "name_md5", "phone_last2", "ip_network", "country", "marketing_opt_in", "ts", "day"],
    by_event: ["event", "events", "people"],
  },
  "cart-cdc.md": {
    changes: ["seq", "op", "change", "cart_id", "changed_at", "day", "customer_id", "customer_tier", "discount_pct", "items"],
    lines: ["seq", "cart_id", "change", "item"],
    line_values: ["seq", "cart_id", "change", "sku", "product", "qty", "line_eur"],
    per_minute: ["minute", "change", "changes", "carts"],
  },
};

function load(file: string): Notebook {
  const text = readFileSync(join(root, "notebooks", file), "utf8");
  const { notebook, issues } = parseNotebook(text, `notebooks/${file}`);
  expect(issues, `issues in notebooks/${file}`).toEqual([]);
  return notebook;
}

/** Each fixture payload as the gateway's sample holds it: with its folder's event type as `X-GitHub-Event` (`headers:`). */
function githubFixtureTexts(): string[] {
  return GITHUB_EVENTS.flatMap((event) =>
    readdirSync(join(FIXTURES, event))
      .filter((f) => f.endsWith(".json"))
      .sort()
      .map((f) => readFileSync(join(FIXTURES, event, f), "utf8").replace(/\}\s*$/, `, "_headers": {"x-github-event": ${JSON.stringify(event)}}}`)),
  );
}

/** Loads each source of the notebook under its own name. */
async function loadSources(db: DuckDB, notebook: Notebook, github: "fixtures" | "demo"): Promise<void> {
  for (const [name, source] of Object.entries(notebook.sources)) {
    expect(source.demo, `source ${name} of ${notebook.file} names a demo stand-in`).not.toBeNull();
    const demo = source.demo!;
    if (demo.generator === "github" && github === "fixtures") await loadJsonTexts(db, name, githubFixtureTexts());
    else await loadEvents(db, name, demoSample(source, demo, 1000));
  }
}

/** Runs the notebook's SQL cells in order; returns each cell's result by id (or 1-based place). */
async function runCells(db: DuckDB, notebook: Notebook): Promise<Map<string, QueryResult>> {
  const results = new Map<string, QueryResult>();
  for (const cell of notebook.cells) {
    if (cell.language !== "sql") continue;
    const sql = cell.code.trim().replace(/;\s*$/, "");
    const label = cell.id ?? `#${cell.index + 1}`;
    try {
      if (cell.id === null) results.set(label, await queryRows(db, sql));
      else {
        await db.run(`CREATE OR REPLACE VIEW ${quoteIdent(cell.id)} AS ${sql}`);
        results.set(label, await queryRows(db, `SELECT * FROM ${quoteIdent(cell.id)}`));
      }
    } catch (error) {
      throw new Error(`${notebook.file}: cell ${label} (line ${cell.start.line}) failed`, { cause: error });
    }
  }
  return results;
}

let db: DuckDB;
beforeAll(async () => {
  db = await openDuckDB({ threads: 2 });
});
afterAll(() => db.close());

/** Every string anywhere in a value, nested lists and structs included. */
function strings(value: unknown): string[] {
  if (typeof value === "string") return [value];
  if (Array.isArray(value)) return value.flatMap(strings);
  if (value !== null && typeof value === "object" && !(value instanceof Uint8Array)) return Object.values(value).flatMap(strings);
  return [];
}

describe.each(Object.keys(EXPECTED))("notebooks/%s", (file) => {
  let notebook: Notebook;
  let results: Map<string, QueryResult>;
  beforeAll(async () => {
    notebook = load(file);
    await loadSources(db, notebook, "fixtures");
    results = await runCells(db, notebook);
  });

  test("every SQL cell runs on the sample and returns rows with the expected columns", () => {
    expect([...results.keys()]).toEqual(Object.keys(EXPECTED[file]!));
    for (const [label, columns] of Object.entries(EXPECTED[file]!)) {
      const result = results.get(label)!;
      expect(result.schema.map((c) => c.name), `columns of ${label}`).toEqual(columns);
      expect(result.rows.length, `rows of ${label}`).toBeGreaterThan(0);
    }
  });

  test("each sink cell has its sink's partition columns, never NULL, and there is a chart", () => {
    const sinkCells = notebook.cells.filter((c) => c.sink !== null);
    expect(sinkCells.length).toBeGreaterThan(0);
    for (const cell of sinkCells) {
      expect(cell.language).toBe("sql");
      const sink = notebook.sinks[cell.sink!];
      expect(sink, `sink ${cell.sink} of cell ${cell.id}`).toBeDefined();
      const { schema, rows } = results.get(cell.id!)!;
      for (const column of sink!.partitionBy) {
        expect(schema.map((c) => c.name), `cell ${cell.id} lacks partition column ${column}`).toContain(column);
        expect(rows.filter((r) => r[column] === null), `rows of ${cell.id} with NULL ${column}`).toEqual([]);
      }
    }
    expect(notebook.cells.some((c) => c.language === "js" && c.code.includes("Plot."))).toBe(true);
  });
});

describe("what the sample notebooks promise", () => {
  async function run(file: string, github: "fixtures" | "demo" = "fixtures"): Promise<Map<string, QueryResult>> {
    const notebook = load(file);
    await loadSources(db, notebook, github);
    return runCells(db, notebook);
  }

  test("turnstile keeps only countable readings: no negative or garbled counters, no bad timestamps", async () => {
    const clean = (await run("turnstile.md")).get("clean")!;
    for (const row of clean.rows) {
      expect(row.entries as bigint).toBeGreaterThanOrEqual(0n);
      expect(row.entries as bigint).toBeLessThan(2n ** 32n);
      expect(row.ts).not.toBeNull();
    }
    const raw = demoEvents({ generator: "turnstile", seed: 1, rate: 4 }, 0, 1000) as Array<{ entries: number }>;
    expect(raw.some((e) => e.entries < 0)).toBe(true);
    expect(clean.rows.length).toBeLessThan(raw.length);
  });

  test("pii-staging lets no email address through and hashes the normalised address", async () => {
    const staged = (await run("pii-staging.md")).get("staged")!;
    for (const row of staged.rows) for (const text of strings(row)) expect(text).not.toContain("@");
    const raw = demoEvents({ generator: "pii", seed: 1, rate: 10 }, 0, 1000) as Array<{ email: string; user_id: string }>;
    const shouting = raw.find((e) => e.email !== e.email.trim().toLowerCase() && e.email.trim() !== "")!;
    expect(shouting).toBeDefined();
    const expected = (await queryRows(db, `SELECT md5(${`'${shouting.email.trim().toLowerCase().replaceAll("'", "''")}'`}) AS h`)).rows[0]!.h;
    expect(staged.rows.filter((r) => r.user_id === shouting.user_id).map((r) => r.email_md5)).toContain(expected);
  });

  test("github counts each fixture delivery under its event type", async () => {
    const deliveries = (await run("github.md")).get("deliveries")!;
    const counts = Object.fromEntries(deliveries.rows.map((r) => [r.event, Number(r.deliveries)]));
    const files = (event: string) => readdirSync(join(FIXTURES, event)).filter((f) => f.endsWith(".json")).length;
    expect(counts).toEqual({ push: files("push"), issues: files("issues"), pull_request: files("pull_request") });
  });

  test("github runs on its demo stand-in too, with every cell returning rows", async () => {
    const results = await run("github.md", "demo");
    for (const [label, result] of results) expect(result.rows.length, `rows of ${label}`).toBeGreaterThan(0);
  });

  test("cart-cdc passes only I, U and D, upper-cased, with the tier discount joined in", async () => {
    const changes = (await run("cart-cdc.md")).get("changes")!;
    expect(new Set(changes.rows.map((r) => r.op))).toEqual(new Set(["I", "U", "D"]));
    expect(changes.rows.map((r) => r.seq).sort((a, b) => Number(a as bigint) - Number(b as bigint))).toEqual(
      Array.from({ length: changes.rows.length }, (_, i) => BigInt(i + 1)),
    );
    for (const row of changes.rows.filter((r) => r.customer_tier === "gold")) expect(row.discount_pct).toBe(10);
  });

  test("shop-entrances keeps one action and shreds its nested payload into columns, untidy values made NULL", async () => {
    const entrances = (await run("shop-entrances.md")).get("entrances")!;
    const raw = demoEvents({ generator: "shop", seed: 1, rate: 10 }, 0, 1000) as Array<{ action: string }>;
    expect(entrances.rows).toHaveLength(raw.filter((e) => e.action === "enter_shop").length);
    expect(entrances.schema.find((c) => c.name === "fps")!.type).toBe("BIGINT");
    expect(entrances.rows.filter((r) => r.from_scene === "" || (r.party_size !== null && (r.party_size as bigint) <= 0n))).toEqual([]);
    for (const row of entrances.rows) expect(row.entrance).toEqual(expect.any(String));
  });
});

describe("in the browser's DuckDB (DuckDB-WASM, no json or icu extension)", () => {
  let wasm: WasmConnection;
  const sampler = new Sampler();
  beforeAll(async () => {
    wasm = await openWasm();
  });
  afterAll(() => wasm?.close());

  test.each(Object.keys(EXPECTED))("%s: every SQL cell runs on the gateway's Arrow sample and returns what native DuckDB returns", async (file) => {
    const notebook = load(file);
    await loadSources(db, notebook, "demo");
    const native = await runCells(db, notebook);
    for (const [name, source] of Object.entries(notebook.sources)) {
      const events = demoSample(source, source.demo!, 1000).map((value, i) => ({ ok: true as const, value, receivedAt: i }));
      const { ipc } = await sampler.arrow(events);
      wasm.query(`DROP TABLE IF EXISTS ${quoteIdent(name)}`);
      wasm.insertArrowFromIPCStream(ipc, { name, create: true });
    }
    for (const cell of notebook.cells) {
      if (cell.language !== "sql" || cell.id === null) continue;
      let result: ReturnType<WasmConnection["query"]>;
      try {
        wasm.query(`CREATE OR REPLACE VIEW ${quoteIdent(cell.id)} AS ${cell.code.trim().replace(/;\s*$/, "")}`);
        result = wasm.query(`SELECT * FROM ${quoteIdent(cell.id)}`);
      } catch (error) {
        throw new Error(`${file}: cell ${cell.id} fails in DuckDB-WASM`, { cause: error });
      }
      const expected = native.get(cell.id)!;
      expect(result.schema.fields.map((f) => f.name), `columns of ${cell.id}`).toEqual(expected.schema.map((c) => c.name));
      expect(result.numRows, `rows of ${cell.id}`).toBe(expected.rows.length);
    }
  });
});
