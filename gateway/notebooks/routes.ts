import { Hono } from "hono";
import { parseNotebook } from "../../notebook/format/parse.ts";
import { GatewayError } from "../http/error.ts";
import { readJson } from "../http/json.ts";
import { limitBody } from "../http/limits.ts";
import type { NotebookStore } from "./store.ts";

/**
 * The notebooks API, mounted at `/api/notebooks` behind the token:
 *
 *   GET  /                 [{ path, title, etag }]
 *   GET  /<path>           the text, with ETag
 *   PUT  /<path>           If-Match: <etag> replaces, If-None-Match: * creates;
 *                          { etag, issues }; 412 { error, current } when stale
 *   POST /                 { path, text } creates; 201 { path, etag, issues }
 *
 * A notebook with issues is still saved (a person mid-edit); `issues` are
 * its positioned parse errors.
 */
export function notebookRoutes(store: NotebookStore, maxBytes: number, onChange: (path: string) => void): Hono {
  const app = new Hono();

  app.get("/", async (c) => {
    const paths = await store.list();
    const entries = await Promise.all(
      paths.map(async (path) => {
        const file = await store.read(path);
        return { path, title: parseNotebook(file.text, path).notebook.title, etag: file.etag };
      }),
    );
    return c.json(entries);
  });

  app.post("/", limitBody(maxBytes), async (c) => {
    const body = await readJson(c.req.raw);
    if (typeof body.path !== "string" || typeof body.text !== "string") {
      throw new GatewayError(400, "bad_request", 'notebooks: POST needs a JSON body { "path": "<name>.md", "text": "<notebook>" }');
    }
    const { etag } = await store.write(body.path, body.text, null);
    onChange(body.path);
    c.header("etag", etag);
    return c.json({ path: body.path, etag, issues: parseNotebook(body.text, body.path).issues }, 201);
  });

  app.get("/:path{.+}", async (c) => {
    const file = await store.read(c.req.param("path"));
    if (c.req.header("if-none-match") === file.etag) return c.body(null, 304, { etag: file.etag });
    return c.body(file.text, 200, { etag: file.etag, "content-type": "text/markdown; charset=utf-8" });
  });

  app.put("/:path{.+}", limitBody(maxBytes), async (c) => {
    const path = c.req.param("path");
    const ifMatch = c.req.header("if-match");
    const ifNoneMatch = c.req.header("if-none-match");
    if (ifMatch === undefined && ifNoneMatch !== "*") {
      throw new GatewayError(428, "precondition_required", `notebooks: PUT ${path} needs If-Match with the ETag you last read, or If-None-Match: * to create it`);
    }
    const text = await c.req.text();
    const { etag, created } = await store.write(path, text, ifMatch ?? null);
    onChange(path);
    c.header("etag", etag);
    return c.json({ etag, issues: parseNotebook(text, path).issues }, created ? 201 : 200);
  });

  return app;
}
