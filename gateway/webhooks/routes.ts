import { Hono } from "hono";
import { GatewayError } from "../http/error.ts";
import { limitBody } from "../http/limits.ts";
import type { Logger } from "../log.ts";
import type { NotebookStore } from "../notebooks/store.ts";
import type { SourceRegistry } from "../sources/registry.ts";
import { notebookPathOf, resolveSource } from "../sources/resolve.ts";
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

/**
 * `POST /hooks/<notebook>/<source>`: a webhook delivery for a notebook's
 * webhook source. Verified as the source's `signature:` says before anything
 * is stored; a failed check is 401 and leaves no trace but a log line.
 * 202 `{ id }` once stored; 200 `{ id, duplicate: true }` for a retry
 * of a delivery id already kept.
 */
export function hookRoutes(options: HookRouteOptions): Hono {
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

    const capture = await options.registry.capture(path, spec);
    const delivery = await capture.receive(body, headers, options.now());
    if (delivery === null) {
      const id = (spec.deliveryHeader ? headers.get(spec.deliveryHeader) : headers.get("x-github-delivery")) ?? "";
      return c.json({ id, duplicate: true }, 200);
    }
    return c.json({ id: delivery.id }, 202);
  });
  return app;
}
