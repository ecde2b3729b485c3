import { MAX_NESTING } from "../../edge/duckdb/lossless-json.ts";
import { GatewayError } from "./error.ts";

/** Reads a JSON object body; anything else is a 400 that says what was wrong. */
export async function readJson(request: Request): Promise<Record<string, unknown>> {
  const text = await request.text();
  // JSON.parse of 20 million nested brackets holds the event loop for seconds; a linear scan refuses it first.
  const deepAt = nestedPast(text, MAX_NESTING);
  if (deepAt >= 0) {
    throw new GatewayError(400, "bad_request", `gateway: the body is nested more than ${MAX_NESTING.toLocaleString("en-US")} levels deep (at character ${deepAt + 1}); runnel's requests never are`);
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (err) {
    throw new GatewayError(400, "bad_request", `gateway: the body is not JSON (${(err as Error).message})`, { cause: err });
  }
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw new GatewayError(400, "bad_request", "gateway: the body must be a JSON object");
  }
  return body as Record<string, unknown>;
}

/** The index of the bracket that opens level `limit + 1` outside strings, or -1 when none does. */
export function nestedPast(text: string, limit: number): number {
  let depth = 0;
  for (let at = 0; at < text.length; at++) {
    const c = text.charCodeAt(at);
    if (c === 0x22) {
      // A string: skip to its closing quote, past escapes (an unclosed one is JSON.parse's to report).
      for (at++; at < text.length; at++) {
        const s = text.charCodeAt(at);
        if (s === 0x5c) at++;
        else if (s === 0x22) break;
      }
    } else if (c === 0x7b || c === 0x5b) {
      if (++depth > limit) return at;
    } else if (c === 0x7d || c === 0x5d) {
      depth--;
    }
  }
  return -1;
}
