/**
 * bin / to_binary and unbin / from_binary, as DuckDB 1.4.3 gives them: an integer's binary digits
 * without leading zeros (0 is "0"), a negative one in two's complement of 64 bits (128 for a
 * HUGEINT), as DuckDB casts TINYINT..INTEGER to BIGINT first; a text's UTF-8 bytes, eight digits
 * each; and back, binary digits as bytes, the first byte taking what a count short of a multiple of
 * eight leaves. DuckDB's bin of a DOUBLE or FLOAT goes through BIGNUM's byte layout, which is not here:
 * edge/compile/expr.ts refuses it at its line (bin(CAST(x AS BIGINT)) suggested); the error below is a backstop.
 */
import { SqlError, type ScalarFn } from "./contract.ts";
import { strict } from "./strings.ts";

const utf8 = new TextEncoder();

const bin: ScalarFn = strict(([v], ctx) => {
  const type = ctx.argTypes[0] ?? "VARCHAR";
  if (typeof v === "string" || v instanceof Uint8Array) {
    if (v instanceof Uint8Array && type === "BLOB") throw new SqlError("not_implemented", "bin of a BLOB: DuckDB has no bin(BLOB); cast it to VARCHAR");
    let out = "";
    for (const b of typeof v === "string" ? utf8.encode(v) : v) out += b.toString(2).padStart(8, "0");
    return out;
  }
  if ((typeof v === "number" && Number.isInteger(v) && !/^(DOUBLE|FLOAT|REAL)$/.test(type)) || typeof v === "bigint") {
    let n = BigInt(v);
    if (n < 0n) n = BigInt.asUintN(type === "HUGEINT" ? 128 : 64, n);
    return n.toString(2);
  }
  throw new SqlError("not_implemented", `bin of a ${type}: DuckDB gives BIGNUM's byte layout for it; cast the value to BIGINT (or VARCHAR) first`);
});

/** unbin(s): binary digits as bytes; anything but 0 and 1 is DuckDB's error. */
const unbin: ScalarFn = strict(([v]) => {
  const s = v as string;
  const out = new Uint8Array(Math.ceil(s.length / 8));
  const first = s.length % 8 || 8;
  let o = 0;
  let byte = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    // DuckDB names the one byte it read: a character past ASCII is its first UTF-8 byte alone, not text.
    if (c !== "0" && c !== "1") throw new SqlError("invalid_input", `Invalid input for binary digit: ${c.charCodeAt(0) < 0x80 ? c : "\uFFFD"}`);
    byte = (byte << 1) | (c === "1" ? 1 : 0);
    if ((i + 1 - first) % 8 === 0) {
      out[o++] = byte;
      byte = 0;
    }
  }
  return out;
});

export const binScalars13b: Record<string, ScalarFn> = {
  bin,
  to_binary: bin,
  unbin,
  from_binary: unbin,
};
