import { expect, test } from "vitest";
import { decodeValue, encodeValue } from "./value-json.ts";

// A Durable Object buffers rows as this JSON: a BLOB of 1 MB was spread into one call as arguments and threw
// "Maximum call stack size exceeded", so its delivery failed at every retry.
test("a 1 MB BLOB goes through the row JSON and back byte for byte", () => {
  const blob = new Uint8Array(1 << 20);
  for (let i = 0; i < blob.length; i++) blob[i] = (i * 31 + 7) & 0xff;
  const json = encodeValue(blob, "BLOB");
  expect(typeof json).toBe("string");
  expect((json as string).length).toBe(4 * Math.ceil(blob.length / 3));
  expect(decodeValue(json, "BLOB")).toEqual(blob);
  expect(encodeValue(new Uint8Array([0, 255, 104, 105]), "BLOB")).toBe("AP9oaQ==");
});
