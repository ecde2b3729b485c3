import { Hono } from "hono";
import { parseNotebook } from "../../notebook/format/parse.ts";
import { GatewayError } from "../http/error.ts";
import { readJson } from "../http/json.ts";
import { limitBody } from "../http/limits.ts";
import type { NotebookStore } from "../notebooks/store.ts";
import { rowsToArrowIPC } from "../sample/arrow.ts";
import type { SourceRegistry } from "../sources/registry.ts";
import { notebookPathOf } from "../sources/resolve.ts";
import { runCell } from "./run-cell.ts";

export interface CellRouteOptions {
  store: NotebookStore;
  registry: SourceRegistry;
  /** Largest request body (the notebook's text travels in it). */
  maxBytes: number;
  /** At most this many rows of a result come back. */
  maxRows: number;
  /** A cell still running after this long is interrupted. */
  timeoutMs: number;
  now: () => number;
}

/**
 * `POST /api/cells/<notebook>` (mounted behind the token), JSON `{ cell, text? }`: runs one SQL
 * cell on the gateway's native DuckDB over the samples the gateway holds now (`runCell`), for the
 * cells the browser's DuckDB-WASM cannot run (no json or icu extension there). `text` is the
 * notebook as the browser shows it (default: the saved file); the sources are the saved file's.
 * Answers Arrow IPC typed like the sample route, with `Runnel-Cell-Rows` (every row the cell
 * gives; the body holds at most `maxRows`), `Runnel-Cell-Ran-At` (ISO time the samples were read)
 * and `Runnel-Cell-Samples` (JSON `{ <source>: events }`). Runs are serialised: one native
 * DuckDB at a time besides the sampler's.
 */
export function cellRoutes(options: CellRouteOptions): Hono {
  const app = new Hono();
  let queue: Promise<unknown> = Promise.resolve();

  app.post("/:rest{.+}", limitBody(options.maxBytes), async (c) => {
    const path = notebookPathOf(c.req.param("rest"));
    const body = await readJson(c.req.raw);
    if (typeof body.cell !== "string" || body.cell === "") throw new GatewayError(400, "bad_request", 'cells: the body needs "cell", the label of the cell to run (its id, or #n)');
    if (body.text !== undefined && typeof body.text !== "string") throw new GatewayError(400, "bad_request", 'cells: "text", when given, is the notebook\'s text');
    // Reading the saved file confines the path to the notebooks folder (and 404s a missing one).
    const saved = await options.store.read(path);
    const sources = parseNotebook(saved.text, path).notebook.sources;
    const { notebook } = parseNotebook(typeof body.text === "string" ? body.text : saved.text, path);
    const cell = body.cell;
    const run = () =>
      runCell({
        notebook,
        sources,
        cell,
        sample: async (spec) => {
          try {
            return await (await options.registry.get(path, spec)).sample(spec.sampleSize);
          } catch (err) {
            throw new GatewayError(502, "bad_gateway", `cells: cannot sample ${spec.name} of ${path}: ${(err as Error).message}`, { cause: err });
          }
        },
        maxRows: options.maxRows,
        timeoutMs: options.timeoutMs,
        now: options.now,
      });
    const result = queue.then(run, run);
    queue = result.catch(() => undefined);
    const done = await result;
    const ipc = rowsToArrowIPC(done.schema, done.rows);
    return c.body(ipc as Uint8Array<ArrayBuffer>, 200, {
      "content-type": "application/vnd.apache.arrow.stream",
      "cache-control": "no-store",
      "runnel-cell-rows": String(done.total),
      "runnel-cell-ran-at": new Date(done.ranAt).toISOString(),
      "runnel-cell-samples": JSON.stringify(done.samples),
    });
  });

  return app;
}
