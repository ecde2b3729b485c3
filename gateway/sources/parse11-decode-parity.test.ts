/**
 * The gateway's decoder reads a webhook body as the published Worker's `parseBody` does (the notebook's sample is
 * what the pipeline writes): CSV quoted fields with spaces around them (`1, "Smith, Jo"`) and text after a closing
 * quote (an error row naming its line), an NDJSON body with a line that is not UTF-8 (that line an error row of its
 * exact bytes, the others rows; the whole body was one error row), a JSON array with a comma before its closing
 * bracket (an error row, where the Worker answers 400; it was read whole), a pretty-printed payload posted to an
 * NDJSON source (one error row, where the Worker answers 400; it was an error row a line).
 */
import { expect, test } from "vitest";
import { BodyError, parseBody } from "../../edge/worker/parse.ts";
import { decodePayload } from "./decode.ts";

const enc = new TextEncoder();
const concat = (...parts: (string | number[])[]) => new Uint8Array(parts.flatMap((p) => (typeof p === "string" ? [...enc.encode(p)] : p)));

const bodies: [string, "json" | "ndjson" | "csv", Uint8Array][] = [
  ["spreadsheet export", "csv", concat('id, name, city\r\n1, "Smith, Jo", "Paris"\r\n2, "Lee" , "Rome, IT" \r\n4,  "two spaces",Lima\r\n')],
  ["text after a closing quote", "csv", concat('a;b\n1;"x"y\n3;4\n')],
  ["a header with text after a closing quote", "csv", concat('"a"b,c\n1,2\n')],
  ["a tab after a closing quote, one column", "csv", concat('a\n"x"\t\n\n3\n')],
  ["an NDJSON line in Windows-1252", "ndjson", concat([0xef, 0xbb, 0xbf], '{"id":1}\r\n{"id":2,"name":"caf', [0xe9], '"}\r\n\r\n{"id":3}')],
  ["an NDJSON line with an overlong encoding", "ndjson", concat('{"id":1}\n{"id":"', [0xc0, 0xaf], '"}\n{"id":3}\n')],
  ["a JSON array with a trailing comma", "json", concat('[\n  {"id": 7},\n  {"id": 8},\n]\n')],
  ["a pretty-printed payload posted to an NDJSON source", "ndjson", concat('{\r\n  "id": "evt_1",\r\n  "object": "event"\r\n}\r\n')],
  ["an array with an event a line posted to an NDJSON source", "ndjson", concat('[\n{"id": 1},\n{"id": 2}\n]\n')],
];

test.each(bodies)("%s: the gateway's events are the Worker's", (_name, format, body) => {
  let worker: { events: unknown[]; bad: number } | "400";
  try {
    const parsed = parseBody(body, format);
    worker = { events: parsed.events, bad: parsed.bad.length };
  } catch (error) {
    if (!(error instanceof BodyError)) throw error;
    worker = "400";
  }
  const events = decodePayload(body, format, 0);
  const gateway = { events: events.flatMap((e) => (e.ok ? [e.value] : [])), bad: events.filter((e) => !e.ok).length };
  // A body the Worker answers 400 is stored and shown as one error row.
  expect(gateway).toEqual(worker === "400" ? { events: [], bad: 1 } : worker);
});

test("the error rows say what and where: the CSV record's line, the NDJSON line's bad byte with its exact bytes, the array's comma", () => {
  const csv = decodePayload(concat('a;b\n1;2\n3;"x"y\n'), "csv", 0);
  expect(csv[1]).toMatchObject({ ok: false, error: expect.stringMatching(/^decode: CSV record on line 3 has "y" after a quoted field's closing quote \(line 3, column 6\)/) });
  const ndjson = decodePayload(concat('{"id":1}\n{"id":"caf', [0xe9], '"}\r\n'), "ndjson", 0);
  expect(ndjson).toMatchObject([
    { ok: true, value: { id: 1 } },
    { ok: false, raw: '{"id":"caf\u00e9"}', error: "decode: line 2: the line is not valid UTF-8 (byte 11 of the line)" },
  ]);
  expect(Buffer.from((ndjson[1] as { raw: string }).raw, "latin1")).toEqual(Buffer.from(concat('{"id":"caf', [0xe9], '"}')));
  expect(decodePayload(concat('[{"id":7},]'), "json", 0)).toMatchObject([{ ok: false, error: expect.stringMatching(/comma before the closing "\]" of the payload's array, at offset 9/) }]);
});
