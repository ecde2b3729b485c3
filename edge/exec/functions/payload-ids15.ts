/**
 * Functions for the identifiers and stamps real payloads carry, as DuckDB 1.4.3 gives them:
 * make_timestamp_ms (Debezium's and Stripe's epoch milliseconds), the parse_* path functions
 * (S3 object keys in CloudTrail records, file paths in logs), uuid_extract_version /
 * uuid_extract_timestamp (UUIDv7 event ids) and format_bytes (transfer sizes for people).
 */
import type { Value } from "../../plan/values.ts";
import { SqlError, type ScalarFn } from "./contract.ts";
import { strict } from "./strings.ts";

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** make_timestamp_ms(ms): milliseconds since 1970 as a TIMESTAMP; a product past 64 bits is DuckDB's Conversion Error. */
const makeTimestampMs: ScalarFn = strict(([ms]) => {
  const us = BigInt(ms as bigint) * 1000n;
  if (us < INT64_MIN || us > INT64_MAX) throw new SqlError("conversion", "Could not convert Timestamp(MS) to Timestamp(US)");
  return us;
});

/**
 * The separator characters of a separator option: 'system' and 'forward_slash' a slash (DuckDB's
 * system separator off Windows), 'backslash' a backslash, anything else (NULL, 'both_slash', any
 * other text, in any case) both.
 */
function separators(option: Value): string {
  if (option === "system" || option === "forward_slash") return "/";
  if (option === "backslash") return "\\";
  return "/\\";
}

/**
 * parse_path's components: a separator at the start is a component of its own (the character
 * itself), the rest split at every separator with empty parts dropped ('//a//b//' is ['/', 'a', 'b']).
 */
function pathParts(path: string, seps: string): string[] {
  const parts: string[] = [];
  let start = 0;
  if (path.length > 0 && seps.includes(path[0]!)) {
    parts.push(path[0]!);
    start = 1;
  }
  let part = "";
  for (let i = start; i < path.length; i++) {
    const c = path[i]!;
    if (seps.includes(c)) {
      if (part !== "") parts.push(part);
      part = "";
    } else part += c;
  }
  if (part !== "") parts.push(part);
  return parts;
}

function lastSeparator(path: string, seps: string): number {
  for (let i = path.length - 1; i >= 0; i--) if (seps.includes(path[i]!)) return i;
  return -1;
}

/** parse_path(path [, separator]): the path's components. */
const parsePath: ScalarFn = (args) => (args[0] === null ? null : pathParts(args[0] as string, separators(args[1] ?? null)));

/** parse_dirname(path [, separator]): the top-level directory; '' for a path with no separator. */
const parseDirname: ScalarFn = (args) => {
  if (args[0] === null) return null;
  const path = args[0] as string;
  const seps = separators(args[1] ?? null);
  return lastSeparator(path, seps) < 0 ? "" : pathParts(path, seps)[0] ?? "";
};

/**
 * parse_dirpath(path [, separator]): the text before the last separator; a separator only at the
 * start gives '' (parse_dirpath('/a') is ''), except for the separator alone ('/' is '/').
 */
const parseDirpath: ScalarFn = (args) => {
  if (args[0] === null) return null;
  const path = args[0] as string;
  const last = lastSeparator(path, separators(args[1] ?? null));
  if (last > 0) return path.slice(0, last);
  return last === 0 && path.length === 1 ? path : "";
};

/**
 * parse_filename(path [, trim_extension] [, separator]): the text after the last separator ('' for
 * a path ending in one), trimmed from its last '.' when asked ('.hidden' trims to '', 'a.b.' to 'a.b').
 * The second argument is the separator when DuckDB bound it as text, else the trim flag.
 */
const parseFilename: ScalarFn = (args, ctx) => {
  if (args[0] === null) return null;
  const path = args[0] as string;
  const secondIsSeparator = args.length === 2 && ctx.argTypes[1] !== "BOOLEAN";
  const trim = !secondIsSeparator && args.length >= 2 && args[1] === true;
  const seps = separators(secondIsSeparator ? args[1]! : args.length === 3 ? args[2]! : null);
  const name = path.slice(lastSeparator(path, seps) + 1);
  if (!trim) return name;
  const dot = name.lastIndexOf(".");
  return dot < 0 ? name : name.slice(0, dot);
};

/** The version nibble of a UUID held as its canonical text (the first digit of the third group). */
function uuidVersion(u: string): number {
  return parseInt(u[14]!, 16);
}

/**
 * uuid_extract_version(uuid): the version digit's character code less that of '0', as DuckDB 1.4.3
 * computes it: the digit for versions 0-9, 49-54 for a-f (the Max UUID ffffffff-ffff-ffff-… is 54).
 */
const uuidExtractVersion: ScalarFn = strict(([u]) => (u as string).toLowerCase().charCodeAt(14) - 48);

/**
 * uuid_extract_timestamp(uuid): a UUIDv7's first 48 bits as milliseconds since 1970, read as a
 * signed 48-bit number as DuckDB reads them (ffffffff-ffff-7… is 1969-12-31 23:59:59.999); any other
 * version is DuckDB's Invalid Input Error.
 */
const uuidExtractTimestamp: ScalarFn = strict(([u]) => {
  const text = u as string;
  const version = uuidVersion(text);
  if (version !== 7) throw new SqlError("invalid_input", `Given UUID is with version ${version}, not version 7.`);
  const ms = BigInt.asIntN(48, BigInt(`0x${text.slice(0, 8)}${text.slice(9, 13)}`));
  return ms * 1000n;
});

const BINARY_UNITS = ["bytes", "KiB", "MiB", "GiB", "TiB", "PiB"];
const DECIMAL_UNITS = ["bytes", "kB", "MB", "GB", "TB", "PB"];

/**
 * format_bytes(n) (formatReadableSize) in units of 1024, formatReadableDecimalSize(n) in units of 1000:
 * the largest unit (up to PiB / PB) with a non-zero count, and one digit of the next unit down,
 * truncated ('1023.9 KiB' for 1,048,575); a negative size is its magnitude's text after '-'.
 */
function readableSize(multiplier: bigint, units: string[]): ScalarFn {
  return strict(([v]) => {
    const n = BigInt(v as bigint | number);
    const magnitude = n < 0n ? -n : n;
    const sign = n < 0n ? "-" : "";
    const parts = [magnitude];
    for (let i = 1; i < units.length; i++) {
      parts.push(parts[i - 1]! / multiplier);
      parts[i - 1] = parts[i - 1]! % multiplier;
    }
    for (let i = units.length - 1; i >= 1; i--) {
      if (parts[i]! !== 0n) return `${sign}${parts[i]}.${(parts[i - 1]! * 10n) / multiplier} ${units[i]}`;
    }
    return `${sign}${magnitude} ${magnitude === 1n ? "byte" : "bytes"}`;
  });
}

export const payloadIdScalars15: Record<string, ScalarFn> = {
  make_timestamp_ms: makeTimestampMs,
  parse_path: parsePath,
  parse_dirname: parseDirname,
  parse_dirpath: parseDirpath,
  parse_filename: parseFilename,
  uuid_extract_version: uuidExtractVersion,
  uuid_extract_timestamp: uuidExtractTimestamp,
  format_bytes: readableSize(1024n, BINARY_UNITS),
  formatreadablesize: readableSize(1024n, BINARY_UNITS),
  formatreadabledecimalsize: readableSize(1000n, DECIMAL_UNITS),
};
