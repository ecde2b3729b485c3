import { expect, test } from "vitest";
import { readEventsText } from "./samples.ts";

test("a JSON array file is its events; NDJSON whose first record is an array is one record per line", () => {
  expect(readEventsText('[{"a":1},{"a":2}]', "s.json")).toEqual([{ a: 1 }, { a: 2 }]);
  expect(readEventsText('[{"a":1},{"a":2}]\n{"a":3}\n', "s.ndjson")).toEqual([[{ a: 1 }, { a: 2 }], { a: 3 }]);
  expect(readEventsText('{"a":1}\n\n{"a":2}', "s.ndjson")).toEqual([{ a: 1 }, { a: 2 }]);
});

test("a file that is neither says which file and line", () => {
  expect(() => readEventsText('[{"a":1}', "s.json")).toThrow(/^s\.json: not JSON/);
  expect(() => readEventsText('[{"a":1}]\n{"a":', "s.ndjson")).toThrow(/^s\.ndjson line 2: not JSON/);
});
