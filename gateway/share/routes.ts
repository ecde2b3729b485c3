import { Hono } from "hono";
import { type Table, tableFromIPC } from "apache-arrow";
import { defaultParquetWriter } from "../../edge/parquet/index.ts";
import type { Row, Schema } from "../../edge/plan/values.ts";
import { counted } from "../../notebook/format/counted.ts";
import { parseNotebook } from "../../notebook/format/parse.ts";
import { GatewayError } from "../http/error.ts";
import { escapeHtml } from "../http/html.ts";
import { readJson } from "../http/json.ts";
import { limitBody } from "../http/limits.ts";
import { resolveNotebookPath } from "../notebooks/paths.ts";
import type { NotebookStore } from "../notebooks/store.ts";
import { arrowToRows } from "../sample/arrow-rows.ts";
import type { Sampler } from "../sample/sampler.ts";
import type { SourceRegistry } from "../sources/registry.ts";
import { notebookPathOf } from "../sources/resolve.ts";
import { cellFile, readCellResults } from "./cell-results.ts";
import type { ShareContents, ShareStore } from "./store.ts";

export interface ShareRouteOptions {
  store: NotebookStore;
  registry: SourceRegistry;
  sampler: Sampler;
  shares: ShareStore;
  maxBytes: number;
  /** The built app's index.html, or null to serve the plain read-only page. */
  appIndex: () => Promise<string | null>;
}

/**
 * The policy every `/s/...` response carries. `sandbox allow-scripts` gives the
 * shared page an opaque origin: its scripts (the sender's notebook JS) run, but
 * cannot read the gateway's cookie, call `/api/*` as the viewer, or open
 * popups and forms; `connect-src 'self'` keeps the data on this server.
 */
export const shareCsp = [
  "sandbox allow-scripts",
  "default-src 'self'",
  "script-src 'self' 'unsafe-eval' 'wasm-unsafe-eval' blob:",
  "worker-src 'self' blob:",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'self'",
].join("; ");

/** Headers of every `/s/...` answer: the snapshot's data immutable, public to the link holder, never leaking the id onward. */
const shareHeaders = {
  "content-security-policy": shareCsp,
  "access-control-allow-origin": "*",
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
  "cache-control": "public, max-age=31536000, immutable",
};

/** `POST /api/share` (mounted behind the token): snapshot a notebook and its samples. */
export function shareApiRoutes(options: ShareRouteOptions): Hono {
  const app = new Hono();
  app.post("/", limitBody(options.maxBytes), async (c) => {
    const body = await readJson(c.req.raw);
    const given = body.path ?? body.notebook;
    if (typeof given !== "string") throw new GatewayError(400, "bad_request", 'share: the body needs "path" (the notebook to share)');
    const path = notebookPathOf(given);
    // A text sent with the request still names a notebook path, which keys its sources' folders: the same rules as a saved one.
    if (typeof body.text === "string") await resolveNotebookPath(options.store.root, path);
    const text = typeof body.text === "string" ? body.text : (await options.store.read(path)).text;
    const samples = readSamples(body.samples);
    const { notebook } = parseNotebook(text, path);
    const cells = readCellResults(body.cells, notebook);
    const contents: ShareContents = {
      manifest: { path, title: notebook.title, text, createdAt: new Date().toISOString(), sources: [], ...(cells.results.length > 0 ? { cells: cells.results } : {}) },
      files: { ...cells.files },
    };
    for (const spec of Object.values(notebook.sources)) {
      const sent = samples.get(spec.name);
      if (sent) {
        const { schema, rows } = readArrow(sent, spec.name);
        contents.files[`${spec.name}.arrow`] = sent;
        if (schema.length > 0) contents.files[`${spec.name}.parquet`] = defaultParquetWriter.write(schema, rows, { codec: "SNAPPY" });
        contents.manifest.sources.push({ name: spec.name, rows: rows.length, errors: 0 });
        continue;
      }
      const source = await options.registry.get(path, spec);
      const events = await source.sample(spec.sampleSize);
      const { ipc, sample } = await options.sampler.arrow(events, spec);
      contents.files[`${spec.name}.arrow`] = ipc;
      if (sample.schema.length > 0) contents.files[`${spec.name}.parquet`] = await options.sampler.parquetBytes(events, spec);
      contents.manifest.sources.push({ name: spec.name, rows: sample.rows.length, errors: sample.errors.length });
    }
    const id = await options.shares.put(contents);
    return c.json({ id, url: `/s/${id}` }, 201);
  });
  return app;
}

/** `GET /s/...`: the read-only share, no token. */
export function sharePublicRoutes(options: ShareRouteOptions): Hono {
  const app = new Hono();
  app.use("*", async (c, next) => {
    await next();
    for (const [name, value] of Object.entries(shareHeaders)) c.res.headers.set(name, value);
    // A share never changes, but an answer that is no share (a 404 for a mistyped or not yet made id) must not be kept for a year.
    if (c.res.status >= 400) c.res.headers.set("cache-control", "no-store");
    // Nor the page: it is the app's index.html, naming this build's hashed scripts, which the next build replaces. Kept
    // for a year, a link opened again after an upgrade loaded the old build, or a blank page once its scripts were gone.
    else if (c.res.headers.get("content-type")?.startsWith("text/html")) c.res.headers.set("cache-control", "no-cache");
  });

  app.get("/:id", async (c) => {
    const manifest = await options.shares.manifest(c.req.param("id"));
    const index = await options.appIndex();
    return c.html(index ?? plainPage(c.req.param("id"), manifest.title, manifest.text, manifest.sources));
  });

  app.get("/:id/notebook", async (c) => {
    const m = await options.shares.manifest(c.req.param("id"));
    return c.json({ path: m.path, title: m.title, text: m.text, sources: m.sources.map((s) => s.name), samples: m.sources, cells: m.cells ?? [], createdAt: m.createdAt });
  });

  // A gateway-run cell's rows as the sharer's page had them (Arrow IPC, typed like a sample).
  app.get("/:id/cells/:index{[0-9]+}", async (c) => {
    const bytes = await options.shares.file(c.req.param("id"), cellFile(Number(c.req.param("index"))));
    return c.body(new Uint8Array(bytes), 200, { "content-type": "application/vnd.apache.arrow.stream" });
  });

  app.get("/:id/sources/:file", async (c) => {
    const file = c.req.param("file");
    const name = /\.(parquet|arrow)$/.test(file) ? file : `${file}.arrow`;
    const bytes = await options.shares.file(c.req.param("id"), name);
    const type = name.endsWith(".parquet") ? "application/vnd.apache.parquet" : "application/vnd.apache.arrow.stream";
    return c.body(new Uint8Array(bytes), 200, { "content-type": type });
  });

  return app;
}

/** The samples a share request sends, by source name: a Map, so a source named `constructor` or `toString` finds its own sample or none, never Object's. */
function readSamples(samples: unknown): Map<string, Uint8Array> {
  if (samples === undefined || samples === null) return new Map();
  if (typeof samples !== "object" || Array.isArray(samples)) {
    throw new GatewayError(400, "bad_request", 'share: "samples" must be an object { "<source>": "<base64 Arrow IPC>" }');
  }
  const out = new Map<string, Uint8Array>();
  for (const [name, value] of Object.entries(samples)) {
    if (typeof value !== "string" || !/^[A-Za-z0-9+/]*={0,2}$/.test(value)) {
      throw new GatewayError(400, "bad_request", `share: samples.${name} must be base64 Arrow IPC`);
    }
    out.set(name, new Uint8Array(Buffer.from(value, "base64")));
  }
  return out;
}

/** A browser-sent sample as DuckDB-typed rows; not Arrow, or an Arrow type a sample cannot hold, is a 400. */
function readArrow(bytes: Uint8Array, name: string): { schema: Schema; rows: Row[] } {
  let table: Table;
  try {
    table = tableFromIPC(bytes);
  } catch (err) {
    throw new GatewayError(400, "bad_request", `share: samples.${name} is not an Arrow IPC stream (${(err as Error).message})`, { cause: err });
  }
  try {
    return arrowToRows(table);
  } catch (err) {
    throw new GatewayError(400, "bad_request", `share: samples.${name}: ${(err as Error).message}`, { cause: err });
  }
}

function plainPage(id: string, title: string, text: string, sources: { name: string; rows: number }[]): string {
  const links = sources
    .map((s) => `<li>${escapeHtml(s.name)} (${counted(s.rows, "row")}): <a href="/s/${id}/sources/${encodeURIComponent(s.name)}.parquet">Parquet</a> · <a href="/s/${id}/sources/${encodeURIComponent(s.name)}.arrow">Arrow</a></li>`)
    .join("");
  return `<!doctype html><html><head><meta charset="utf-8"><title>${escapeHtml(title)} — runnel share</title></head>
<body><h1>${escapeHtml(title)}</h1><p>A read-only snapshot. Build the app (<code>npm run build</code>) to see it run.</p>
<ul>${links}</ul><pre>${escapeHtml(text)}</pre></body></html>`;
}
