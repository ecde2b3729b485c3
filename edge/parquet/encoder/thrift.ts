import { Bytes } from "./bytes.ts";

/**
 * Thrift's compact protocol, as much of it as Parquet's footer and page
 * headers need. A struct is written as a list of fields in id order; a
 * field's value says its Thrift type, so callers describe structs as data.
 */
export type TValue =
  | { t: "bool"; v: boolean }
  | { t: "i8"; v: number }
  | { t: "i32"; v: number }
  | { t: "i64"; v: bigint | number }
  | { t: "bin"; v: Uint8Array | string }
  | { t: "list"; elem: "i32" | "bin" | "struct"; v: TValue[] }
  | { t: "struct"; v: TField[] };
export type TField = [id: number, value: TValue | undefined];

const TYPE = { bool: 1, i8: 3, i32: 5, i64: 6, bin: 8, list: 9, struct: 12 } as const;
const utf8 = new TextEncoder();

export const i32 = (v: number): TValue => ({ t: "i32", v });
export const i64 = (v: bigint | number): TValue => ({ t: "i64", v });
export const bin = (v: Uint8Array | string): TValue => ({ t: "bin", v });
export const bool = (v: boolean): TValue => ({ t: "bool", v });
export const struct = (...v: TField[]): TValue => ({ t: "struct", v });

export function writeStruct(out: Bytes, fields: TField[]): void {
  let last = 0;
  for (const [id, value] of fields) {
    if (value === undefined) continue;
    const type = value.t === "bool" ? (value.v ? 1 : 2) : TYPE[value.t];
    const delta = id - last;
    if (delta > 0 && delta <= 15) out.u8((delta << 4) | type);
    else {
      out.u8(type);
      out.varint(zigzag32(id));
    }
    last = id;
    if (value.t !== "bool") writeValue(out, value);
  }
  out.u8(0);
}

function writeValue(out: Bytes, value: TValue): void {
  switch (value.t) {
    case "bool":
      out.u8(value.v ? 1 : 2);
      return;
    case "i8":
      out.u8(value.v & 0xff);
      return;
    case "i32":
      out.varint(zigzag32(value.v));
      return;
    case "i64": {
      const x = BigInt(value.v);
      out.varbig(x >= 0n ? x << 1n : (-x << 1n) - 1n);
      return;
    }
    case "bin": {
      const bytes = typeof value.v === "string" ? utf8.encode(value.v) : value.v;
      out.varint(bytes.length);
      out.bytes(bytes);
      return;
    }
    case "list": {
      const type = TYPE[value.elem];
      if (value.v.length < 15) out.u8((value.v.length << 4) | type);
      else {
        out.u8(0xf0 | type);
        out.varint(value.v.length);
      }
      for (const item of value.v) writeValue(out, item);
      return;
    }
    case "struct":
      writeStruct(out, value.v);
      return;
  }
}

function zigzag32(x: number): number {
  return x >= 0 ? x * 2 : -x * 2 - 1;
}
