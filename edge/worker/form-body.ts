/**
 * The JSON a form-encoded webhook carries. GitHub's default content type for a new webhook is
 * `application/x-www-form-urlencoded`: the body is `payload=<the JSON, percent-encoded>`, and the
 * signature is over that body as sent, so this runs after verification, on the verified bytes.
 * Another content type: the body itself.
 */
export function formPayload(body: Uint8Array, contentType: string | null | undefined): { ok: true; body: Uint8Array } | { ok: false; reason: string } {
  if (!contentType || !/^\s*application\/x-www-form-urlencoded\s*(;|$)/i.test(contentType)) return { ok: true, body };
  // A form body is ASCII, its other bytes percent-encoded; URLSearchParams decodes them as UTF-8.
  const payload = new URLSearchParams(new TextDecoder("utf-8").decode(body)).get("payload");
  if (payload === null) {
    return { ok: false, reason: "parse: a form-encoded body (Content-Type: application/x-www-form-urlencoded) has no payload field; send the JSON as the body (Content-Type: application/json), or as payload=<json> as GitHub does" };
  }
  return { ok: true, body: new TextEncoder().encode(payload) };
}

