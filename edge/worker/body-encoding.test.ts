import { describe, expect, test } from "vitest";
import { charsetOf, encodingRefusal } from "./body-encoding.ts";

const headers = (h: Record<string, string>) => new Headers(h);
const ascii = new TextEncoder().encode('{"a":1}');

describe("encodingRefusal", () => {
  test("a body still gzip-compressed once decoded is refused; the Content-Encoding header is decodeBody's", () => {
    expect(encodingRefusal(headers({}), new Uint8Array([0x1f, 0x8b, 8]))).toBe(
      "ingest: the body is still gzip-compressed once this Worker decompressed it (it starts with the bytes 1f 8b): compress it once, and say so with Content-Encoding: gzip",
    );
    expect(encodingRefusal(headers({ "content-encoding": "gzip" }), ascii)).toBeNull();
  });

  test("UTF-16 and UTF-32 are refused whatever the bytes; another declared charset only where the body is not UTF-8", () => {
    for (const charset of ["utf-16", "UTF-16LE", '"utf-16be"', "utf-32", "ucs-2"]) expect(encodingRefusal(headers({ "content-type": `text/csv; charset=${charset}` }), ascii)).toMatch(/^ingest: the body is declared charset=/);
    expect(encodingRefusal(headers({}), new Uint8Array([0xff, 0xfe, 0x7b, 0]))).toMatch(/byte order mark ff fe/);
    expect(encodingRefusal(headers({ "content-type": "application/json; charset=iso-8859-1" }), ascii)).toBeNull();
    expect(encodingRefusal(headers({ "content-type": "application/json; charset=windows-1252" }), new Uint8Array([0x22, 0x80, 0x22]))).toBe(
      "ingest: the body is declared charset=windows-1252 (Content-Type) and is not valid UTF-8 (byte 1); runnel reads UTF-8 bodies only: send it as UTF-8 (charset=utf-8)",
    );
    // UTF-8 declared: the parser's own message names the bad byte (a 400).
    expect(encodingRefusal(headers({ "content-type": "application/json; charset=UTF-8" }), new Uint8Array([0x22, 0x80, 0x22]))).toBeNull();
  });

  test("charsetOf reads the parameter, quoted or not, any case", () => {
    expect(charsetOf("application/json")).toBeNull();
    expect(charsetOf("application/json;charset=UTF-8")).toBe("utf-8");
    expect(charsetOf('text/csv; foo=bar; Charset="Latin1" ')).toBe("latin1");
    expect(charsetOf(null)).toBeNull();
  });
});
