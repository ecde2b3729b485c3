import { env, exports } from "cloudflare:workers";
import { runInDurableObject } from "cloudflare:test";
import { describe, expect, test } from "vitest";
import { MAX_VALUE_BYTES } from "./app.ts";

/**
 * Dead letters the window object makes itself (a late reading, a group that failed) are stored however
 * large their event: a letter past what one Durable Object value holds (2 MB on Cloudflare, ~10 MB in
 * local workerd) failed the object's commit, a 503 on every retry of the delivery, and nothing was stored.
 */
const operator = { authorization: "Bearer workerd-operator" };
let deliveries = 0;
/** A reading whose `division` (which the cells do not read) is `division`. */
const reading = (scp: string, time: string, division = "IRT") => ({
  station: "59 ST", ca: "A002", unit: "R051", scp, linename: "NQR456W", division,
  ts: `2026-11-23T10:${time}.000Z`, desc: "REGULAR", entries: 5, exits: 10,
});
const post = (events: unknown[]) =>
  exports.default.fetch("http://edge/ingest/turnstile", {
    method: "POST",
    body: JSON.stringify(events),
    headers: { authorization: "Bearer workerd-token", "x-delivery": `late-${deliveries++}` },
  });
const lake = () => env.PIPELINE.get(env.PIPELINE.idFromName("lake/") as never);

/** Every dead letter in the bucket's `_errors/` NDJSON files. */
async function lettersInBucket(): Promise<{ reason: string; raw: string }[]> {
  const listed = (await env.LAKE.list({ prefix: "turnstile/" })) as { objects: { key: string }[] };
  const out: { reason: string; raw: string }[] = [];
  for (const o of listed.objects.filter((x) => x.key.includes("_errors"))) {
    const text = new TextDecoder().decode(await (await env.LAKE.get(o.key))!.arrayBuffer());
    for (const line of text.split("\n").filter(Boolean)) out.push(JSON.parse(line) as { reason: string; raw: string });
  }
  return out;
}

/** The longest value the object's storage holds, in UTF-8 bytes. */
const longestValue = () =>
  runInDurableObject(lake(), (_instance, state) => {
    let longest = 0;
    for (const t of ["dead", "dead_parts"]) {
      const exists = state.storage.sql.exec(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?`, t).toArray().length > 0;
      if (!exists) continue;
      const column = t === "dead" ? "letter" : "text";
      const row = state.storage.sql.exec(`SELECT max(length(CAST(${column} AS BLOB))) AS n FROM ${t}`).one() as { n: number | null };
      longest = Math.max(longest, row.n ?? 0);
    }
    return longest;
  });

describe("large requests into a window, in workerd", () => {
  test("a late reading of 16 MB is taken (202, not a 503 on every retry) and its dead letter reaches _errors/ with the whole event", async () => {
    // 10:20 and 10:30 move the watermark to 10:28 (lateness 2 minutes): a reading at 10:00 is late.
    for (const time of ["20:05", "30:05"]) expect((await post([reading("00-01-00", time)])).status).toBe(202);
    const huge = reading("00-01-01", "00:10", "x".repeat(16_000_000));
    const response = await post([huge]);
    expect(response.status, await response.clone().text()).toBe(202);
    expect(await response.json()).toMatchObject({ events: 1 });
    expect(await longestValue()).toBeLessThanOrEqual(MAX_VALUE_BYTES);
    const flushed = await exports.default.fetch("http://edge/flush", { method: "POST", headers: operator });
    expect(flushed.status, await flushed.clone().text()).toBe(200);
    const late = (await lettersInBucket()).filter((l) => l.raw.includes('"scp":"00-01-01"'));
    expect(late.length).toBe(1);
    expect(late[0]!.reason).toMatch(/^sink lake: /);
    expect(late[0]!.raw).toBe(JSON.stringify(huge));
    // The flush deleted the letter and its parts, and said nothing went wrong.
    const left = await runInDurableObject(lake(), (_instance, state) => state.storage.sql.exec(`SELECT (SELECT count(*) FROM dead) + (SELECT count(*) FROM dead_parts) AS n`).one() as { n: number });
    expect(left.n).toBe(0);
    const m = (await (await exports.default.fetch("http://edge/metrics", { headers: operator })).json()) as { lateEvents: number; objects: { object: string; lastError: string | null }[] };
    expect(m.lateEvents).toBe(1);
    expect(m.objects.find((o) => o.object === "lake/")?.lastError).toBeNull();
  });

  test("a late reading of quotes whose letter escapes past 2 MB is stored in values Cloudflare takes (each at most 2 MB) and written whole", async () => {
    for (const time of ["40:05", "50:05"]) expect((await post([reading("00-02-00", time)])).status).toBe(202);
    // 700k quotes: the event's text is 1.4 MB (each `\"`), its letter's text 2.8 MB (each `\\\"`).
    const quoted = reading("00-02-01", "35:10", '"'.repeat(700_000));
    const response = await post([quoted]);
    expect(response.status, await response.clone().text()).toBe(202);
    expect(await longestValue()).toBeLessThanOrEqual(MAX_VALUE_BYTES);
    expect((await exports.default.fetch("http://edge/flush", { method: "POST", headers: operator })).status).toBe(200);
    const late = (await lettersInBucket()).filter((l) => l.raw.includes('"scp":"00-02-01"'));
    expect(late.map((l) => l.raw)).toEqual([JSON.stringify(quoted)]);
  });

  test("a request of 100,000 readings into open windows is taken (202, not a 503 on every retry) and every reading is kept in its window", async () => {
    // 100k window rows were one SQLite parameter of ~16 MB (SQLITE_TOOBIG locally past ~10 MB, on Cloudflare past 2 MB).
    const before = (await (await exports.default.fetch("http://edge/metrics", { headers: operator })).json()) as { lateEvents: number };
    // All in the minute from 11:00, later than every earlier reading of this file: none is late, no window closes.
    const many = Array.from({ length: 100_000 }, (_, i) => ({ ...reading(`00-03-${String(i % 50).padStart(2, "0")}`, "00:00"), ts: `2026-11-23T11:00:${String(i % 60).padStart(2, "0")}.000Z` }));
    const response = await post(many);
    expect(response.status, await response.clone().text()).toBe(202);
    expect(await response.json()).toMatchObject({ events: 100_000, rows: 100_000, deadLetters: 0 });
    const m = (await (await exports.default.fetch("http://edge/metrics", { headers: operator })).json()) as { windowRows: number; lateEvents: number };
    expect(m.lateEvents).toBe(before.lateEvents);
    expect(m.windowRows).toBeGreaterThanOrEqual(100_000);
  });
});
