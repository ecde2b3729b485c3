import type { MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import { GatewayError } from "./error.ts";

/**
 * Caps a request body at `maxBytes`; a larger one is a 413 JSON error. A body
 * with Content-Length is judged by the header alone (the server reads no more
 * than it declares); a chunked one is counted as it streams, by hono's
 * bodyLimit. The header check comes first because touching `c.req.raw.body`
 * turns @hono/node-server's lazy request into a full web Request, which
 * costs more than the rest of a webhook delivery.
 */
export function limitBody(maxBytes: number): MiddlewareHandler {
  const streaming = bodyLimit({ maxSize: maxBytes, onError: () => { throw tooLarge(maxBytes); } });
  return async (c, next) => {
    const length = c.req.header("content-length");
    if (length !== undefined && c.req.header("transfer-encoding") === undefined) {
      if (!/^\d+$/.test(length)) throw new GatewayError(400, "bad_request", `gateway: Content-Length ${JSON.stringify(length)} is not a number`);
      if (Number(length) > maxBytes) throw tooLarge(maxBytes);
      return next();
    }
    return streaming(c, next);
  };
}

/** The 413 for a body over `maxBytes`. */
export function tooLarge(maxBytes: number): GatewayError {
  return new GatewayError(413, "payload_too_large", `gateway: request body is larger than ${maxBytes} bytes`);
}
