import { randomBytes } from "node:crypto";
import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { Logger } from "../log.ts";
import { errorPage, wantsErrorPage } from "./error-page.ts";
import { securityHeaders } from "./headers.ts";

/** Machine-readable reasons an HTTP request failed; the `code` of the JSON error body. */
export type ErrorCode =
  | "bad_request"
  | "unauthorized"
  | "forbidden"
  | "not_found"
  | "conflict"
  | "precondition_failed"
  | "precondition_required"
  | "payload_too_large"
  | "unsupported_media_type"
  | "sql_error"
  | "bad_gateway"
  | "unavailable"
  | "internal";

/**
 * The gateway's one error that knows its HTTP response: `{error: {code, message}}`
 * plus any extra fields (e.g. the current version on a 412).
 */
export class GatewayError extends HTTPException {
  override name = "GatewayError";
  readonly code: ErrorCode;
  readonly extra: Record<string, unknown>;
  readonly headers: Record<string, string>;

  constructor(
    status: ContentfulStatusCode,
    code: ErrorCode,
    message: string,
    options: { cause?: unknown; extra?: Record<string, unknown>; headers?: Record<string, string> } = {},
  ) {
    super(status, { message, cause: options.cause });
    this.code = code;
    this.extra = options.extra ?? {};
    this.headers = options.headers ?? {};
  }

  /** The JSON error body. */
  body(): string {
    return JSON.stringify({ error: { code: this.code, message: this.message }, ...this.extra });
  }

  /** The response headers, as a plain object. */
  responseHeaders(): Record<string, string> {
    return { "content-type": "application/json; charset=utf-8", ...securityHeaders, ...this.headers };
  }

  override getResponse(): Response {
    return new Response(this.body(), { status: this.status, headers: this.responseHeaders() });
  }
}

const codeByStatus: Record<number, ErrorCode> = {
  400: "bad_request",
  401: "unauthorized",
  403: "forbidden",
  404: "not_found",
  409: "conflict",
  412: "precondition_failed",
  413: "payload_too_large",
  415: "unsupported_media_type",
  428: "precondition_required",
  502: "bad_gateway",
  503: "unavailable",
};

/** Turns every error into the JSON error body; unexpected ones are logged with their cause. */
export function errorHandler(log: Logger) {
  return (err: Error, c: Context): Response => {
    const error = asGatewayError(err, log, c.req.method, c.req.path);
    return wantsErrorPage(c) ? errorPage(error, c.req.path) : error.getResponse();
  };
}

/** Any error as the GatewayError that answers it; an unexpected one is logged with its cause, its words answered only behind the token. */
export function asGatewayError(err: unknown, log: Logger, method: string, path: string): GatewayError {
  if (err instanceof GatewayError) return err;
  if (err instanceof HTTPException) {
    const code = codeByStatus[err.status] ?? "internal";
    return new GatewayError(err.status, code, err.message || `gateway: ${code}`);
  }
  const reference = randomBytes(4).toString("hex");
  log.error("request failed", { method, path, reference, error: describeError(err) });
  if (behindToken(path)) return new GatewayError(500, "internal", `gateway: ${err instanceof Error ? err.message : String(err)}`);
  return new GatewayError(500, "internal", `gateway: the request failed on the server; its owner finds the reason in the gateway's log under reference ${reference}`);
}

/**
 * Whether a request reached its route through the token check: every `/api` route sits behind it, so a failure's
 * own words go back there. Anywhere else (a share page, a webhook delivery through a tunnel, the app's files) the
 * caller may be anyone, and a failure's words name the server's folders (`ENOTDIR: … mkdir '/home/…/.runnel/hooks/…'`),
 * the share bucket or a host: such a caller gets the status and a reference to the log line.
 */
function behindToken(path: string): boolean {
  return path === "/api" || path.startsWith("/api/");
}

/** An error and its chain of causes as one line. */
export function describeError(err: unknown): string {
  const parts: string[] = [];
  let current: unknown = err;
  while (current !== undefined && parts.length < 5) {
    parts.push(current instanceof Error ? current.message : String(current));
    current = current instanceof Error ? current.cause : undefined;
  }
  return parts.join(": caused by: ");
}
