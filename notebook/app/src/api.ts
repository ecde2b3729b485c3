/**
 * The gateway's HTTP contract as the app uses it (ARCHITECTURE.md, "Gateway
 * HTTP contract"). The token travels in the HttpOnly `runnel_token` cookie the
 * gateway sets when the page is opened with `?token=`, so the app never sees it.
 */

export interface NotebookEntry {
  path: string;
  title: string;
}

export interface NotebookVersion {
  text: string;
  etag: string;
}

export type SaveResult =
  | { kind: "saved"; etag: string }
  | { kind: "conflict"; current: NotebookVersion | null };

/** An HTTP answer the app did not expect, with the route and the gateway's message. */
export class ApiError extends Error {
  override name = "ApiError";
  constructor(
    readonly route: string,
    readonly status: number,
    /** The gateway's own words, without the route and status (what a person reads on the page). */
    readonly reason: string,
  ) {
    super(`api: ${route} answered ${status}: ${reason}`);
  }
}

async function failure(route: string, response: Response): Promise<ApiError> {
  const body = await response.text();
  let message = body.slice(0, 300);
  if (response.headers.get("content-type")?.includes("json")) {
    const parsed = JSON.parse(body) as { error?: { message?: string } };
    message = parsed.error?.message ?? message;
  }
  return new ApiError(route, response.status, message);
}

/** Browsers let requests outlive their page only up to 64 KiB of bodies in all; this leaves room for one. */
export const KEEPALIVE_BYTES = 60 * 1024;

function notebookRoute(path: string): string {
  return `/api/notebooks/${path.split("/").map(encodeURIComponent).join("/")}`;
}

export async function listNotebooks(): Promise<NotebookEntry[]> {
  const response = await fetch("/api/notebooks");
  if (!response.ok) throw await failure("GET /api/notebooks", response);
  return (await response.json()) as NotebookEntry[];
}

export async function readNotebook(path: string): Promise<NotebookVersion> {
  const route = notebookRoute(path);
  const response = await fetch(route, { cache: "no-store" });
  if (!response.ok) throw await failure(`GET ${route}`, response);
  const etag = response.headers.get("etag");
  if (etag === null) throw new ApiError(`GET ${route}`, response.status, "no ETag header");
  return { text: await response.text(), etag };
}

/**
 * Writes a notebook. `etag` is the version this text was edited from; `null`
 * creates a new file (the gateway refuses if one exists). A 412 is not an
 * error here: it carries the version on disk so the person can choose.
 * `keepalive` lets the request outlive the page (its body must fit {@link KEEPALIVE_BYTES}).
 */
export async function saveNotebook(path: string, text: string, etag: string | null, options: { keepalive?: boolean } = {}): Promise<SaveResult> {
  const route = notebookRoute(path);
  const headers: Record<string, string> = { "content-type": "text/markdown; charset=utf-8" };
  if (etag === null) headers["if-none-match"] = "*";
  else headers["if-match"] = etag;
  // keepalive: the write goes through even when the page is left (reloaded, closed) while it is under way.
  const response = await fetch(route, { method: "PUT", headers, body: text, keepalive: options.keepalive ?? false });
  if (response.status === 412) {
    const body = (await response.json()) as { current?: NotebookVersion | null };
    return { kind: "conflict", current: body.current ?? null };
  }
  if (!response.ok) throw await failure(`PUT ${route}`, response);
  const body = (await response.json()) as { etag?: string };
  const next = body.etag ?? response.headers.get("etag");
  if (next === null || next === undefined) throw new ApiError(`PUT ${route}`, response.status, "no ETag in the answer");
  return { kind: "saved", etag: next };
}

function sourceRoute(notebook: string, source: string, leaf: string): string {
  return `/api/sources/${notebook.split("/").map(encodeURIComponent).join("/")}/${encodeURIComponent(source)}/${leaf}`;
}

/** The newest `n` events of a source as Arrow IPC stream bytes. */
export async function fetchSample(notebook: string, source: string, n: number): Promise<Uint8Array> {
  const route = sourceRoute(notebook, source, `sample?n=${n}`);
  const response = await fetch(route, { cache: "no-store" });
  if (!response.ok) throw await failure(`GET ${route}`, response);
  return new Uint8Array(await response.arrayBuffer());
}

export function tailUrl(notebook: string, source: string): string {
  return sourceRoute(notebook, source, "tail");
}

/** A cell's result from the gateway's native DuckDB (`POST /api/cells/<notebook>`). */
export interface GatewayCellResult {
  /** The rows as Arrow IPC, typed like a sample (each field's `duckdb.type`); at most the gateway's row bound. */
  ipc: Uint8Array;
  /** Every row the cell gave on the gateway (the Arrow may hold fewer). */
  rows: number;
  /** When the gateway read the samples it ran over. */
  ranAt: Date;
  /** The events each source's sample held there. */
  samples: Record<string, number>;
  /** Set when the answer is the one a shared snapshot keeps: the sharer's page had it when it was shared. */
  fromSnapshot?: true;
}

/** The gateway's refusal to run a cell: its message, and the cell, line and column DuckDB placed it at. */
export class GatewayCellError extends Error {
  override name = "GatewayCellError";
  constructor(
    readonly status: number,
    message: string,
    readonly cell: string | null,
    readonly line: number | null,
    readonly column: number | null,
  ) {
    super(message);
  }
}

/**
 * Runs one SQL cell on the gateway's native DuckDB (json and icu built in) over the samples the
 * gateway holds, with `text` — the notebook as the page shows it — giving the cells' SQL.
 */
export async function runCellOnGateway(path: string, text: string, cell: string): Promise<GatewayCellResult> {
  const route = `/api/cells/${path.split("/").map(encodeURIComponent).join("/")}`;
  const response = await fetch(route, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ cell, text }), cache: "no-store" });
  if (!response.ok) {
    if (!response.headers.get("content-type")?.includes("json")) throw await failure(`POST ${route}`, response);
    const body = (await response.json()) as { error?: { message?: string }; cell?: string; line?: number | null; column?: number | null };
    throw new GatewayCellError(response.status, body.error?.message ?? `POST ${route} answered ${response.status}`, body.cell ?? null, body.line ?? null, body.column ?? null);
  }
  const samples = JSON.parse(response.headers.get("runnel-cell-samples") ?? "{}") as Record<string, number>;
  return {
    ipc: new Uint8Array(await response.arrayBuffer()),
    rows: Number(response.headers.get("runnel-cell-rows")),
    ranAt: new Date(response.headers.get("runnel-cell-ran-at") ?? Date.now()),
    samples,
  };
}

export interface ShareLink {
  id: string;
  url: string;
}

/** A cell's result from the gateway's DuckDB as the page holds it, for a share to keep. */
export interface CellAnswer {
  /** The cell's label (its id, or #n). */
  cell: string;
  answer: GatewayCellResult;
}

/**
 * Snapshots the notebook as shown: its text, the rows each source table holds and the results the
 * gateway's DuckDB gave the page (cells the browser's DuckDB cannot run), which a snapshot cannot ask for.
 */
export async function createShare(path: string, text: string, samples: Record<string, Uint8Array>, answers: CellAnswer[] = []): Promise<ShareLink> {
  const encoded: Record<string, string> = {};
  for (const [name, bytes] of Object.entries(samples)) encoded[name] = toBase64(bytes);
  const cells = answers.map(({ cell, answer }) => ({ cell, ipc: toBase64(answer.ipc), rows: answer.rows, ranAt: answer.ranAt.toISOString(), samples: answer.samples }));
  const response = await fetch("/api/share", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ path, text, samples: encoded, cells }),
  });
  if (!response.ok) throw await failure("POST /api/share", response);
  return (await response.json()) as ShareLink;
}

export interface SharedNotebook {
  path: string;
  title: string;
  text: string;
  sources: string[];
  /** When the snapshot was taken (ISO 8601). */
  createdAt?: string;
  /** The results of gateway-run cells the sharer's page had; each one's rows are `/s/<id>/cells/<index>`. */
  cells?: SharedCell[];
}

/** A gateway-run cell's result kept in a share (`gateway/share/cell-results.ts`). */
export interface SharedCell {
  cell: string;
  index: number;
  rows: number;
  ranAt: string;
  samples: Record<string, number>;
}

export async function readShare(id: string): Promise<SharedNotebook> {
  const route = `/s/${encodeURIComponent(id)}/notebook`;
  const response = await fetch(route, { credentials: "omit" });
  if (!response.ok) throw await failure(`GET ${route}`, response);
  return (await response.json()) as SharedNotebook;
}

export async function fetchSharedSample(id: string, source: string): Promise<Uint8Array> {
  const route = `/s/${encodeURIComponent(id)}/sources/${encodeURIComponent(source)}`;
  const response = await fetch(route, { credentials: "omit" });
  if (!response.ok) throw await failure(`GET ${route}`, response);
  return new Uint8Array(await response.arrayBuffer());
}

/** The rows of a gateway-run cell a share keeps, as Arrow IPC. */
export async function fetchSharedCell(id: string, index: number): Promise<Uint8Array> {
  const route = `/s/${encodeURIComponent(id)}/cells/${index}`;
  const response = await fetch(route, { credentials: "omit" });
  if (!response.ok) throw await failure(`GET ${route}`, response);
  return new Uint8Array(await response.arrayBuffer());
}

function toBase64(bytes: Uint8Array): string {
  let binary = "";
  const chunk = 0x8000;
  for (let i = 0; i < bytes.length; i += chunk) binary += String.fromCharCode(...bytes.subarray(i, i + chunk));
  return btoa(binary);
}

/** One server-sent event of a check or publish run. */
export interface PipelineEvent {
  event: "progress" | "result" | "failure";
  data: unknown;
}

/**
 * Runs a check or publish of the saved notebook on the gateway and yields its
 * server-sent events as they arrive: progress lines, then the result.
 */
export async function* runPipeline(verb: "check" | "publish", path: string, force = false): AsyncGenerator<PipelineEvent> {
  const route = `/api/pipelines/${verb}/${path.split("/").map(encodeURIComponent).join("/")}${verb === "publish" ? `?force=${force}` : ""}`;
  const response = await fetch(route, { method: "POST" });
  if (!response.ok || response.body === null) throw await failure(`POST ${route}`, response);
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += value;
    let end: number;
    while ((end = buffer.indexOf("\n\n")) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const event = /^event: (.*)$/m.exec(block)?.[1];
      const data = block.split("\n").filter((l) => l.startsWith("data: ")).map((l) => l.slice(6)).join("\n");
      if (event === "progress" || event === "result" || event === "failure") yield { event, data: JSON.parse(data) as unknown };
    }
  }
}

/** A published pipeline running inside the gateway on the live stream, writing to a local folder. */
export type { LocalRunInfo as LocalRun } from "../../../gateway/pipeline/local-run.ts";
import type { LocalRunInfo as LocalRun } from "../../../gateway/pipeline/local-run.ts";

function runRoute(path: string): string {
  return `/api/pipelines/run/${path.split("/").map(encodeURIComponent).join("/")}`;
}

/** Starts the published pipeline; the page starts it from the events the notebook shows, then what arrives. */
export async function startLocalRun(path: string, from: "sample" | "now" = "sample", options: { replace?: boolean } = {}): Promise<LocalRun> {
  // replace: the run deletes what runs of other publishes wrote into its folder, once this publish's rows are there.
  const route = `${runRoute(path)}?from=${from}${options.replace ? "&replace=true" : ""}`;
  const response = await fetch(route, { method: "POST" });
  if (!response.ok) throw await failure(`POST ${route}`, response);
  return (await response.json()) as LocalRun;
}

export async function stopLocalRun(path: string): Promise<LocalRun> {
  const route = runRoute(path);
  const response = await fetch(route, { method: "DELETE" });
  if (!response.ok) throw await failure(`DELETE ${route}`, response);
  return (await response.json()) as LocalRun;
}

export async function listLocalRuns(): Promise<LocalRun[]> {
  const response = await fetch("/api/pipelines/runs", { cache: "no-store" });
  if (!response.ok) throw await failure("GET /api/pipelines/runs", response);
  return (await response.json()) as LocalRun[];
}
