/**
 * DuckDB-WASM loads the icu extension for a TIMESTAMPTZ function (`hour(ts)`) even with
 * `autoload_known_extensions` off — by default from DuckDB's CDN, in the browser's time zone, and
 * in Node's blocking build it waits forever when the download fails. Set up as the app sets it up
 * (`configureSession`), it asks the app's own server instead, which has no icu: the cell fails at
 * once, and its error says which extension is missing and where to see the answer.
 */
import { execFile } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, test } from "vitest";
import { readSqlError } from "../../notebook/app/src/sql.ts";

const root = new URL("../../", import.meta.url).pathname;
let server: Server;
let base: string;
let home: string;
const requests: string[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    requests.push(`${req.method} ${req.url}`);
    res.statusCode = 404;
    res.end("not here");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  // Node's build caches what it downloads under ~/.duckdb/extensions: keep that out of the real home.
  home = await mkdtemp(join(tmpdir(), "runnel-wasm-home-"));
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  await rm(home, { recursive: true, force: true });
});

function probe(queries: string[]): Promise<{ lines: Record<string, unknown>[]; timedOut: boolean }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ["--import", "tsx", join(root, "tests/notebooks/extension-probe.ts"), base, ...queries],
      { cwd: root, timeout: 40_000, killSignal: "SIGKILL", env: { ...process.env, HOME: home } },
      (error, stdout) => {
        const lines = stdout.split("\n").filter((l) => l.startsWith("{")).map((l) => JSON.parse(l) as Record<string, unknown>);
        resolve({ lines, timedOut: error !== null && (error as { killed?: boolean }).killed === true });
      },
    );
  });
}

test("a TIMESTAMPTZ function fails at once in the notebook, asking only the app's server for icu, and says icu is missing", async () => {
  const hour = "SELECT hour(TIMESTAMPTZ '2024-01-01 10:00:00+02') AS h";
  const { lines, timedOut } = await probe([hour, "SELECT 41 + 1 AS ok"]);
  expect(timedOut, "DuckDB-WASM hung on the icu download").toBe(false);
  expect(lines[0]).toEqual({ loaded: [] });
  const failed = lines.find((l) => l.sql === hour);
  expect(failed?.error).toMatch(/required extension 'icu'/);
  expect(readSqlError(String(failed?.error), hour).message).toMatch(/The notebook's in-browser DuckDB has no icu extension .*a notebook opened from its gateway runs such a cell there/s);
  // The session still answers after the failed load.
  expect(lines.find((l) => l.sql === "SELECT 41 + 1 AS ok")?.rows).toEqual(['{"ok":42}']);
  // Only the app's server was asked (HEAD before start, then DuckDB's own GET), never a CDN.
  expect(requests.every((r) => r.includes("/duckdb-extensions/v1.4.3/wasm_eh/"))).toBe(true);
  expect(requests).toContain("GET /duckdb-extensions/v1.4.3/wasm_eh/icu.duckdb_extension.wasm");
}, 60_000);
