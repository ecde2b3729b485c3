import type { MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import { GatewayError } from "./error.ts";

/** Caps a request body at `maxBytes`; a larger one is a 413 JSON error, counted as it streams. */
export function limitBody(maxBytes: number): MiddlewareHandler {
  return bodyLimit({
    maxSize: maxBytes,
    onError: () => {
      throw new GatewayError(413, "payload_too_large", `gateway: request body is larger than ${maxBytes} bytes`);
    },
  });
}
