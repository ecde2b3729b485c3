import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { JsonReal, parseEventJson, parseJsonFast, parseJsonLossless, stringifyJsonLossless } from "./lossless-json.ts";

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

  test("with reals, a real whose value is a safe integer is a JsonReal, written back as a real", () => {
    const text = '{"a":10.0,"b":10,"c":-0.0,"d":-0,"e":1e2,"f":2.5,"g":[1.50e1],"h":1e300}';
    const value = parseJsonLossless(text, { duckdb: true }) as Record<string, unknown>;
    expect(value.a).toEqual(new JsonReal(10));
    expect(value.b).toBe(10);
    expect(Object.is((value.c as JsonReal).value, -0)).toBe(true);
    expect(Object.is(value.d, 0)).toBe(true);
    expect(value.e).toEqual(new JsonReal(100));
    expect(value.f).toBe(2.5);
    expect(value.g).toEqual([new JsonReal(15)]);
    expect(value.h).toBe(1e300);
    expect(stringifyJsonLossless(value)).toBe('{"a":10.0,"b":10,"c":-0.0,"d":0,"e":100.0,"f":2.5,"g":[15.0],"h":1e+300}');
    // Without reals (DuckDB's own JSON: parse trees, answers) numbers stay numbers.
    expect(parseJsonLossless(text)).toMatchObject({ a: 10, e: 100 });
    // JSON.stringify writes a JsonReal as a real too (JSON.rawJSON, Node 22 and workerd).
    expect(JSON.stringify({ a: new JsonReal(10) })).toBe('{"a":10.0}');
  });

  test("parseJsonFast answers only when JSON.parse's value is exact, reals included", () => {
    expect(parseJsonFast('{"a":10,"b":"x 1.0"}')).toEqual({ a: 10, b: "x 1.0" });
    expect(parseJsonFast('{"a":2.5}')).toEqual({ a: 2.5 });
    expect(parseJsonFast('{"a":10.0}')).toBeUndefined();
    expect(parseJsonFast('{"a":[1, 1e3]}')).toBeUndefined();
    expect(parseJsonFast('{"a":9007199254740993}')).toBeUndefined();
    expect(parseJsonFast("{not json")).toBeUndefined();
    // Told that no integer sits where the difference shows, it keeps JSON.parse's answer.
    expect(parseJsonFast('{"a":10.0}', () => false)).toEqual({ a: 10 });
    expect(parseJsonFast('{"a":9007199254740993}', () => false)).toBeUndefined();
  });

  test("half a surrogate pair (a UTF-16 string cut inside an emoji) is refused in DuckDB mode, as DuckDB refuses it; a whole pair is read", () => {
    expect(parseJsonFast('{"a": "x\\ud83d"}')).toBeUndefined();
    expect(() => parseJsonLossless('{"a": "x\\ud83d"}', { duckdb: true })).toThrow(/surrogate/);
    expect(() => parseJsonLossless('{"a": "\\udc00x"}', { duckdb: true })).toThrow(/surrogate/);
    expect(() => parseJsonLossless('{"\\ud800": 1}', { duckdb: true })).toThrow(/surrogate/);
    expect(parseJsonFast('{"a": "\\ud83d\\ude00"}')).toEqual({ a: "😀" });
    expect(parseJsonLossless('{"a": "\\ud83d\\ude00"}', { duckdb: true })).toEqual({ a: "😀" });
  });

  test("a number past a double's range (1e400) is read as DuckDB reads it: infinite, but kept as written for a text column and a dead letter", () => {
    const text = '{"a":1e400,"b":[-2E308],"c":1e-400,"d":1.5e300}';
    for (const value of [parseJsonLossless(text, { duckdb: true }), parseEventJson(text), parseEventJson(text, () => false)]) {
      const { a, b, c, d } = value as { a: JsonReal; b: JsonReal[]; c: JsonReal; d: number };
      expect(a).toBeInstanceOf(JsonReal);
      expect([a.value, a.text()]).toEqual([Infinity, "1e400"]);
      expect([b[0]!.value, b[0]!.text()]).toEqual([-Infinity, "-2E308"]);
      expect([c.text(), d]).toEqual(["0.0", 1.5e300]);
      expect(stringifyJsonLossless(value, { duckdb: true })).toBe('{"a":1e400,"b":[-2E308],"c":0.0,"d":1.5e+300}');
    }
    // JSON.parse made it Infinity, so the exact parser answers.
    expect(parseJsonFast(text)).toBeUndefined();
    expect(parseJsonFast(text, () => false)).toBeUndefined();
  });

  test("a non-finite JsonReal is written as DuckDB's literal, as text for the browser, or as null by default", () => {
    const value = parseJsonLossless('{"a": NaN, "b": -inf, "c": 1.0}', { duckdb: true });
    expect(stringifyJsonLossless(value, { duckdb: true })).toBe('{"a":NaN,"b":-inf,"c":1.0}');
    expect(stringifyJsonLossless(value, { nonFiniteAsText: true })).toBe('{"a":"NaN","b":"-inf","c":1.0}');
    expect(stringifyJsonLossless(value)).toBe('{"a":null,"b":null,"c":1.0}');
    expect(JSON.stringify(value)).toBe('{"a":null,"b":null,"c":1.0}');
  });
});


describe("strings of any length", () => {
  test("a string of twelve million characters beside a real is read (it overflowed the stack), and escapes and errors are as before", () => {
    const long = "x".repeat(12_000_000);
    const v = parseJsonLossless(`{"a": 10.0, "s": "${long}", "e": "q\\"\\\\\\u00e9"}`, { duckdb: true }) as Record<string, unknown>;
    expect((v.s as string).length).toBe(12_000_000);
    expect(v.e).toBe('q"\\é');
    expect(parseJsonLossless('["a\\\\", "b"]')).toEqual(["a\\", "b"]);
    expect(() => parseJsonLossless('{"s": "tab\there"}')).toThrow(/malformed string/);
    expect(() => parseJsonLossless('{"s": "bad \\x escape"}')).toThrow(/malformed string/);
    expect(() => parseJsonLossless('{"s": "never closed}')).toThrow(/malformed string/);
  });
});

describe("negative zero", () => {
  // JSON.parse gives -0 for the integer `-0` and the real `-0.0` alike; DuckDB's read_json reads the
  // integer as 0 (a DOUBLE column holds +0.0) and the real as -0.0, so the two must stay apart.
  test("the integer -0 is 0 and the real -0.0 stays a real -0.0", () => {
    const int = parseEventJson('{"x":-0,"y":[1,-0]}') as { x: unknown; y: unknown[] };
    expect(Object.is(int.x, -0)).toBe(false);
    expect(Number(int.x)).toBe(0);
    expect(Object.is(Number(int.y[1]), -0)).toBe(false);
    const real = parseEventJson('{"x":-0.0}') as { x: unknown };
    expect(real.x).toBeInstanceOf(JsonReal);
    expect(Object.is((real.x as JsonReal).value, -0)).toBe(true);
  });
});
