/**
 * review13: a delivery to a `signature: none` source (the operator's bearer token) is decompressed before
 * the token is looked at: anyone can make the Worker inflate up to the body limit per request, and is told
 * 413 "decompressed" (or 400 corrupt) rather than 401. The token costs nothing to check first.
 */
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, expect, test } from "vitest";
import { parseNotebook } from "../../notebook/format/parse.ts";
import { compileWith, startEdge, type EdgeRuntime } from "./harness.ts";

const text = `---
title: open source
sources:
  open:
    webhook: { signature: none }
    format: ndjson
sinks:
  all:
    r2: { binding: LAKE, prefix: all/ }
---

\`\`\`sql id=all sink=all
SELECT id FROM open
\`\`\`
`;
let edge: EdgeRuntime;
beforeAll(async () => {
  const { notebook, issues } = parseNotebook(text, "open.md");
  expect(issues).toEqual([]);
  const plan = await compileWith(notebook, { open: ['{"id": 1}'] });
  edge = await startEdge({ name: "openreview13", plan, notebook, limits: { maxBodyBytes: 64 * 1024 }, bindings: { RUNNEL_ADMIN_TOKEN: "tok" } });
}, 120_000);
afterAll(async () => edge?.dispose());

test("review13: a compressed delivery without the token is a 401 before anything is decompressed", async () => {
  const bomb = gzipSync(Buffer.alloc(4 * 1024 * 1024));
  const r = await edge.mf.dispatchFetch("http://edge/ingest/open", { method: "POST", body: bomb, headers: { "content-type": "application/x-ndjson", "content-encoding": "gzip" } });
  expect(r.status).toBe(401);
}, 120_000);
