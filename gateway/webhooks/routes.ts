import { Hono } from "hono";
import type { SourceSpec } from "../../notebook/format/model.ts";
import { GatewayError } from "../http/error.ts";
import { securityHeaders } from "../http/headers.ts";
import { limitBody } from "../http/limits.ts";
import type { Logger } from "../log.ts";
import type { NotebookStore } from "../notebooks/store.ts";
import type { SourceRegistry } from "../sources/registry.ts";
import { notebookPathOf, resolveSource } from "../sources/resolve.ts";
import type { WebhookSource } from "../sources/webhook-source.ts";
import { secretsEqual } from "../token.ts";
import { verifyDelivery } from "./verify.ts";

export interface HookRouteOptions {
  store: NotebookStore;
  registry: SourceRegistry;
  /** Where secrets come from: the notebook names a variable, this holds its value. */
  env: Record<string, string | undefined>;
  /** The gateway token, required on `signature: none` sources (anyone could post otherwise). */
  token: string;
  maxBytes: number;
  now: () => number;
  log: Logger;
}

type WebhookSpec = Extract<SourceSpec, { kind: "webhook" }>;

/** The answer's headers as a plain object, which @hono/node-server writes without building web Headers. */
const answerHeaders: Readonly<Record<string, string>> = Object.freeze({ "content-type": "application/json", ...securityHeaders });

/**
 * `POST /hooks/<notebook>/<source>`: a webhook delivery for a notebook's
 * webhook source. Verified as the source's `signature:` says before anything
 * is stored; a failed check is 401 and leaves no trace but a log line.
 * 202 `{ id }` once stored; 200 `{ id, duplicate: true }` for a retry
 * of a delivery id already kept.
 */
export function hookRoutes(options: HookRouteOptions): Hono {
  // The notebook store hands out the same spec object until the file changes, so the
  // capture is looked up in the registry (which compares whole specs) once per spec.
  const captures = new WeakMap<WebhookSpec, Promise<WebhookSource>>();
  const captureOf = (path: string, spec: WebhookSpec): Promise<WebhookSource> => {
    let capture = captures.get(spec);
    if (!capture) {
      capture = options.registry.capture(path, spec);
      captures.set(spec, capture);
      // A failed open is retried by the next delivery, as the registry does.
      capture.catch(() => captures.delete(spec));
    }
    return capture;
  };

  const app = new Hono();
  app.post("/:rest{.+}", limitBody(options.maxBytes), async (c) => {
    const rest = c.req.param("rest");
    const cut = rest.lastIndexOf("/");
    if (cut <= 0) throw new GatewayError(404, "not_found", "webhook: expected /hooks/<notebook>/<source>");
    const path = notebookPathOf(rest.slice(0, cut));
    const name = rest.slice(cut + 1);
    const spec = await resolveSource(options.store, path, name);
    if (spec.kind !== "webhook") throw new GatewayError(404, "not_found", `webhook: source ${name} of ${path} is a ${spec.kind} source, not a webhook`);
    const body = new Uint8Array(await c.req.arrayBuffer());
    // Read header by header: c.req.raw.headers would build a full Headers object per delivery.
    const headers = { get: (name: string) => c.req.header(name) ?? null };

    if (spec.signature === "none") {
      const given = headers.get("authorization")?.match(/^Bearer\s+(\S+)$/i)?.[1];
      if (!given || !secretsEqual(given, options.token)) {
        throw new GatewayError(401, "unauthorized", `webhook: ${name} of ${path} has signature: none, so a delivery needs the gateway token`);
      }
    } else {
      const secret = spec.secret === null ? undefined : options.env[spec.secret];
      if (!secret) {
        throw new GatewayError(503, "unavailable", `webhook: the secret for ${name} of ${path} is not set; export ${spec.secret} before starting the gateway`);
      }
      const verdict = verifyDelivery({ scheme: spec.signature, secret, headers, body, nowSeconds: Math.floor(options.now() / 1000) });
      if (!verdict.ok) {
        options.log.warn("webhook refused", { notebook: path, source: name, reason: verdict.reason });
        throw new GatewayError(401, "unauthorized", verdict.reason);
      }
    }

    const capture = await captureOf(path, spec);
    const delivery = await capture.receive(body, headers, options.now());
    if (delivery === null) {
      const id = headers.get(spec.deliveryHeader || "x-github-delivery") ?? "";
      return new Response(`{"id":${JSON.stringify(id)},"duplicate":true}`, { status: 200, headers: answerHeaders });
    }
    return new Response(`{"id":${JSON.stringify(delivery.id)}}`, { status: 202, headers: answerHeaders });
  });
  return app;
}
