import { describe, expect, test } from "vitest";
import { decodePayload } from "../../gateway/sources/decode.ts";
import { parseJsonOnce } from "./partition-engine.ts";

const utf8 = new TextEncoder();

describe("parseJsonOnce", () => {
  const texts = [
    `{"a":1,"b":"x","c":[1,2,{"d":null}],"e":true}`,
    `[{"a":1},{"a":2}]`,
    `[]`,
    `null`,
    `"just text"`,
    `{"id":9007199254740991}`,
    `{"id":9007199254740992}`,
    `{"id":-12345678901234567890}`,
    `{"card":"1234567812345678","n":1234567812345678}`,
    `{"big":1e300,"small":0.12345678901234567890,"neg":-0}`,
    `{"__proto__":{"x":1}}`,
    `{"nested":[[[12345678901234567890]]]}`,
    ` {"padded": 1} `,
    `{"price":10.0,"note":"v1.0"}`,
  ];
  for (const text of texts) {
    test(`decodes ${text} as decodePayload does, or leaves it to decodePayload`, () => {
      const bytes = utf8.encode(text);
      const expected = decodePayload(bytes, "json", 0).map((d) => (d.ok ? d.value : d));
      const fast = parseJsonOnce(bytes);
      if (fast === undefined) {
        // Left to decodePayload: only for integers beyond 2^53 and reals with an integral value.
        expect(text).toMatch(/\d{16}|10\.0/);
        return;
      }
      expect(Array.isArray(fast) ? fast : [fast]).toEqual(expected);
    });
  }

  test("leaves what is not JSON or not UTF-8 to decodePayload (its dead letter)", () => {
    expect(parseJsonOnce(utf8.encode("{not json"))).toBeUndefined();
    expect(parseJsonOnce(new Uint8Array([0x7b, 0xff, 0x7d]))).toBeUndefined();
  });
});
