import { exports } from "cloudflare:workers";
import { expect, test } from "vitest";

/**
 * Inside workerd: a JSON array body with a comma before its closing bracket, which DuckDB's read_json refuses
 * ("unexpected character"), is a 400 saying where the comma is, and nothing of the delivery is stored; it was
 * taken whole (the parser takes a trailing comma where yyjson does, inside a record).
 */
const operator = { authorization: "Bearer workerd-operator" };
const reading = (scp: string, entries: number) => ({ station: "59 ST", ca: "A002", unit: "R051", scp, linename: "NQR456W", division: "IRT", ts: "2026-11-22T11:00:00.000Z", desc: "REGULAR", entries, exits: entries * 2 });
const metrics = async () => (await (await exports.default.fetch("http://edge/metrics", { headers: operator })).json()) as { eventsIn: number };

test("a JSON array with a trailing comma is a 400 naming the comma's line and column, and nothing is stored", async () => {
  const before = (await metrics()).eventsIn;
  const body = `[\r\n${JSON.stringify(reading("11-00-00", 1))},\r\n${JSON.stringify(reading("11-00-01", 2))} , \r\n]`;
  const response = await exports.default.fetch("http://edge/ingest/turnstile", { method: "POST", body, headers: { authorization: "Bearer workerd-token", "x-delivery": "parse11-comma" } });
  expect(response.status).toBe(400);
  const offset = body.lastIndexOf(",");
  const column = offset - body.lastIndexOf("\n", offset);
  expect(await response.json()).toEqual({
    error: `parse: malformed JSON: a comma before the closing "]" of the body's array (line 3, column ${column}), which DuckDB's read_json refuses; remove the comma after the last event`,
    position: { offset, line: 3, column },
  });
  expect((await metrics()).eventsIn).toBe(before);
  // The same events without the comma are taken.
  const fixed = await exports.default.fetch("http://edge/ingest/turnstile", { method: "POST", body: body.slice(0, offset) + body.slice(offset + 1), headers: { authorization: "Bearer workerd-token", "x-delivery": "parse11-fixed" } });
  expect(fixed.status).toBe(202);
  expect(await fixed.json()).toMatchObject({ events: 2 });
  expect((await metrics()).eventsIn).toBe(before + 2);
});

test("a form-encoded payload percent-encoded in Latin-1 is a 400 saying it is not UTF-8, where, and nothing is stored; UTF-8 is taken", async () => {
  const before = (await metrics()).eventsIn;
  const form = (json: string) => `payload=${encodeURIComponent(json).replace("%C3%A9", "%E9")}`;
  const latin1 = form(JSON.stringify({ ...reading("11-00-02", 3), station: "Café" }));
  const refused = await exports.default.fetch("http://edge/ingest/turnstile", {
    method: "POST",
    body: latin1,
    headers: { authorization: "Bearer workerd-token", "x-delivery": "parse11-form-latin1", "content-type": "application/x-www-form-urlencoded" },
  });
  // Before, the byte was read as U+FFFD: "Caf\uFFFD" was written with a 202.
  expect(refused.status).toBe(400);
  const offset = '{"station":"Caf'.length;
  expect(await refused.json()).toEqual({
    error: `parse: the body is not valid UTF-8 (byte ${offset} at line 1, column ${offset + 1}) (in the form's payload field, percent-decoded: send it percent-encoded UTF-8)`,
    position: { offset, line: 1, column: offset + 1 },
  });
  expect((await metrics()).eventsIn).toBe(before);
  const utf8 = await exports.default.fetch("http://edge/ingest/turnstile", {
    method: "POST",
    body: `payload=${encodeURIComponent(JSON.stringify({ ...reading("11-00-02", 3), station: "Café" }))}`,
    headers: { authorization: "Bearer workerd-token", "x-delivery": "parse11-form-utf8", "content-type": "application/x-www-form-urlencoded" },
  });
  expect(utf8.status).toBe(202);
  expect((await metrics()).eventsIn).toBe(before + 1);
});
