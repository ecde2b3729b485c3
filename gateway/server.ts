import type { IncomingMessage, ServerResponse } from "node:http";
import { createServer } from "node:http";
import { isIP } from "node:net";
import { existsSync } from "node:fs";
import { chmod, mkdir, readFile, stat } from "node:fs/promises";
import { join, posix, resolve } from "node:path";
import { getRequestListener } from "@hono/node-server";
import { serveStatic } from "@hono/node-server/serve-static";
import { Hono, type MiddlewareHandler } from "hono";
import { cellRoutes } from "./cells/routes.ts";
import { acceptTokenInQuery, requireToken } from "./http/auth.ts";
import { errorPage, personOpensPage, wantsErrorPage } from "./http/error-page.ts";
import { duckdbExtensionRoutes } from "./http/duckdb-extensions.ts";
import { describeError, errorHandler, GatewayError } from "./http/error.ts";
import { securityHeaders } from "./http/headers.ts";
import { escapeHtml } from "./http/html.ts";
import { createLogger, type Logger } from "./log.ts";
import { notebookRoutes } from "./notebooks/routes.ts";
import { NotebookStore } from "./notebooks/store.ts";
import { LocalRuns, type LocalRunOptions } from "./pipeline/local-run.ts";
import { pipelineRoutes } from "./pipeline/routes.ts";
import { sourceRoutes } from "./sample/routes.ts";
import { Sampler } from "./sample/sampler.ts";
import type { HubOptions } from "./sample/tail-hub.ts";
import { shareApiRoutes, sharePublicRoutes } from "./share/routes.ts";
import { ShareStore } from "./share/store.ts";
import { s3Sink } from "../edge/sinks/s3.ts";
import { nodeDigests } from "../edge/sinks/sigv4-node.node.ts";
import type { Sink } from "../edge/sinks/sink.ts";
import { SourceRegistry } from "./sources/registry.ts";
import { loadOrCreateToken } from "./token.ts";
import { hookCapture } from "./webhooks/routes.ts";

export interface AppOptions {
  /** The notebooks folder; every notebook path is confined to it. */
  root: string;
  /** The token every `/api` route needs. */
  token: string;
  /** Run-time state: deliveries (`hooks/`), shares (`shares/`). Default `.runnel`. */
  stateDir?: string;
  /** Use each source's demo stand-in instead of Kafka and HTTP (and beside webhook capture). Default true. */
  demo?: boolean;
  /** The built app (`dist/app`); when it has no index.html a placeholder page says how to build it. */
  appDir?: string;
  /** Where webhook secrets are looked up by the names notebooks give. Default process.env. */
  env?: Record<string, string | undefined>;
  /**
   * Where share snapshots are stored; default the local `<stateDir>/shares/`.
   * `startGateway` sets an S3/R2 sink when `RUNNEL_SHARE_S3=s3://<bucket>/<prefix>` is configured.
   */
  shareSink?: Sink;
  /** Where the app's Publish writes bundles (`<dir>/<name>/`). Default `dist/pipelines`, as `runnel publish`. */
  pipelinesDir?: string;
  /** Local runs of published pipelines (`<stateDir>/lake/`): flush at least every `maxFlushSeconds` (default 10). */
  localRuns?: Pick<LocalRunOptions, "maxFlushSeconds" | "tickMs" | "afterObjects">;
  log?: Logger;
  fetch?: typeof fetch;
  now?: () => number;
  limits?: Partial<Limits>;
  heartbeatMs?: number;
  hub?: HubOptions;
}

export interface Limits {
  /** A notebook body (PUT, POST /api/notebooks). */
  notebookBytes: number;
  /** One webhook delivery. */
  hookBytes: number;
  /** A share request (may carry Arrow samples from the browser). */
  shareBytes: number;
  /** Largest `n` of a sample. */
  sampleRows: number;
  /** Most rows a cell run on the gateway's DuckDB sends back (`POST /api/cells`). */
  cellRows: number;
  /** A cell run on the gateway's DuckDB is interrupted after this long (ms). */
  cellMs: number;
}

const defaultLimits: Limits = { notebookBytes: 1024 * 1024, hookBytes: 5 * 1024 * 1024, shareBytes: 64 * 1024 * 1024, sampleRows: 100_000, cellRows: 10_000, cellMs: 10_000 };

/**
 * The gateway's Hono app, plus `close()` for the sources and DuckDB it opened
 * and `nodeListener()`, the Node request listener that serves it (webhook
 * deliveries straight from Node, everything else through @hono/node-server).
 */
export type GatewayApp = Hono & { close(): Promise<void>; nodeListener(): (req: IncomingMessage, res: ServerResponse) => void };

/**
 * Builds the gateway: notebooks API, source sample and tail, webhook capture,
 * share links, and the app's pages. Routes under `/api` need the token; `/hooks`
 * verifies each delivery by its source's signature; `/s` is public and sandboxed.
 */
export function createApp(options: AppOptions): GatewayApp {
  const log = options.log ?? createLogger();
  const now = options.now ?? Date.now;
  const stateDir = options.stateDir ?? ".runnel";
  const limits = { ...defaultLimits, ...options.limits };
  const store = new NotebookStore(options.root);
  const registry = new SourceRegistry({ stateDir, demo: options.demo ?? true, fetch: options.fetch, now, log, root: options.root });
  const sampler = new Sampler();
  const shares = new ShareStore(join(stateDir, "shares"), options.shareSink);
  const appDir = options.appDir ?? "dist/app";
  const appIndex = async (): Promise<string | null> => {
    try {
      return await readFile(join(appDir, "index.html"), "utf8");
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") return null;
      throw err;
    }
  };

  const app = new Hono();
  app.onError(errorHandler(log));
  app.notFound((c) => {
    const error = new GatewayError(404, "not_found", `gateway: no route for ${c.req.method} ${c.req.path}`);
    return wantsErrorPage(c) ? errorPage(error, c.req.path) : error.getResponse();
  });
  app.use("*", async (c, next) => {
    const started = performance.now();
    // Set before the response exists: changing c.res.headers afterwards would turn
    // @hono/node-server's lightweight response into a full one on every request.
    // Webhook answers and errors carry them already, in a plain object: hono keeps
    // c.header() values in a web Headers, which costs a delivery more than its log line.
    if (c.req.method !== "POST" || !c.req.path.startsWith("/hooks/")) for (const name in securityHeaders) c.header(name, securityHeaders[name]);
    await next();
    // The path only: a query string may carry the token.
    log.info("request", { method: c.req.method, path: c.req.path, status: c.res.status, ms: Math.round(performance.now() - started) });
  });

  app.get("/healthz", (c) => c.json({ ok: true }));

  const api = new Hono();
  api.use("*", requireToken(options.token));
  api.route("/notebooks", notebookRoutes(store, limits.notebookBytes, () => undefined));
  api.route("/sources", sourceRoutes({ store, registry, sampler, log, maxSample: limits.sampleRows, heartbeatMs: options.heartbeatMs ?? 15_000, hub: options.hub }));
  const shareOptions = { store, registry, sampler, shares, maxBytes: limits.shareBytes, appIndex };
  api.route("/share", shareApiRoutes(shareOptions));
  const pipelinesDir = options.pipelinesDir ?? join("dist", "pipelines");
  const runs = new LocalRuns({ registry, pipelinesDir, lakeDir: join(stateDir, "lake"), log, ...options.localRuns });
  api.route("/pipelines", pipelineRoutes({ store, registry, out: pipelinesDir, log, runs }));
  api.route("/cells", cellRoutes({ store, registry, maxBytes: limits.notebookBytes + 4096, maxRows: limits.cellRows, timeoutMs: limits.cellMs, now }));
  app.route("/api", api);

  const hooks = hookCapture({ store, registry, env: options.env ?? process.env, token: options.token, maxBytes: limits.hookBytes, now, log });
  app.route("/hooks", hooks.routes);
  app.route("/s", sharePublicRoutes(shareOptions));

  app.use("/", acceptTokenInQuery(options.token));
  app.get("/", async (c) => c.html((await appIndex()) ?? placeholderPage(appDir)));
  // The app's assets are public (no secrets in a bundle) and readable from the
  // share page's opaque origin, which loads its module scripts with CORS.
  app.use("/*", async (c, next) => {
    await next();
    // A missing DuckDB extension is a 404 the share page's DuckDB-WASM must be able to read (not a CORS error).
    if (c.res.status === 200 || (c.res.status === 404 && c.req.path.startsWith("/duckdb-extensions/"))) c.res.headers.set("access-control-allow-origin", "*");
  });
  app.route("/duckdb-extensions", duckdbExtensionRoutes(appDir));
  app.use("/*", staticFiles(appDir));

  let listener: ((req: IncomingMessage, res: ServerResponse) => void) | null = null;
  return Object.assign(app, {
    nodeListener() {
      // Made on first use: @hono/node-server replaces the global Request and Response when it makes one.
      if (!listener) {
        const viaHono = getRequestListener(app.fetch);
        listener = (req, res) => {
          if (!hooks.serve(req, res)) void viaHono(req, res);
        };
      }
      return listener;
    },
    async close() {
      await runs.close();
      await registry.close();
      await sampler.close();
    },
  });
}

/** Serves the built app's files once `appDir` exists; the app may be built while the gateway runs. */
function staticFiles(appDir: string): MiddlewareHandler {
  let serve: MiddlewareHandler | null = null;
  return async (c, next) => {
    if (!serve && existsSync(appDir)) serve = serveStatic({ root: appDir });
    return serve ? serve(c, next) : next();
  };
}

function placeholderPage(appDir: string): string {
  return `<!doctype html><html><head><meta charset="utf-8"><title>runnel</title></head>
<body><h1>runnel gateway is running</h1>
<p>The notebook app is not built yet (no ${escapeHtml(appDir)}/index.html). Run <code>npm run build</code>, then reload,
or start <code>runnel dev</code> for the app with hot reload.</p>
<p>The API answers at <code>/api/notebooks</code>.</p></body></html>`;
}

export interface StartOptions extends Omit<AppOptions, "token" | "root"> {
  port?: number;
  host?: string;
  root?: string;
  /** Where the token is kept (made on first start). Default `<stateDir>/token`. */
  tokenFile?: string;
  /**
   * Connect-style middleware that gets every request the gateway does not own
   * (`runnel dev` passes Vite's); it calls `next()` to hand back to the gateway.
   */
  middleware?: (req: IncomingMessage, res: ServerResponse, next: () => void) => void;
  /** Handle SIGINT/SIGTERM by closing gracefully. Default true. */
  signals?: boolean;
}

export interface RunningGateway {
  url: string;
  token: string;
  port: number;
  close(): Promise<void>;
}

/** Routes the gateway always answers itself, even with a dev middleware in front. */
const ownedPrefixes = ["/api/", "/hooks/", "/s/", "/healthz", "/duckdb-extensions/"];

/**
 * Starts the gateway on Node: loads or makes the token, listens, prints the
 * URL with `?token=` as one JSON log line, and on SIGINT/SIGTERM stops taking
 * connections, ends tails, closes sources, then exits.
 */
export async function startGateway(options: StartOptions = {}): Promise<RunningGateway> {
  const log = options.log ?? createLogger();
  const stateDir = options.stateDir ?? ".runnel";
  const host = options.host ?? "127.0.0.1";
  const root = resolve(options.root ?? "notebooks");
  const { token, created } = await loadOrCreateToken(options.tokenFile ?? join(stateDir, "token"), (options.env ?? process.env).RUNNEL_TOKEN);
  await ownerOnly(stateDir);
  const env = options.env ?? process.env;
  const shareSink = options.shareSink ?? shareSinkFromEnv(env);
  const app = createApp({ ...options, root, token, stateDir, log, shareSink });
  const listener = app.nodeListener();
  const middleware = options.middleware;
  const private_ = [resolve(stateDir), root, resolve(options.tokenFile ?? join(stateDir, "token")), resolve(options.pipelinesDir ?? join("dist", "pipelines"))];
  const loopback = isLoopback(host);
  const allowedHosts = (env.RUNNEL_ALLOWED_HOSTS ?? "").split(",").map((h) => h.trim().toLowerCase()).filter((h) => h !== "");
  const server = createServer((req, res) => {
    const path = req.url ?? "/";
    // Webhook senders come through tunnels under their public name; a delivery is verified by its signature, not by where it was sent.
    // Judged by the path the routes will see: the request's URL is normalised after this (`/hooks/%2e%2e/api/...` is `/api/...`).
    const wrongHost = loopback && !routedPath(path).startsWith("/hooks/") ? hostRefusal(req.headers.host, host, allowedHosts) : null;
    if (wrongHost !== null) {
      log.warn("request refused for its Host", { method: req.method, path: path.split("?")[0], host: req.headers.host });
      const accept = req.headers.accept;
      if (personOpensPage(req.method, routedPath(path), req.headers["sec-fetch-dest"] as string | undefined, accept)) {
        // A person opening a link (a share through a tunnel) gets the reason and what to do in words.
        const page = errorPage(new GatewayError(403, "forbidden", wrongHost, { extra: { refused: "host" } }), routedPath(path));
        return void page.text().then((body) => {
          res.writeHead(page.status, Object.fromEntries(page.headers));
          res.end(req.method === "HEAD" ? undefined : body);
        });
      }
      res.writeHead(403, { "content-type": "application/json; charset=utf-8", ...securityHeaders });
      return void res.end(JSON.stringify({ error: { code: "forbidden", message: wrongHost } }));
    }
    const owned = ownedPrefixes.some((prefix) => path.startsWith(prefix)) || /[?&]token=/.test(path);
    if (!middleware || owned) return void listener(req, res);
    // A link followed from elsewhere (a chat, the terminal) opens the app: a page gets no answer of a top-level navigation it starts.
    const navigation = req.headers["sec-fetch-mode"] === "navigate" && req.headers["sec-fetch-dest"] === "document" && req.method === "GET";
    const refusal = middlewareRefusal(path, navigation ? undefined : req.headers.origin, navigation ? undefined : req.headers["sec-fetch-site"], req.headers.host, private_);
    if (refusal !== null) {
      log.warn("dev middleware request refused", { path: path.split("?")[0], reason: refusal });
      res.writeHead(403, { "content-type": "application/json; charset=utf-8", ...securityHeaders });
      return void res.end(JSON.stringify({ error: { code: "forbidden", message: refusal } }));
    }
    middleware(req, res, () => void listener(req, res));
  });
  const sockets = new Set<import("node:net").Socket>();
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((done, fail) => {
    server.once("error", (err) => fail(new Error(`gateway: cannot listen on ${host}:${options.port ?? 8080}: ${err.message}`, { cause: err })));
    server.listen(options.port ?? 8080, host, done);
  });
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : options.port ?? 8080;
  const shownHost = host.includes(":") ? `[${host}]` : host;
  const url = `http://${shownHost}:${port}/?token=${token}`;
  log.info("gateway listening", { url, root, demo: options.demo ?? true, tokenFile: options.tokenFile ?? join(stateDir, "token"), tokenCreated: created, shares: shareSink?.describe ?? join(stateDir, "shares") });

  let closing: Promise<void> | null = null;
  const close = () => {
    closing ??= (async () => {
      log.info("gateway stopping");
      const stopped = new Promise<void>((done) => server.close(() => done()));
      // Idle keep-alive sockets and open tails would hold close() forever; end them.
      for (const socket of sockets) socket.end();
      const force = setTimeout(() => { for (const socket of sockets) socket.destroy(); }, 2000);
      force.unref();
      await stopped;
      clearTimeout(force);
      await app.close();
      log.info("gateway stopped");
    })();
    return closing;
  };
  if (options.signals ?? true) {
    const onSignal = (signal: string) => {
      close().then(
        () => process.exit(0),
        (err) => {
          log.error("gateway did not stop cleanly", { signal, error: describeError(err) });
          process.exit(1);
        },
      );
    };
    process.once("SIGINT", () => onSignal("SIGINT"));
    process.once("SIGTERM", () => onSignal("SIGTERM"));
  }
  return { url, token, port, close };
}

/**
 * The state folder (token, share key, webhook deliveries, the local lake) readable by this user only: made so on
 * first start, and tightened on a later one when an older version made it readable by others (0755).
 */
async function ownerOnly(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  if (((await stat(dir)).mode & 0o077) !== 0) await chmod(dir, 0o700);
}

/** The path a request's URL names once parsed as the routes parse it (dot segments, `%2e%2e` too, resolved); "" when it does not parse. */
function routedPath(url: string): string {
  try {
    return new URL(url, "http://gateway").pathname;
  } catch {
    return "";
  }
}

/** Whether `host` (what the gateway listens on) is this machine only. */
function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, "").toLowerCase();
  return h === "localhost" || h === "::1" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h) || h === "::ffff:127.0.0.1";
}

/**
 * Why a request to a gateway listening on this machine only must not be answered, or null. A page on
 * any web site can point its own name at 127.0.0.1 (DNS rebinding) and then read the gateway's answers
 * as its own origin; it cannot change the `Host` its requests carry, which names the site. So such a
 * gateway answers only requests addressed to localhost, an IP address, or a name in `RUNNEL_ALLOWED_HOSTS`
 * (a reverse proxy that keeps the public name, a name in /etc/hosts).
 */
export function hostRefusal(given: string | undefined, listening: string, allowed: string[]): string | null {
  if (given === undefined) return null;
  const name = given.toLowerCase().replace(/:\d+$/, "");
  if (name.startsWith("[") || isIP(name) !== 0) return null;
  if (name === "localhost" || name.endsWith(".localhost")) return null;
  if (allowed.some((a) => a === name || (a.startsWith(".") && name.endsWith(a)))) return null;
  return `gateway: this gateway listens on ${listening} and answers requests addressed to localhost or an IP address, not to ${JSON.stringify(given)} (a web page pointing its own name at this machine sends such requests); to reach it under that name, list it in RUNNEL_ALLOWED_HOSTS (comma-separated; .example.com for every name under it)`;
}

/**
 * Why the dev middleware (`runnel dev`'s Vite) must not answer a request, or null when it may.
 * Vite serves any file under the repository by its absolute path (`/@fs/<path>`), without the
 * token, and answers other local origins' CORS requests (every port of localhost and 127.0.0.1):
 * a page on another local port could read `.runnel/token` (then call every `/api` route), the
 * share key, webhook deliveries, the notebooks and a bundle's `.dev.vars`. So only the
 * gateway's own pages may read through it (a module script from a page elsewhere carries
 * `Origin`, a fetch `Sec-Fetch-Site` too), and the gateway's state, notebooks, bundles and
 * Worker secrets are never handed to it whoever asks.
 */
export function middlewareRefusal(url: string, origin: string | undefined, fetchSite: string | string[] | undefined, host: string | undefined, privatePaths: string[]): string | null {
  if (fetchSite !== undefined && fetchSite !== "same-origin" && fetchSite !== "none") {
    return `gateway: the dev server answers only the gateway's own pages (Sec-Fetch-Site: ${String(fetchSite)})`;
  }
  if (origin !== undefined) {
    let from: string | null = null;
    try {
      from = origin === "null" ? null : new URL(origin).host;
    } catch {
      from = null;
    }
    if (from === null || from !== host) return `gateway: the dev server answers only the gateway's own pages, not origin ${JSON.stringify(origin)}`;
  }
  let path = url.split(/[?#]/)[0]!;
  try {
    // Vite decodes the path before it looks for the file (`%2e%2e`, `%2F`), so the check decodes it too.
    path = decodeURIComponent(path);
  } catch {
    return "gateway: the dev server's path is not valid percent-encoding";
  }
  path = posix.normalize(path.replaceAll("\\", "/"));
  // Vite reads an absolute path after several prefixes (`/@fs/<path>`, `/@id//<path>?raw`, …): a private folder anywhere in the path is refused.
  const segments = path.split("/");
  const inside = (dir: string) => `${path}/`.includes(dir.endsWith("/") ? dir : `${dir}/`);
  if (segments.includes(".dev.vars") || segments.includes(".wrangler") || segments.includes(".runnel") || privatePaths.some(inside)) {
    return "gateway: the dev server does not serve the gateway's state, notebooks, bundles or secrets; the API does, with the token";
  }
  return null;
}

/**
 * Share snapshots in S3 or R2: `RUNNEL_SHARE_S3=s3://<bucket>/<prefix>`, with
 * `AWS_ACCESS_KEY_ID` / `AWS_SECRET_ACCESS_KEY` and, for anything but AWS,
 * `RUNNEL_S3_ENDPOINT` (R2: its S3 endpoint, region `auto` via `AWS_REGION`).
 */
export function shareSinkFromEnv(env: Record<string, string | undefined>): Sink | undefined {
  const url = env.RUNNEL_SHARE_S3;
  if (!url) return undefined;
  const m = /^s3:\/\/([^/]+)\/?(.*)$/.exec(url);
  if (!m) throw new Error(`gateway: RUNNEL_SHARE_S3 must look like s3://<bucket>/<prefix>, got ${JSON.stringify(url)}`);
  const accessKeyId = env.AWS_ACCESS_KEY_ID;
  const secretAccessKey = env.AWS_SECRET_ACCESS_KEY;
  if (!accessKeyId || !secretAccessKey) throw new Error("gateway: RUNNEL_SHARE_S3 is set; AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY must be too");
  const region = env.AWS_REGION ?? "us-east-1";
  const prefix = m[2] === "" || m[2]!.endsWith("/") ? m[2]! : `${m[2]}/`;
  return s3Sink({ endpoint: env.RUNNEL_S3_ENDPOINT ?? `https://s3.${region}.amazonaws.com`, bucket: m[1]!, prefix, region, accessKeyId, secretAccessKey, sessionToken: env.AWS_SESSION_TOKEN, digests: nodeDigests });
}
