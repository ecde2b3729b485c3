import { expect, test } from "vitest";
import { counted } from "./counted.ts";

test("counted says 1 file, 0 files and 2 files, an irregular plural when given, and groups thousands when asked", () => {
  expect([0, 1, 2].map((n) => counted(n, "file"))).toEqual(["0 files", "1 file", "2 files"]);
  expect(counted(1, "dead letter")).toBe("1 dead letter");
  expect([1, 3].map((n) => counted(n, "entry", { plural: "entries" }))).toEqual(["1 entry", "3 entries"]);
  expect([1, 12345].map((n) => counted(n, "event", { grouped: true }))).toEqual(["1 event", "12,345 events"]);
  expect(counted(12345, "event")).toBe("12345 events");
});
