/**
 * Object keys every sink accepts: the same rules for fs, s3 and r2, so a
 * pipeline that works against the local fs sink works against a bucket.
 * A key is 1–1024 UTF-8 bytes of `/`-separated segments; no segment is
 * empty, `.` or `..`; no control characters, U+FFFE or U+FFFF (XML 1.0, which
 * S3 listings use, cannot carry them) and no backslash (a path separator on Windows).
 */
export function checkKey(sink: string, key: string): void {
  const problem = keyProblem(key);
  if (problem) throw new Error(`sink ${sink}: invalid key ${JSON.stringify(key)}: ${problem}`);
}

const utf8 = new TextEncoder();

function keyProblem(key: string): string | null {
  if (key.length === 0) return "empty";
  if (utf8.encode(key).length > 1024) return "longer than 1024 bytes";
  if (key.startsWith("/")) return "absolute (starts with /)";
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(key)) return "contains a control character";
  if (/[\uFFFE\uFFFF]/.test(key)) return "contains U+FFFE or U+FFFF, which an S3 listing (XML 1.0) cannot carry";
  if (key.includes("\\")) return "contains a backslash";
  if (/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(key)) return "contains a lone surrogate";
  for (const segment of key.split("/")) {
    if (segment === "") return "has an empty path segment";
    if (segment === "." || segment === "..") return `has a ${segment} segment`;
  }
  return null;
}

/**
 * Orders keys by their UTF-8 bytes, as S3 and R2 list them. JavaScript's
 * default sort compares UTF-16 code units, which disagrees for characters
 * above U+FFFF against U+E000–U+FFFF.
 */
export function compareKeys(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.codePointAt(i)!;
    const y = b.codePointAt(i)!;
    if (x !== y) return x - y;
    if (x > 0xffff) i++;
  }
  return a.length - b.length;
}
