import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { parseJsonLossless, stringifyJsonLossless } from "./lossless-json.ts";

describe("lossless JSON", () => {
  test("parses what JSON.parse parses, to the same value but for integers beyond 2^53", () => {
    const exact = (v: unknown): unknown => {
      if (typeof v === "number" && !Number.isSafeInteger(v) && /^-?\d+$/.test(String(v))) return BigInt(String(v));
      if (Array.isArray(v)) return v.map(exact);
      if (v !== null && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, exact(x)]));
      return v;
    };
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const text = JSON.stringify(value, null, 1);
        expect(parseJsonLossless(text)).toEqual(exact(JSON.parse(text)));
      }),
    );
  });

  test("writes what JSON.stringify writes", () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        expect(stringifyJsonLossless(value)).toBe(JSON.stringify(value));
      }),
    );
  });

  test("integers beyond 2^53 become bigints and are written back digit for digit", () => {
    const text = '{"a":9007199254740993,"b":-18446744073709551615,"c":9007199254740991,"d":1e400,"e":1.5}';
    const value = parseJsonLossless(text);
    expect(value).toEqual({ a: 9007199254740993n, b: -18446744073709551615n, c: 9007199254740991, d: Infinity, e: 1.5 });
    expect(stringifyJsonLossless({ ...(value as object), d: 1 })).toBe(text.replace("1e400", "1"));
  });

  test("a key named __proto__ is data", () => {
    const value = parseJsonLossless('{"__proto__": {"x": 1}}') as Record<string, unknown>;
    expect(Object.keys(value)).toEqual(["__proto__"]);
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
  });

  test("malformed text fails with the offset", () => {
    expect(() => parseJsonLossless('{"a": 1,}')).toThrow("json: expected a string key at offset 8");
    expect(() => parseJsonLossless("[1 2]")).toThrow("json: expected ',' or ']' at offset 3");
    expect(() => parseJsonLossless('"\u0001"')).toThrow("json: malformed string at offset 0");
    expect(() => parseJsonLossless("")).toThrow("json: unexpected end of input at offset 0");
    expect(() => parseJsonLossless("1 1")).toThrow("json: unexpected text after the JSON value at offset 2");
  });

  test("undefined, functions and NaN follow JSON.stringify", () => {
    const value = { a: undefined, b: [undefined, () => 1, Number.NaN], c: new Date(0) };
    expect(stringifyJsonLossless(value)).toBe(JSON.stringify(value));
  });
});
