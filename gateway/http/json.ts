import { GatewayError } from "./error.ts";

/** Reads a JSON object body; anything else is a 400 that says what was wrong. */
export async function readJson(request: Request): Promise<Record<string, unknown>> {
  const text = await request.text();
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
