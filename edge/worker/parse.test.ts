import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { JsonReal, parseJsonLossless, RepeatedKeys, stringifyJsonLossless } from "../duckdb/lossless-json.ts";
import { integersAtText } from "../exec/convert.ts";
import { BodyError, latin1Text, parseBody } from "./parse.ts";

const bytes = (text: string) => new TextEncoder().encode(text);

describe("parseBody", () => {
  test("json: one event, or one per element of a top-level array; big integers stay exact", () => {
    expect(parseBody(bytes('{"a":1}'), "json")).toEqual({ events: [{ a: 1 }], raws: ['{"a":1}'], bad: [] });
    expect(parseBody(bytes('[{"a":1},{"a":2}]'), "json").events).toEqual([{ a: 1 }, { a: 2 }]);
    expect(parseBody(bytes('{"id":9223372036854775807}'), "json").events).toEqual([{ id: 9223372036854775807n }]);
  });

  test("json: a syntax error is a BodyError at its offset, line and column", () => {
    const text = '{"a": 1,\n "b": tru}';
    let error: unknown;
    try {
      parseBody(bytes(text), "json");
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(BodyError);
    expect((error as BodyError).position).toEqual({ offset: 15, line: 2, column: 7 });
    expect((error as BodyError).message).toMatch(/^parse: malformed JSON: .* \(line 2, column 7\)$/);
  });

  test("json: a body that is not UTF-8 is a BodyError", () => {
    expect(() => parseBody(new Uint8Array([0x7b, 0xff, 0x7d]), "json")).toThrow(/not valid UTF-8/);
  });

  test("ndjson: one event per non-empty line, CRLF too; a bad line is a dead letter naming its line", () => {
    expect(parseBody(bytes('{"a":1}\r\n\n{"a":2}\n'), "ndjson")).toEqual({ events: [{ a: 1 }, { a: 2 }], raws: ['{"a":1}', '{"a":2}'], bad: [] });
    const mixed = parseBody(bytes('{"a":1}\n{"a":\n{"a":3}'), "ndjson");
    expect(mixed.events).toEqual([{ a: 1 }, { a: 3 }]);
    expect(mixed.bad).toHaveLength(1);
    expect(mixed.bad[0]!.raw).toBe('{"a":');
    expect(mixed.bad[0]!.reason).toMatch(/^line 2: parse: malformed JSON/);
    // Two values on one line are not one event.
    expect(parseBody(bytes("1,2\n3"), "ndjson").bad).toHaveLength(1);
  });

  test("json array: each event's raw text is the element as sent (big integers, 10.0, NaN, text with , ] })", () => {
    const body = '[ {"a": 12345678901234567890, "n": NaN} ,{"a":10.0,"s":"x,]}\\"y"}, 5 ,\n"t" ]';
    const parsed = parseBody(bytes(body), "json");
    expect(parsed.raws).toEqual(['{"a": 12345678901234567890, "n": NaN}', '{"a":10.0,"s":"x,]}\\"y"}', "5", '"t"']);
    expect(parsed.events).toHaveLength(4);
    expect(parseBody(bytes("\ufeff[1,[2,3],{}]"), "json").raws).toEqual(["1", "[2,3]", "{}"]);
    expect(parseBody(bytes("[]"), "json").raws).toEqual([]);
  });

  test("JSON nested more than 1000 levels deep is a dead letter with the payload saying so, not an exception (a 5xx is retried forever); 1000 levels are read", () => {
    const nest = (levels: number, inner = "1") => `{"a": ${"[".repeat(levels - 1)}${inner}${"]".repeat(levels - 1)}}`;
    const deep = nest(200000);
    const json = parseBody(bytes(deep), "json");
    expect(json.events).toEqual([]);
    expect(json.bad).toEqual([{ reason: "parse: the value is nested more than 1000 levels deep, which runnel does not read (DuckDB's read_json does)", raw: deep }]);
    // 1001 levels, through each parser: JSON.parse's, the exact one (NaN), the big-integer one.
    const lines = [nest(1000), nest(1001), nest(1001, "NaN"), nest(1001, "12345678901234567890"), nest(1000, "NaN")];
    const nd = parseBody(bytes(lines.join("\n")), "ndjson");
    expect(nd.events).toHaveLength(2);
    expect(nd.bad.map((b) => b.reason)).toEqual([2, 3, 4].map((n) => `line ${n}: parse: the value is nested more than 1000 levels deep, which runnel does not read (DuckDB's read_json does)`));
    // In a JSON array body, only that element.
    const array = parseBody(bytes(`[{"id": 1}, ${nest(1001)}, {"id": 3}]`), "json");
    expect(array.events).toEqual([{ id: 1 }, { id: 3 }]);
    expect(array.bad.map((b) => b.reason)).toEqual(["element 2: parse: the value is nested more than 1000 levels deep, which runnel does not read (DuckDB's read_json does)"]);
  });

  test("ndjson: a line that is not UTF-8 is a dead letter (its Latin-1 reading gives the bytes back); the other lines count", () => {
    const enc = new TextEncoder();
    const body = new Uint8Array([0xef, 0xbb, 0xbf, ...enc.encode('{"a":1}\r\n{"a":"'), 0xff, 0x41, ...enc.encode('"}\r\n\n{"a":"ü"}\n'), 0xc3]);
    const parsed = parseBody(body, "ndjson");
    expect(parsed.events).toEqual([{ a: 1 }, { a: "ü" }]);
    expect(parsed.raws).toEqual(['{"a":1}', '{"a":"ü"}']);
    expect(parsed.bad).toEqual([
      { reason: "line 2: parse: the line is not valid UTF-8 (byte 7 of the line)", raw: '{"a":"\u00ffA"}' },
      { reason: "line 5: parse: the line is not valid UTF-8 (byte 1 of the line)", raw: "\u00c3" },
    ]);
    expect(Buffer.from(parsed.bad[0]!.raw, "latin1")).toEqual(Buffer.from([...enc.encode('{"a":"'), 0xff, 0x41, ...enc.encode('"}')]));
  });

  test("ndjson: each line reads the same whatever the other lines hold (a BOM first, CRLF, text past U+00FF, big integers, a repeated key, a bad line)", () => {
    const lines = ['{"id":1,"banner":"Soldes d\'hiver"}', '{"id":2,"banner":"冬のセール 🎮"}', '{"id":12345678901234567890,"n":10.0}', '{"a":1,"a":2}', '{"id":', '{"s":"\\u00e9\u00e9"}'];
    const parsed = parseBody(bytes(`\ufeff${lines.join("\r\n")}\r\n`), "ndjson");
    const alone = lines.map((line) => parseBody(bytes(line), "ndjson"));
    expect(parsed.events).toEqual(alone.flatMap((p) => p.events));
    expect(parsed.raws).toEqual(lines.filter((_, i) => i !== 4));
    expect(parsed.events[2]).toEqual({ id: 12345678901234567890n, n: new JsonReal(10) });
    expect(parsed.events[3]).toBeInstanceOf(RepeatedKeys);
    expect(parsed.bad.map((b) => b.reason)).toEqual([alone[4]!.bad[0]!.reason.replace(/^line 1:/, "line 5:")]);
  });

  test("a gzip-compressed body is refused whole, in every format, saying so", async () => {
    const { gzipSync } = await import("node:zlib");
    for (const format of ["json", "ndjson", "csv"] as const) {
      expect(() => parseBody(new Uint8Array(gzipSync('{"a":1}\n{"a":2}\n')), format)).toThrow(/^parse: the body is gzip-compressed/);
    }
  });

  test("json: a body that is not UTF-8 names the first bad byte's position", () => {
    let error: unknown;
    try {
      parseBody(new Uint8Array([0x7b, 0x0a, 0x22, 0xe2, 0x82, 0x22, 0x7d]), "json");
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(BodyError);
    expect((error as BodyError).message).toBe("parse: the body is not valid UTF-8 (byte 3 at line 2, column 2)");
    expect((error as BodyError).position).toEqual({ offset: 3, line: 2, column: 2 });
  });

  test("csv: header line, quoted fields as text (the plan casts them as read_csv does), empty is NULL; a short record is a dead letter", () => {
    const parsed = parseBody(bytes('a,b,c\n1,"x, ""y""",true\n007,,false\n3,z\n'), "csv");
    expect(parsed.events).toEqual([
      { a: "1", b: 'x, "y"', c: "true" },
      { a: "007", b: null, c: "false" },
    ]);
    expect(parsed.bad).toEqual([{ reason: "parse: CSV record on line 4 has 2 fields, the header has 3", raw: "3,z" }]);
    expect(parseBody(bytes("id\n12345678901234567890\n"), "csv").events).toEqual([{ id: "12345678901234567890" }]);
    expect(parseBody(bytes("a,b\n7\n"), "csv").bad).toEqual([{ reason: "parse: CSV record on line 2 has 1 field, the header has 2", raw: "7" }]);
  });
});

describe("exact integers", () => {
  test("integers beyond 2^53 are bigint, in json and ndjson bodies, as DuckDB reads them", () => {
    const text =
      '{"a":9007199254740993,"b":-12345678901234567890,"c":1.5e300,"d":9007199254740991,"e":"12345678901234567890","f":[0.12345678901234567891,1e-12345678901234567,12345678901234567890.5,"x\\"12345678901234567890"]}';
    const expected = {
      a: 9007199254740993n,
      b: -12345678901234567890n,
      c: 1.5e300,
      d: 9007199254740991,
      e: "12345678901234567890",
      // 1e-12345678901234567 is the real 0.0, as DuckDB reads it.
      f: [0.12345678901234567891, new JsonReal(0), 12345678901234567890.5, 'x"12345678901234567890'],
    };
    expect(parseBody(bytes(text), "json").events).toEqual([expected]);
    expect(parseBody(bytes(`${text}\n${text}`), "ndjson").events).toEqual([expected, expected]);
  });
});

describe("exact integers against the lossless parser", () => {
  // Strings full of digit runs, quotes and backslashes next to long integers, fractions and exponents.
  const digits = fc.stringMatching(/^-?\d{14,22}$/);
  const text = fc.oneof(fc.string(), digits, fc.stringMatching(/^[\d"\\:,\[\]{} .eE+-]{0,40}$/));
  const real = fc.integer({ min: -1e15, max: 1e15 }).map((n) => new JsonReal(n));
  const scalar = fc.oneof(text, digits.map((d) => BigInt(d)), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.integer(), real, fc.boolean(), fc.constant(null));
  const value = fc.letrec((tie) => ({
    node: fc.oneof({ depthSize: "small" }, scalar, fc.array(tie("node"), { maxLength: 4 }), fc.dictionary(text, tie("node"), { maxKeys: 4 })),
  })).node;
  test("parseBody reads every value as parseJsonLossless does, in json and ndjson, reals with an integral value (10.0) kept", () => {
    fc.assert(
      fc.property(fc.array(value, { minLength: 1, maxLength: 5 }), (events) => {
        const lines = events.map((e) => stringifyJsonLossless(e));
        const expected = lines.map((l) => parseJsonLossless(l, { duckdb: true }));
        expect(parseBody(bytes(lines.join("\n")), "ndjson").events).toEqual(expected);
        expect(parseBody(bytes(`[${lines.join(",")}]`), "json").events).toEqual(expected);
      }),
      { numRuns: 500 },
    );
  });

  test("a real with an integral value stays a JsonReal only where the schema prints it as text", () => {
    const body = bytes(`{"n": 10.0, "s": 12.0, "t": "1.0"}\n{"n": 3, "s": 4}`);
    const schema = [{ name: "n", type: "DOUBLE" }, { name: "s", type: "VARCHAR" }, { name: "t", type: "VARCHAR" }];
    const [first, second] = parseBody(body, "ndjson", integersAtText(schema)).events as Record<string, unknown>[];
    expect(first!.s).toBeInstanceOf(JsonReal);
    expect((first!.s as JsonReal).text()).toBe("12.0");
    expect(first!.t).toBe("1.0");
    expect(second).toEqual({ n: 3, s: 4 });
    // Where no text column holds an integer, JSON.parse's answer stands: a DOUBLE reads 10.0 and 10 alike.
    const numeric = parseBody(bytes(`{"n": 10.0}`), "json", integersAtText(schema)).events[0] as Record<string, unknown>;
    expect(numeric.n).toBe(10);
  });

  test("an event with an object that has a key twice is kept for the converter, which refuses it only where DuckDB does", () => {
    const nd = parseBody(bytes('{"id":1}\n{"id":2,"id":3,"b":"x"}\n{"id":4,"p":{"k":1,"k":2}}\n'), "ndjson");
    expect(nd.bad).toEqual([]);
    expect(nd.raws).toEqual(['{"id":1}', '{"id":2,"id":3,"b":"x"}', '{"id":4,"p":{"k":1,"k":2}}']);
    expect(nd.events[1]).toBeInstanceOf(RepeatedKeys);
    expect(RepeatedKeys.members(nd.events[1] as RepeatedKeys)).toEqual([["id", 2], ["id", 3], ["b", "x"]]);
    expect((nd.events[2] as { p: unknown }).p).toBeInstanceOf(RepeatedKeys);
    // A JSON array body: each element as sent, the repeat kept.
    const array = parseBody(bytes('[{"id":1}, {"id":2,"id":3}]'), "json");
    expect(array.raws).toEqual(['{"id":1}', '{"id":2,"id":3}']);
    expect(array.events[1]).toBeInstanceOf(RepeatedKeys);
  });

  test("a line with half a surrogate pair is a dead letter, as DuckDB refuses it; a JSON body with one is a 400", () => {
    const parsed = parseBody(bytes('{"a": "ok \\ud83d\\ude00"}\n{"a": "cut \\ud83d"}\n'), "ndjson");
    expect(parsed.events).toEqual([{ a: "ok 😀" }]);
    expect(parsed.bad).toEqual([{ reason: expect.stringMatching(/^line 2: parse: malformed JSON: no low surrogate/), raw: '{"a": "cut \\ud83d"}' }]);
    expect(() => parseBody(bytes('{"a": "\\udc00"}'), "json")).toThrow(BodyError);
  });
});


describe("splitRowsText (a Durable Object stores no value over 2 MB)", () => {
  test("cuts a batch's rows at row boundaries into parts of at most maxChars, a longer row alone; the rows are unchanged", async () => {
    const { splitRowsText } = await import("./object.ts");
    const rows = ['[1,"a,]",null]', '["' + "x".repeat(50) + '"]', "[2,[3,4],{\"k\":\"]\"}]", "[12345678901234567890]"];
    const json = `[${rows.join(",")}]`;
    const parts = splitRowsText(json, rows.length, 30);
    expect(parts.map((p) => p.count)).toEqual([1, 1, 1, 1]);
    expect(parts.flatMap((p) => JSON.parse(p.json.replace(/\d{16,}/g, '"$&"')) as unknown[])).toEqual(JSON.parse(json.replace(/\d{16,}/g, '"$&"')));
    expect(splitRowsText(json, rows.length, 1000)).toEqual([{ json, count: 4 }]);
    const two = splitRowsText("[[1],[2],[3]]", 3, 10);
    expect(two).toEqual([{ json: "[[1],[2]]", count: 2 }, { json: "[[3]]", count: 1 }]);
  });
});

test("a CSV body's header names are read_csv's, so a repeated name keeps both values", () => {
  const body = new TextEncoder().encode("id,id, name ,\n1,2,x,y\n");
  expect(parseBody(body, "csv").events).toEqual([{ id: "1", id_1: "2", name: "x", column3: "y" }]);
});

test("a CSV body's delimiter is sniffed from its header as read_csv does: `;`, `|` and tab bodies keep their columns", () => {
  expect(parseBody(bytes('id;amount;name\n1;1,5;"a;b"\n2;2,25\n'), "csv")).toEqual({
    events: [{ id: "1", amount: "1,5", name: "a;b" }],
    raws: ['1;1,5;"a;b"'],
    bad: [{ reason: "parse: CSV record on line 3 has 2 fields, the header has 3", raw: "2;2,25" }],
  });
  expect(parseBody(bytes("id\tname\r\n1\tx,y\r\n"), "csv").events).toEqual([{ id: "1", name: "x,y" }]);
  expect(parseBody(bytes("id|name\n1|x\n"), "csv").events).toEqual([{ id: "1", name: "x" }]);
  // A comma header stays a comma file whatever its values hold.
  expect(parseBody(bytes("id,note\n1,a;b;c\n"), "csv").events).toEqual([{ id: "1", note: "a;b;c" }]);
});

test("a CSV body's column named __proto__ is a field like any other, as read_csv reads it", () => {
  const { events } = parseBody(bytes("id,__proto__,constructor\n1,x,y\n2,,\n"), "csv");
  expect(events.map((e) => Object.entries(e as object))).toEqual([
    [["id", "1"], ["__proto__", "x"], ["constructor", "y"]],
    [["id", "2"], ["__proto__", null], ["constructor", null]],
  ]);
  expect(events.every((e) => Object.getPrototypeOf(e) === Object.prototype)).toBe(true);
});

test("a CSV body that ends inside a quoted field is refused with where the quote opened", () => {
  let error: unknown;
  try {
    parseBody(bytes('id,note\n1,"ok"\n2,"never closed\n3,x\n'), "csv");
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(BodyError);
  expect((error as BodyError).message).toBe("parse: CSV ends inside a quoted field (the quote opened at line 3, column 3)");
  expect((error as BodyError).position).toEqual({ offset: 17, line: 3, column: 3 });
});

describe("bytes that are not UTF-8 (worker8)", () => {
  const enc = new TextEncoder();
  const every = Array.from({ length: 256 }, (_, i) => i).filter((b) => b !== 0x0a);

  test("an NDJSON dead letter gives back every byte it was sent, 0x80–0x9F too (TextDecoder's latin1 is windows-1252: 0x80 came back as 0xAC)", () => {
    const line = [0x7b, ...every, 0x7d];
    const parsed = parseBody(new Uint8Array([...enc.encode('{"a":1}\n'), ...line, 0x0a]), "ndjson");
    expect(parsed.events).toEqual([{ a: 1 }]);
    expect(parsed.bad).toHaveLength(1);
    // The line's trailing CR is dropped as a line end; here the line ends in "}".
    expect([...Buffer.from(parsed.bad[0]!.raw, "latin1")]).toEqual(line);
    expect(latin1Text(new Uint8Array(every))).toBe(Buffer.from(every).toString("latin1"));
    const big = new Uint8Array(100_000).map((_, i) => 0x80 + (i % 32));
    expect(Buffer.from(latin1Text(big), "latin1").equals(Buffer.from(big))).toBe(true);
  });

  test("a CSV record that is not UTF-8 is a dead letter with its exact bytes (quoted line breaks inside), the other records events; a header that is not UTF-8 refuses the body", () => {
    const body = new Uint8Array([...enc.encode('\ufeffid;name\r\n1;"'), 0x80, 0x0a, 0x9f, ...enc.encode('"\r\n2;ok\r\n3;"a\r\nb"\r\n4;'), 0xe9, ...enc.encode("\r\n5;ü\r\n")]);
    const parsed = parseBody(body, "csv");
    expect(parsed.events).toEqual([{ id: "2", name: "ok" }, { id: "3", name: "a\r\nb" }, { id: "5", name: "ü" }]);
    expect(parsed.raws).toEqual(["2;ok", '3;"a\r\nb"', "5;ü"]);
    expect(parsed.bad.map((b) => b.reason)).toEqual(["parse: the CSV record on line 2 is not valid UTF-8 (byte 4 of the record)", "parse: the CSV record on line 7 is not valid UTF-8 (byte 3 of the record)"]);
    expect(parsed.bad.map((b) => [...Buffer.from(b.raw, "latin1")])).toEqual([[0x31, 0x3b, 0x22, 0x80, 0x0a, 0x9f, 0x22], [0x34, 0x3b, 0xe9]]);
    expect(() => parseBody(new Uint8Array([0x69, 0x64, 0xe9, 0x0a, 0x31, 0x0a]), "csv")).toThrow("parse: the body is not valid UTF-8 (byte 2 at line 1, column 3)");
  });

  test("json: an empty body says it is empty; values one after another name format: ndjson", () => {
    for (const body of ["", "  \n", "\ufeff"]) expect(() => parseBody(enc.encode(body), "json")).toThrow("parse: the body is empty; a json source reads one JSON value, or an array of events, per delivery");
    expect(() => parseBody(enc.encode('{"a":1}\n{"a":2}'), "json")).toThrow(/unexpected text after the JSON value at offset 8 \(line 2, column 1\); a json source reads one JSON value, or an array of events, per delivery \(for one event per line, set the source's format: ndjson\)$/);
    // NDJSON lines keep their own message.
    expect(parseBody(enc.encode('{"a":1} {"a":2}\n'), "ndjson").bad[0]!.reason).not.toMatch(/format: ndjson/);
  });
});
