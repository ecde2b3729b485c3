import { env, exports } from "cloudflare:workers";
import { describe, expect, test } from "vitest";

/**
 * A reading whose time is far ahead of the Worker's clock (a device with a broken clock) is a dead
 * letter of its own and moves no watermark: before, one reading at 9999-12-31 made every later real
 * reading of the sink a late dead letter (window.ts, `max_ahead`, a day by default).
 */
const operator = { authorization: "Bearer workerd-operator" };
let deliveries = 0;
const reading = (scp: string, ts: string) => ({
  station: "59 ST", ca: "A002", unit: "R051", scp, linename: "NQR456W", division: "IRT",
  ts, desc: "REGULAR", entries: 5, exits: 10,
});
const post = (events: unknown[]) =>
  exports.default.fetch("http://edge/ingest/turnstile", {
    method: "POST",
    body: JSON.stringify(events),
    headers: { authorization: "Bearer workerd-token", "x-delivery": `ahead-${deliveries++}` },
  });

describe("an event time far in the future, in workerd", () => {
  test("is one dead letter saying why, and the readings after it are kept in their windows, not late", async () => {
    expect((await post([reading("00-09-00", "2026-11-23T10:20:05.000Z")])).status).toBe(202);
    expect((await post([reading("00-09-01", "9999-12-31T00:00:00.000Z")])).status).toBe(202);
    expect((await post([reading("00-09-02", "2026-11-23T10:21:05.000Z")])).status).toBe(202);
    const m = (await (await exports.default.fetch("http://edge/metrics", { headers: operator })).json()) as { lateEvents: number; deadLetters: number };
    // The one reading ahead is counted with late events; the reading after it is not late.
    expect(m.lateEvents).toBe(1);
    const flushed = await exports.default.fetch("http://edge/flush", { method: "POST", headers: operator });
    expect(flushed.status, await flushed.clone().text()).toBe(200);
    const listed = (await env.LAKE.list({ prefix: "turnstile/" })) as { objects: { key: string }[] };
    const letters: { reason: string; raw: string }[] = [];
    for (const o of listed.objects.filter((x) => x.key.includes("_errors"))) {
      const text = new TextDecoder().decode(await (await env.LAKE.get(o.key))!.arrayBuffer());
      for (const line of text.split("\n").filter(Boolean)) letters.push(JSON.parse(line) as { reason: string; raw: string });
    }
    expect(letters.map((l) => JSON.parse(l.raw).scp)).toEqual(["00-09-01"]);
    expect(letters[0]!.reason).toMatch(/^sink lake: .*event time 9999-12-31 00:00:00 is more than 1 day ahead of the pipeline's clock \(20\d\d-\d\d-\d\d \d\d:\d\d:\d\d(\.\d+)? UTC; max_ahead 1 day\)/);
  });
});
