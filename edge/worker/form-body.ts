/**
 * The JSON a form-encoded webhook carries. GitHub's default content type for a new webhook is
 * `application/x-www-form-urlencoded`: the body is `payload=<the JSON, percent-encoded>`, and the
 * signature is over that body as sent, so this runs after verification, on the verified bytes.
 * Another content type, or JSON sent under the form's content type (curl's default): the body itself.
 *
 * The payload is percent-decoded to its bytes (`+` a space, a `%` not followed by two hex digits kept as
 * written, as `URLSearchParams` reads a form), not to text: the JSON reader then refuses bytes that are not
 * UTF-8 with where they are, as it refuses such a JSON body. `URLSearchParams` put U+FFFD in their place, so a
 * sender that percent-encoded Latin-1 (`caf%E9`) had `caf�` written to the lake with a 202.
 */
export function formPayload(body: Uint8Array, contentType: string | null | undefined): { ok: true; body: Uint8Array } | { ok: false; reason: string } {
  if (!contentType || !/^\s*application\/x-www-form-urlencoded\s*(;|$)/i.test(contentType)) return { ok: true, body };
  // JSON under a form's label: \`curl -d @events.json\` and \`--data-binary\` send that content type unless told otherwise,
  // and a form's first field name never starts with { or [. It was a 400 asking for a payload field.
  if (startsAsJson(body)) return { ok: true, body };
  const payload = formField(body, "payload");
  if (payload === null) {
    return { ok: false, reason: "parse: a form-encoded body (Content-Type: application/x-www-form-urlencoded) has no payload field; send the JSON as the body (Content-Type: application/json), or as payload=<json> as GitHub does" };
  }
  return { ok: true, body: payload };
}

/** Whether the body's first character past a UTF-8 BOM and JSON whitespace is `{` or `[`. */
function startsAsJson(body: Uint8Array): boolean {
  let i = body[0] === 0xef && body[1] === 0xbb && body[2] === 0xbf ? 3 : 0;
  while (body[i] === 0x20 || body[i] === 0x09 || body[i] === 0x0a || body[i] === 0x0d) i++;
  return body[i] === 0x7b || body[i] === 0x5b;
}

const nameDecoder = new TextDecoder("utf-8");

/** The bytes of a form's first field named `name` (as `URLSearchParams.get` picks it), percent-decoded, or null. */
function formField(body: Uint8Array, name: string): Uint8Array | null {
  let start = 0;
  while (start <= body.length) {
    let end = body.indexOf(0x26, start); // &
    if (end < 0) end = body.length;
    if (end > start) {
      let eq = body.indexOf(0x3d, start); // =
      if (eq < 0 || eq > end) eq = end;
      if (nameDecoder.decode(percentDecode(body.subarray(start, eq))) === name) return percentDecode(body.subarray(Math.min(eq + 1, end), end));
    }
    start = end + 1;
  }
  return null;
}

/** application/x-www-form-urlencoded's byte decoding: `+` is a space, `%XX` its byte, any other `%` as written. */
function percentDecode(bytes: Uint8Array): Uint8Array {
  const out = new Uint8Array(bytes.length);
  let n = 0;
  const hex = (b: number | undefined) => (b === undefined ? -1 : b >= 0x30 && b <= 0x39 ? b - 0x30 : b >= 0x41 && b <= 0x46 ? b - 0x37 : b >= 0x61 && b <= 0x66 ? b - 0x57 : -1);
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    if (b === 0x2b) out[n++] = 0x20;
    else if (b === 0x25 && hex(bytes[i + 1]) >= 0 && hex(bytes[i + 2]) >= 0) {
      out[n++] = hex(bytes[i + 1]) * 16 + hex(bytes[i + 2]);
      i += 2;
    } else out[n++] = b;
  }
  return out.subarray(0, n);
}
