import { isMap, parse as parseYaml, parseDocument } from "yaml";
import { cellLabel, insertCell, moveCell, NAME, type Notebook, type NotebookIssue, parseNotebook, removeCell, serializeNotebook, sourceToYaml, type SourceSpec, updateCell } from "../../format/index.ts";
import { splitFrontMatter } from "../../format/parse.ts";
import { ApiError, fetchSample, fetchSharedSample, listLocalRuns, type LocalRun, readNotebook, readShare, type SharedCell, tailUrl } from "./api.ts";
import { type Database, startDuckDB } from "./duckdb.ts";
import { type CatalogSchema, readCatalog } from "./editor.ts";
import { GatewayCells } from "./gateway-cells.ts";
import { JsonTypes } from "./json-types.ts";
import { jsonColumns } from "./retype.ts";
import { graphIssues } from "./graph-check.ts";
import { type CellSpec, ReactiveNotebook, runInPage } from "./reactive.ts";
import { createSandboxRunner } from "./sandbox/frame.ts";
import { type SaveStatus, Saver } from "./saver.ts";
import { shareNotebook } from "./share.ts";
import { snapshotRunner } from "./shared-cells.ts";
import { type SourceStats, SourceTable } from "./source-table.ts";
import { renameSinkInText } from "./sink-rename.ts";
import { spliceSinkEntry, spliceSourceEntry } from "./source-entry-text.ts";
import { quoteIdent } from "./sql.ts";
import { type ReadTableNames, tableNameReader } from "./table-names.ts";
import { CellView } from "./views/cell-view.ts";
import { showConflict } from "./views/conflict.ts";
import { renderMarkdown } from "./views/markdown.ts";
import { LocalRunCard } from "./views/local-run-card.ts";
import { PipelinePanel, type StaleSource } from "./views/pipeline-panel.ts";
import { showShareLink } from "./views/share-dialog.ts";
import { addSourceForm } from "./views/add-source.ts";
import { brokenSourceCard, brokenSourceMessage, sampleFailureMessage, sourceProblems } from "./views/broken-source.ts";
import { editSourceForm, type Entry as SourceEntry } from "./views/edit-source.ts";
import { button, SourceCard, type SourceManagement } from "./views/source-card.ts";
import { renderWebhookTry, webhookTry } from "./views/webhook-try.ts";
import { type SinkEntry, SinkPanel, type SinkRow } from "./views/sink-panel.ts";

export type PageMode = { kind: "edit"; path: string } | { kind: "share"; id: string };

/** How long Undo is offered after a cell is deleted. */
const UNDO_MS = 12_000;

/** How often a changing source recomputes the cells that read it. */
const REFRESH_MS = 1000;

/**
 * How many of the newest events a source table keeps: ten samples' worth
 * (the sample is the first fill, the tail keeps adding), within bounds that
 * keep DuckDB-WASM's memory and the cells' recompute time small.
 */
export function windowSize(sampleSize: number): number {
  return Math.min(1_000_000, Math.max(10_000, sampleSize * 10));
}

/** Where a notebook's webhook source takes its deliveries, whole. */
function webhookUrl(path: string, spec: Extract<SourceSpec, { kind: "webhook" }>, origin: string = location.origin): string {
  return `${origin}/hooks/${path.replace(/\.md$/, "").split("/").map(encodeURIComponent).join("/")}/${encodeURIComponent(spec.name)}`;
}

/**
 * What a webhook source with no deliveries yet says: where to POST them, whole, and what the gateway
 * asks of a delivery, since one without it is refused (401, or 503 while the secret is not set).
 */
export function webhookWaitingNote(path: string, spec: Extract<SourceSpec, { kind: "webhook" }>, origin: string = location.origin): string {
  const url = webhookUrl(path, spec, origin);
  const secret = spec.secret === null ? "the secret" : `the secret in $${spec.secret}`;
  // The schemes a sender of one's own signs by hand get the header spelled out: "signed (sha256)" left
  // the header's name and form to be learnt from a 401. A provider's scheme (github, stripe, …) is signed by the provider.
  const how =
    spec.signature === "none"
      ? " with the header Authorization: Bearer <the gateway's token>"
      : spec.signature === "sha256"
        ? ` with the header X-Signature-256: sha256=<the body's HMAC-SHA256 in hex, keyed with ${secret}>`
        : spec.signature === "bearer"
          ? ` with the header Authorization: Bearer <${secret}>`
          : `, signed (${spec.signature})${spec.secret === null ? "" : ` with the secret in $${spec.secret}`}`;
  return `no events yet: POST them to ${url}${how}`;
}

/**
 * One open notebook: DuckDB-WASM with a table per source, the reactive
 * runtime with a variable per cell, the cells' editors and outputs, the
 * source panel, saving (edit mode) or a frozen, read-only snapshot whose
 * JavaScript runs in sandboxed frames (share mode).
 */
export class NotebookPage {
  private notebook!: Notebook;
  private keys: string[] = [];
  private readonly views = new Map<string, CellView>();
  private readonly tables = new Map<string, SourceTable>();
  /** Each source's card in the side panel (a "not opened" card for an entry with a problem), by name. */
  private readonly cards = new Map<string, HTMLElement>();
  private reactive!: ReactiveNotebook;
  private db!: Database;
  private tableNames!: ReadTableNames;
  private saver: Saver | null = null;
  /** Cells run on the gateway's DuckDB (edit mode). */
  private gatewayCells: GatewayCells | null = null;
  private schema: CatalogSchema = {};
  private nextKey = 1;
  private readonly article: HTMLElement;
  private readonly aside: HTMLElement;
  private readonly status: HTMLElement;
  private readonly title: HTMLElement;
  private readonly actions: HTMLElement;
  private schemaTimer: ReturnType<typeof setTimeout> | null = null;
  private graphTimer: ReturnType<typeof setTimeout> | null = null;
  private fileIssues: string[] = [];
  /** The file's problems as parsed, to say which declared source could not be opened and why. */
  private parseIssues: NotebookIssue[] = [];
  private issuesBox: HTMLElement | null = null;
  /** A shared snapshot's creation time. */
  private sharedAt: string | null = null;
  /** The gateway-run cells' results a shared snapshot keeps. */
  private sharedCells: SharedCell[] = [];

  constructor(
    private readonly root: HTMLElement,
    private readonly mode: PageMode,
  ) {
    root.replaceChildren();
    const header = document.createElement("header");
    header.className = "topbar";
    const home = document.createElement("a");
    home.href = "/";
    home.className = "brand";
    home.textContent = "runnel";
    this.title = document.createElement("h1");
    this.title.className = "notebook-title";
    this.status = document.createElement("span");
    this.status.className = "save-status";
    // "saved", "not saved: …", "conflict: choose a version" are announced to a screen reader as they change.
    this.status.setAttribute("role", "status");
    this.actions = document.createElement("div");
    this.actions.className = "topbar-actions";
    header.append(home, this.title, this.status, this.actions);
    const layout = document.createElement("main");
    layout.className = "layout";
    this.article = document.createElement("article");
    this.article.className = "notebook";
    this.aside = document.createElement("aside");
    this.aside.className = "sources";
    layout.append(this.article, this.aside);
    root.append(header, layout);
    document.body.classList.toggle("read-only", mode.kind === "share");
  }

  get readOnly(): boolean {
    return this.mode.kind === "share";
  }

  async open(): Promise<void> {
    try {
      await this.openPage();
    } catch (error) {
      // The page says why it did not open; a status still reading "starting DuckDB…" said it was on its way.
      this.setStatus("");
      this.article.querySelector(".opening")?.remove();
      throw error;
    }
  }

  private async openPage(): Promise<void> {
    this.setStatus("starting DuckDB…");
    const starting = startDuckDB().then((started) => (performance.mark("runnel:duckdb-ready"), started));
    const loaded = await this.loadText();
    const { notebook, issues } = parseNotebook(loaded.text, loaded.path);
    // The samples download while DuckDB-WASM compiles (the slowest step of opening).
    const samples = this.fetchSamples(notebook);
    // Seconds pass before the cells can show (DuckDB-WASM compiles, the samples load): the page said only
    // "starting DuckDB…" in a corner of an empty page, and a first open looked like a page that had failed.
    this.title.textContent = notebook.title;
    document.title = `${notebook.title} · runnel`;
    const opening = document.createElement("p");
    opening.className = "opening";
    const sources = Object.values(notebook.sources).map((s) => s.name);
    const cells = notebook.cells.length;
    const what = `${cells} ${cells === 1 ? "cell" : "cells"}${sources.length === 0 ? "" : ` over ${sources.join(", ")}`}`;
    opening.textContent = `Opening ${what}: starting DuckDB in this browser${sources.length === 0 ? "" : ` while the ${sources.length === 1 ? "sample loads" : "samples load"}`}…`;
    this.article.replaceChildren(opening);
    const db = await starting;
    this.db = db;
    this.notebook = notebook;
    this.title.textContent = notebook.title;
    document.title = `${notebook.title} · runnel`;
    this.parseIssues = issues;
    this.fileIssues = issues.map((i) => `line ${i.line}:${i.column} ${i.message}`);
    const sandbox = this.readOnly ? createSandboxRunner((key) => this.views.get(key)!.frameHost()) : runInPage;
    // A shared snapshot is sandboxed and cannot call /api: a cell only the gateway's DuckDB can run shows the rows the sharer's page had.
    const mode = this.mode;
    this.gatewayCells = mode.kind === "edit" ? new GatewayCells(mode.path, () => serializeNotebook(this.notebook)) : null;
    const gatewayCells = this.gatewayCells;
    const gateway = gatewayCells !== null ? (spec: CellSpec) => gatewayCells.run(spec) : mode.kind === "share" ? snapshotRunner(mode.id, this.sharedCells) : null;
    this.tableNames = await tableNameReader(db.conn);
    // Each SQL cell queries on a connection of its own, so a slow one can be stopped and leaves the others running.
    this.reactive = new ReactiveNotebook(db.conn, (key) => this.views.get(key)!.observer(), sandbox, {}, gateway, this.tableNames, db.connect);
    const jsonTypes = new JsonTypes(db.conn, () => new Map([...this.tables].map(([name, table]) => [name, jsonColumns(table.schema)])));
    await jsonTypes.open();
    this.reactive.useJsonTypes(jsonTypes);

    if (this.mode.kind === "edit") {
      this.saver = new Saver(this.mode.path, loaded.etag!, (status) => this.onSaveStatus(status));
      // Leaving the page writes the last edit now instead of 800 ms later, when the page is gone;
      // when it cannot, the browser asks before leaving.
      window.addEventListener("beforeunload", (event) => {
        if (this.saver?.leave() === false) event.preventDefault();
      });
      window.addEventListener("pagehide", () => void this.saver?.leave());
      const share = button("Share", "share-button");
      share.addEventListener("click", () => void this.share(share));
      const path = this.mode.path;
      const panel = () => new PipelinePanel(path, async () => {
        await this.saver?.flush();
      }, (run) => this.showLocalRun(run), (cell, line) => this.showCell(cell, line), (sink, lateness) => this.setSinkLateness(sink, lateness), () => this.staleSources());
      const check = button("Check", "check-button");
      check.title = "Run the sink cells through the published pipeline's executor and through DuckDB on the sample, and compare";
      check.addEventListener("click", () => void panel().run("check"));
      const publish = button("Publish", "publish-button");
      publish.title = "Check, then write the deployable pipeline bundle";
      publish.addEventListener("click", () => void panel().run("publish"));
      this.actions.append(check, publish, share);
      // Mod-S saves now (the page saves on its own a moment after each edit), instead of the browser's "Save page as".
      document.addEventListener("keydown", (event) => {
        if ((event.ctrlKey || event.metaKey) && !event.altKey && !event.shiftKey && event.key.toLowerCase() === "s") {
          event.preventDefault();
          void this.saver?.flush();
        }
      });
    } else {
      const badge = document.createElement("span");
      badge.className = "read-only-badge";
      badge.textContent = "read-only snapshot";
      const taken = this.sharedAt === null ? null : new Date(this.sharedAt);
      if (taken !== null && !Number.isNaN(taken.getTime())) {
        // The sample is the stream as it was then: say when, in the reader's own time.
        badge.textContent = `read-only snapshot of ${taken.toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" })}`;
        badge.title = taken.toISOString();
      }
      this.actions.append(badge);
    }

    this.setStatus("loading sources…");
    if (sources.length > 0) opening.textContent = `Opening ${what}: reading the ${sources.length === 1 ? "sample" : "samples"} into DuckDB…`;
    if (this.mode.kind === "edit") {
      const path = this.mode.path;
      listLocalRuns().then(
        (runs) => {
          const mine = runs.find((r) => r.notebook === path);
          if (mine) this.showLocalRun(mine);
        },
        (error: unknown) => console.error(new Error("local runs: could not list them", { cause: error })),
      );
    }
    await this.openSources(samples);
    performance.mark("runnel:sources-loaded");
    if (this.readOnly) {
      // Shared SQL is someone else's: keep it from reading files or URLs.
      await db.conn.query("SET enable_external_access = false");
      await db.conn.query("SET lock_configuration = true");
    }
    this.keys = notebook.cells.map(() => `c${this.nextKey++}`);
    this.schema = await readCatalog(db.conn);
    for (const key of this.keys) this.views.set(key, this.createView(key));
    this.render();
    this.setStatus(this.readOnly ? "" : "saved");
    await this.reactive.setCells(this.keys.map((key) => this.spec(key)));
    this.refreshSchemaSoon();
    this.checkGraphSoon();
  }

  private async loadText(): Promise<{ path: string; text: string; etag: string | null }> {
    if (this.mode.kind === "edit") {
      const version = await readNotebook(this.mode.path);
      return { path: this.mode.path, text: version.text, etag: version.etag };
    }
    const shared = await readShare(this.mode.id);
    this.sharedAt = shared.createdAt ?? null;
    this.sharedCells = shared.cells ?? [];
    return { path: shared.path, text: shared.text, etag: null };
  }

  private fetchSamples(notebook: Notebook): Map<string, Promise<Uint8Array>> {
    const mode = this.mode;
    const samples = new Map<string, Promise<Uint8Array>>();
    for (const spec of Object.values(notebook.sources)) {
      const bytes = mode.kind === "edit" ? fetchSample(mode.path, spec.name, spec.sampleSize) : fetchSharedSample(mode.id, spec.name);
      // Handled where the sample is awaited (SourceTable.load); this keeps an early failure from being reported as unhandled.
      bytes.catch(() => undefined);
      samples.set(spec.name, bytes);
    }
    return samples;
  }

  private async openSources(samples: Map<string, Promise<Uint8Array>>): Promise<void> {
    const loads: Promise<void>[] = [];
    // In the file's order; a declared source whose entry has a problem is in `declared` but not in `sources`.
    const declared = this.notebook.declared?.sources ?? [];
    for (const name of new Set([...declared, ...Object.keys(this.notebook.sources)])) {
      if (Object.hasOwn(this.notebook.sources, name)) loads.push(this.openSource(this.notebook.sources[name]!, samples));
      else this.openBrokenSource(name);
    }
    if ((this.notebook.declared?.sources ?? Object.keys(this.notebook.sources)).length === 0) {
      const none = document.createElement("p");
      none.className = "muted no-sources";
      none.textContent = "This notebook declares no sources.";
      this.aside.append(none);
    }
    if (!this.readOnly) {
      this.addSourceBox = addSourceForm(
        (name, spec) => this.addSource(name, spec),
        (name) => this.sourceNameProblem(name),
      );
      this.aside.append(this.addSourceBox);
      this.sinkPanel = new SinkPanel({
        sinks: () => this.sinkRows(),
        nameProblem: (name, renaming) => this.sinkNameProblem(name, renaming),
        save: (name, entry) => this.saveSink(name, entry),
        rename: (from, to, entry) => this.renameSink(from, to, entry),
        remove: (name) => this.removeSink(name),
      });
      this.aside.append(this.sinkPanel.element);
    }
    await Promise.all(loads);
  }

  /** A declared source whose entry has a problem: a "not opened" card, and its readers fail with the problem. */
  private openBrokenSource(name: string, at: HTMLElement | null = null): void {
    const problems = sourceProblems(this.parseIssues, name);
    const card = brokenSourceCard(name, problems, this.manageSource(name));
    this.placeCard(card, at);
    this.cards.set(name, card);
    this.reactive.addBrokenSource(name, brokenSourceMessage(name, problems));
  }

  /** Puts a source's card in place of `at` (the card it replaces), else above the "+ Source" form. */
  private placeCard(card: HTMLElement, at: HTMLElement | null): void {
    if (at?.isConnected) at.replaceWith(card);
    else if (this.addSourceBox !== null) this.aside.insertBefore(card, this.addSourceBox);
    else this.aside.append(card);
  }

  /** Edit and Remove on a source's card, in edit mode. */
  private manageSource(name: string): SourceManagement | null {
    if (this.readOnly) return null;
    return { edit: () => this.openSourceEditor(name), remove: () => void this.removeSource(name) };
  }

  /** Says `text` on source `name`'s card (a removal refused, the file not written), or clears it. */
  private sayOnCard(name: string, text: string | null): void {
    const card = this.cards.get(name);
    if (card === undefined) return;
    let note = card.querySelector<HTMLElement>(":scope > .source-manage-problem");
    if (text === null) return note?.remove();
    if (note === null) {
      note = document.createElement("p");
      note.className = "source-manage-problem";
      note.setAttribute("role", "alert");
      card.append(note);
    }
    note.textContent = text;
  }

  /** The source's entry as the front matter holds it: written from the model, or, for an entry the notebook could not read, as written. */
  private sourceEntry(name: string): SourceEntry {
    const spec = Object.hasOwn(this.notebook.sources, name) ? this.notebook.sources[name]! : null;
    if (spec !== null) return sourceToYaml(spec);
    const yaml = this.frontMatterYaml();
    if (yaml === null) return {};
    try {
      const entry = (parseYaml(yaml.text) as { sources?: Record<string, unknown> } | null)?.sources?.[name];
      return typeof entry === "object" && entry !== null && !Array.isArray(entry) ? (entry as SourceEntry) : {};
    } catch {
      return {};
    }
  }

  /** The front matter block's YAML text and where it sits in the block, or null when the notebook has none. */
  private frontMatterYaml(): { index: number; raw: string; start: number; end: number; text: string } | null {
    const index = this.notebook.blocks.findIndex((b) => b.kind === "frontmatter");
    if (index < 0) return null;
    const raw = this.notebook.blocks[index]!.raw;
    const split = splitFrontMatter(raw);
    if (split === null || split === "unclosed") return null;
    return { index, raw, start: split.yamlStart, end: split.yamlEnd, text: raw.slice(split.yamlStart, split.yamlEnd) };
  }

  /**
   * The notebook with source `name`'s entry set to `spec` (added when new), or taken out (null). The
   * entry's lines are rewritten in the file's text and nothing else (`spliceSourceEntry`); where the
   * text is not laid out for that, the model alone changes and the notebook's writer writes it.
   */
  private withSource(name: string, spec: SourceSpec | null): Notebook {
    const notebook = this.notebook;
    const declared = notebook.declared ?? { sources: Object.keys(notebook.sources), sinks: Object.keys(notebook.sinks) };
    const { [name]: _old, ...others } = notebook.sources;
    const next: Notebook = {
      ...notebook,
      sources: spec === null ? others : { ...notebook.sources, [name]: spec },
      declared: { ...declared, sources: spec === null ? declared.sources.filter((s) => s !== name) : declared.sources.includes(name) ? declared.sources : [...declared.sources, name] },
    };
    const yaml = this.frontMatterYaml();
    const previous = Object.hasOwn(notebook.sources, name) ? sourceToYaml(notebook.sources[name]!) : null;
    const text = yaml === null ? null : spliceSourceEntry(yaml.text, name, spec === null ? null : sourceToYaml(spec), previous);
    if (yaml === null || text === null) return next;
    const raw = yaml.raw.slice(0, yaml.start) + text + yaml.raw.slice(yaml.end);
    const spliced: Notebook = { ...next, blocks: next.blocks.map((b, i) => (i === yaml.index ? { kind: "frontmatter" as const, raw } : b)) };
    // The new text must say what the model says (the writer then keeps it as it is); else the writer's version.
    return serializeNotebook(spliced).startsWith(raw) ? spliced : next;
  }

  /** Opens the edit form on source `name`'s card. */
  private openSourceEditor(name: string): void {
    const card = this.cards.get(name);
    if (card === undefined) return;
    this.sayOnCard(name, null);
    const open = card.querySelector<HTMLFormElement>(".edit-source-form");
    if (open !== null) return open.querySelector<HTMLElement>("input, select")?.focus();
    const form = editSourceForm(
      name,
      this.sourceEntry(name),
      (spec) => this.saveSource(name, spec, form),
      () => {
        form.remove();
        this.cards.get(name)?.querySelector<HTMLElement>(".source-edit")?.focus();
      },
    );
    card.append(form);
    form.querySelector<HTMLElement>("input:not(:disabled), select")?.focus();
  }

  /**
   * Writes source `name`'s edited entry into the front matter (the rest of the file as it was), then
   * opens the source again from it: a new sample and tail, the card in place, its readers run over
   * the new table. Answers why not, or null.
   */
  private async saveSource(name: string, spec: SourceSpec, form: HTMLElement): Promise<string | null> {
    if (this.saver === null) return "a shared snapshot cannot change sources";
    const current = Object.hasOwn(this.notebook.sources, name) ? this.notebook.sources[name]! : null;
    if (current !== null && JSON.stringify(current) === JSON.stringify(spec)) {
      form.remove();
      return null;
    }
    this.dismissUndo();
    this.notebook = this.withSource(name, spec);
    this.saver.schedule(serializeNotebook(this.notebook));
    await this.saver.flush();
    if (this.saver.pending()) return "the notebook could not be written, so the source is not opened again yet: see the status at the top";
    this.rereadIssues();
    form.remove();
    const at = this.cards.get(name) ?? null;
    await this.closeSource(name);
    const load = this.openSource(spec, new Map(), at);
    this.checkGraphSoon();
    void load.then(() => this.refreshSchemaSoon());
    return null;
  }

  /** The cells whose SQL reads `name` (as DuckDB's parser reads the cell; by the word, for a cell it cannot parse), labelled with their line. */
  private async readersOf(name: string): Promise<string[]> {
    const lower = name.toLowerCase();
    const readers: string[] = [];
    for (const cell of this.notebook.cells) {
      if (cell.language !== "sql") continue;
      let names: string[];
      try {
        names = await this.tableNames(cell.code);
      } catch {
        names = new RegExp(`(^|[^A-Za-z0-9_])${name}($|[^A-Za-z0-9_])`, "i").test(cell.code) ? [name] : [];
      }
      if (names.some((n) => n.toLowerCase() === lower || n.toLowerCase().endsWith(`.${lower}`))) readers.push(`${cellLabel(cell)} (line ${cell.start.line})`);
    }
    return readers;
  }

  /**
   * Takes source `name` out of the front matter, refused (on its card) while cells read it: each is
   * named with its line. The file is written first; then its table, card and variable go, and Undo
   * puts the entry back as it was written.
   */
  private async removeSource(name: string): Promise<void> {
    if (this.saver === null) return;
    this.sayOnCard(name, null);
    const readers = await this.readersOf(name);
    if (readers.length > 0) {
      this.sayOnCard(name, `Not removed: ${readers.length === 1 ? "cell" : "cells"} ${readers.join(", ")} ${readers.length === 1 ? "reads" : "read"} ${name}. Change or delete ${readers.length === 1 ? "it" : "them"} first.`);
      return;
    }
    this.dismissUndo();
    const before = this.notebook;
    const spec = Object.hasOwn(before.sources, name) ? before.sources[name]! : null;
    this.notebook = this.withSource(name, null);
    if (spec === null && serializeNotebook(this.notebook) === serializeNotebook(before)) {
      // An entry the notebook could not read is not in the model, so its writer would keep it: take it out of the YAML here.
      const declared = this.notebook.declared!;
      const yaml = this.frontMatterYaml();
      const doc = yaml === null ? null : parseDocument(yaml.text);
      if (yaml === null || doc === null || doc.errors.length > 0 || !isMap(doc.get("sources"))) {
        this.notebook = before;
        this.sayOnCard(name, "Not removed: the front matter cannot be read as YAML; fix it in the file");
        return;
      }
      doc.deleteIn(["sources", name]);
      const eol = yaml.raw.includes("\r\n") ? "\r\n" : "\n";
      const raw = yaml.raw.slice(0, yaml.start) + doc.toString().replace(/\r?\n/g, eol) + yaml.raw.slice(yaml.end);
      this.notebook = { ...this.notebook, blocks: before.blocks.map((b, i) => (i === yaml.index ? { kind: "frontmatter" as const, raw } : b)), declared };
    }
    this.saver.schedule(serializeNotebook(this.notebook));
    await this.saver.flush();
    if (this.saver.pending()) {
      this.notebook = before;
      this.sayOnCard(name, "Not removed: the notebook could not be written; see the status at the top");
      return;
    }
    this.rereadIssues();
    const at = this.cards.get(name) ?? null;
    const next = at?.nextElementSibling;
    at?.remove();
    await this.closeSource(name);
    this.reactive.removeSource(name);
    this.checkGraphSoon();
    this.refreshSchemaSoon();
    this.offerUndo(`Removed source ${name}.`, () => {
      this.notebook = before;
      this.rereadIssues();
      // Its card comes back where it was; the source opens once the file has it again (the gateway reads sources from the file).
      const mark = document.createElement("div");
      if (next?.isConnected) next.before(mark);
      else this.placeCard(mark, null);
      const saver = this.saver!;
      saver.schedule(serializeNotebook(this.notebook));
      void saver.flush().then(() => {
        if (spec !== null) void this.openSource(spec, new Map(), mark).then(() => this.refreshSchemaSoon());
        else this.openBrokenSource(name, mark);
        mark.remove();
        this.checkGraphSoon();
      });
    });
  }

  /**
   * Stops source `name`'s table (its tail, once an append under way has finished) and drops it from
   * DuckDB; its card stays until replaced or removed.
   */
  private async closeSource(name: string): Promise<void> {
    const table = this.tables.get(name);
    this.tables.delete(name);
    this.cards.delete(name);
    await table?.close();
    await this.db.conn.query(`DROP TABLE IF EXISTS ${quoteIdent(name)}`).catch(() => undefined);
  }

  /** The file's own problems read again from the text as now written (an entry fixed or removed takes its problem with it). */
  private rereadIssues(): void {
    const { issues } = parseNotebook(serializeNotebook(this.notebook), this.notebook.file);
    this.parseIssues = issues;
    this.fileIssues = issues.map((i) => `line ${i.line}:${i.column} ${i.message}`);
  }

  /** The form under the source cards that adds a source (edit mode). */
  private addSourceBox: HTMLElement | null = null;

  /** The sinks' cards and "+ Sink" under the sources (edit mode). */
  private sinkPanel: SinkPanel | null = null;

  /** The declared sinks' names, in the file's order (an entry with a problem too). */
  private sinkNames(): string[] {
    return [...new Set([...(this.notebook.declared?.sinks ?? []), ...Object.keys(this.notebook.sinks)])];
  }

  /** Sink `name`'s entry as the front matter has it written (`lateness: 3 minutes` as typed), or {}. */
  private sinkEntry(name: string): SinkEntry {
    const yaml = this.frontMatterYaml();
    if (yaml === null) return {};
    try {
      const entry = (parseYaml(yaml.text) as { sinks?: Record<string, unknown> } | null)?.sinks?.[name];
      return typeof entry === "object" && entry !== null && !Array.isArray(entry) ? (entry as SinkEntry) : {};
    } catch {
      return {};
    }
  }

  private sinkRows(): SinkRow[] {
    return this.sinkNames().map((name) => {
      const prefix = `sinks.${name}`;
      const problems = this.parseIssues.filter((i) => i.message.startsWith(`${prefix}.`) || i.message.startsWith(`${prefix}:`)).map((i) => `line ${i.line}:${i.column} ${i.message}`);
      return {
        name,
        spec: Object.hasOwn(this.notebook.sinks, name) ? this.notebook.sinks[name]! : null,
        entry: this.sinkEntry(name),
        problems,
        feeders: this.notebook.cells.filter((c) => c.sink === name).map((c) => `${cellLabel(c)} (line ${c.start.line})`),
      };
    });
  }

  /** Why a new sink (or sink `renaming`, renamed) cannot be called `name`: not a name, or another sink's already. */
  private sinkNameProblem(name: string, renaming: string | null = null): string | null {
    if (!NAME.test(name)) return `'${name}' is not a sink name: use letters, digits and _, not starting with a digit`;
    const lower = name.toLowerCase();
    const sink = this.sinkNames().find((s) => s !== renaming && s.toLowerCase() === lower);
    return sink === undefined ? null : `the notebook has a sink ${sink}`;
  }

  /**
   * The notebook with sink `name`'s entry set to `entry` (added when new) or taken out (null): the
   * entry's lines are rewritten in the file's text (`spliceSinkEntry`; the changed keys alone in an
   * entry written as a block map), else the front matter's YAML document is edited; the file's text
   * is then read again. Null when the front matter cannot be edited (not YAML, not closed).
   */
  private withSink(name: string, entry: SinkEntry | null): Notebook | null {
    const text = serializeNotebook(this.notebook);
    const split = splitFrontMatter(text);
    if (split === "unclosed") return null;
    const eol = text.includes("\r\n") ? "\r\n" : "\n";
    let next: string;
    if (split === null) {
      if (entry === null) return null;
      next = `---${eol}${spliceSinkEntry("", name, entry)!}---${eol}${eol}${text}`;
    } else {
      const yaml = text.slice(split.yamlStart, split.yamlEnd);
      const previous = Object.keys(this.sinkEntry(name)).length > 0 ? this.sinkEntry(name) : null;
      // Saved unchanged (or only renamed): the entry stays as written, a one-line `{ … }` one too.
      if (previous !== null && entry !== null && JSON.stringify(previous) === JSON.stringify(entry)) return parseNotebook(text, this.notebook.file).notebook;
      let spliced = spliceSinkEntry(yaml, name, entry, previous);
      if (spliced === null) {
        const doc = parseDocument(yaml);
        if (doc.errors.length > 0 || (doc.contents !== null && !isMap(doc.contents))) return null;
        if (entry === null) doc.deleteIn(["sinks", name]);
        else doc.setIn(["sinks", name], doc.createNode(entry));
        spliced = doc.toString().replace(/\r?\n/g, eol);
      }
      next = text.slice(0, split.yamlStart) + spliced + text.slice(split.yamlEnd);
    }
    return parseNotebook(next, this.notebook.file).notebook;
  }

  /** Writes `notebook` (the sinks changed) and redraws what shows sinks; answers why not, or null. */
  private async writeSinks(notebook: Notebook): Promise<string | null> {
    if (this.saver === null) return "a shared snapshot cannot change sinks";
    const before = this.notebook;
    this.notebook = notebook;
    this.saver.schedule(serializeNotebook(this.notebook));
    await this.saver.flush();
    if (this.saver.pending()) {
      this.notebook = before;
      return "the notebook could not be written: see the status at the top";
    }
    this.sinksChanged();
    return null;
  }

  /** The sink cards and every SQL cell's sink choice drawn again from the notebook. */
  private sinksChanged(): void {
    this.rereadIssues();
    this.sinkPanel?.refresh();
    const names = this.sinkNames();
    this.keys.forEach((key, i) => this.views.get(key)?.setSinks(names, this.notebook.cells[i]?.sink ?? null));
    this.checkGraphSoon();
  }

  /** Adds sink `name` or writes its changed entry (`views/sink-panel.ts`). */
  private async saveSink(name: string, entry: SinkEntry): Promise<string | null> {
    this.dismissUndo();
    const next = this.withSink(name, entry);
    if (next === null) return "the front matter cannot be read as YAML; fix it in the file";
    return this.writeSinks(next);
  }

  /**
   * Renames sink `from` to `to` with its entry's changed fields (`entry`), in one write: its key in the
   * front matter and `sink=` on every cell fence that feeds it, the file's other bytes as written.
   */
  private async renameSink(from: string, to: string, entry: SinkEntry): Promise<string | null> {
    if (to === from) return this.saveSink(from, entry);
    const problem = this.sinkNameProblem(to, from);
    if (problem !== null) return `Not renamed: ${problem}`;
    this.dismissUndo();
    const edited = this.withSink(from, entry);
    const renamed = edited === null ? null : renameSinkInText(serializeNotebook(edited), this.notebook.file, from, to);
    if (renamed === null) return "Not renamed: the front matter cannot be read as YAML; fix it in the file";
    const refused = await this.writeSinks(parseNotebook(renamed, this.notebook.file).notebook);
    return refused === null ? null : `Not renamed: ${refused}`;
  }

  /** Takes sink `name` out of the front matter, refused while a cell's fence says `sink=<name>`; Undo puts it back. */
  private async removeSink(name: string): Promise<string | null> {
    const feeders = this.notebook.cells.filter((c) => c.sink === name);
    if (feeders.length > 0) {
      const labels = feeders.map((c) => `${cellLabel(c)} (line ${c.start.line})`);
      return `Not removed: ${feeders.length === 1 ? "cell" : "cells"} ${labels.join(", ")} ${feeders.length === 1 ? "writes" : "write"} to ${name} (sink=${name}). Choose "no sink" in ${feeders.length === 1 ? "its" : "their"} bar first.`;
    }
    this.dismissUndo();
    const before = this.notebook;
    const next = this.withSink(name, null);
    if (next === null) return "Not removed: the front matter cannot be read as YAML; fix it in the file";
    const refused = await this.writeSinks(next);
    if (refused !== null) return `Not removed: ${refused}`;
    this.offerUndo(`Removed sink ${name}.`, () => {
      // The entry comes back as it was written; a cell may have been edited since, so only the front matter is put back.
      const text = serializeNotebook(this.notebook);
      const now = splitFrontMatter(text);
      const was = splitFrontMatter(serializeNotebook(before));
      if (now === null || now === "unclosed" || was === null || was === "unclosed") return;
      const old = serializeNotebook(before).slice(0, was.end);
      void this.writeSinks(parseNotebook(old + text.slice(now.end), this.notebook.file).notebook);
    });
    return null;
  }

  /** Sets or clears `sink=` on a SQL cell's fence; "new" opens "+ Sink", and the new sink is set once written. */
  private setCellSink(key: string, sink: string | null | { new: true }): void {
    if (typeof sink === "object" && sink !== null) {
      this.sinkPanel?.openAdd((name) => this.setCellSink(key, name));
      return;
    }
    const index = this.keys.indexOf(key);
    if (index < 0 || this.notebook.cells[index]?.sink === sink) return;
    this.edit(key, { sink });
    this.sinksChanged();
  }

  /** Sets sink `name`'s `lateness:` to `lateness` as the check suggested it (`3 minutes`). */
  private async setSinkLateness(name: string, lateness: string): Promise<string | null> {
    if (!this.sinkNames().includes(name)) return `the notebook has no sink ${name}`;
    return this.saveSink(name, { ...this.sinkEntry(name), lateness });
  }

  /** Why a new source cannot be named `name`: not a name, or a source's or a cell's already. */
  private sourceNameProblem(name: string): string | null {
    if (!NAME.test(name)) return `'${name}' is not a source name: use letters, digits and _, not starting with a digit`;
    const lower = name.toLowerCase();
    const source = [...Object.keys(this.notebook.sources), ...(this.notebook.declared?.sources ?? [])].find((s) => s.toLowerCase() === lower);
    if (source !== undefined) return `the notebook has a source ${source}`;
    const cell = this.notebook.cells.find((c) => c.id?.toLowerCase() === lower);
    if (cell !== undefined) return `a cell is named ${cell.id}`;
    return null;
  }

  /**
   * Adds a source from the page (`views/add-source.ts`): its entry goes into the front matter, the
   * file is written before the source is opened (the gateway reads the source from the file as it
   * is), and the cells that read the name run over it. Answers why not, or null.
   */
  private async addSource(name: string, spec: SourceSpec): Promise<string | null> {
    const problem = this.sourceNameProblem(name);
    if (problem !== null || this.saver === null) return problem ?? "a shared snapshot cannot add sources";
    this.dismissUndo();
    this.notebook = this.withSource(name, spec);
    this.saver.schedule(serializeNotebook(this.notebook));
    await this.saver.flush();
    if (this.saver.pending()) return "the notebook could not be written, so the source is not open yet: see the status at the top";
    this.aside.querySelector(".no-sources")?.remove();
    const load = this.openSource(spec, new Map());
    this.refreshSchemaSoon();
    this.checkGraphSoon();
    void load.then(() => this.refreshSchemaSoon());
    return null;
  }

  /** Opens one source: its table (sample, then the live tail), its card, and its variable in the runtime. */
  private openSource(spec: SourceSpec, samples: Map<string, Promise<Uint8Array>>, at: HTMLElement | null = null): Promise<void> {
    const mode = this.mode;
    let lastTouch = 0;
    let touchTimer: ReturnType<typeof setTimeout> | null = null;
    // A table closed since (its source edited or removed) no longer speaks for the name.
    const current = () => this.tables.get(spec.name) === table;
    const touch = () => {
      lastTouch = performance.now();
      touchTimer = null;
      if (current()) this.reactive.touchSource(spec.name);
    };
    let card: SourceCard | null = null;
    let waiting = false;
    const table = new SourceTable({
      conn: this.db.conn,
      name: spec.name,
      windowSize: windowSize(spec.sampleSize),
      // The sample fetched while DuckDB started; a later load (the first events of a source that had none) fetches anew.
      loadSample: () => {
        const first = samples.get(spec.name);
        samples.delete(spec.name);
        return first ?? (mode.kind === "edit" ? fetchSample(mode.path, spec.name, spec.sampleSize) : fetchSharedSample(mode.id, spec.name));
      },
      waitingNote:
        mode.kind === "share"
          ? "no events: the source had none when this snapshot was shared"
          : spec.kind === "webhook"
            ? webhookWaitingNote(mode.path, spec)
            : "no events yet: waiting for the first one",
      tailUrl: mode.kind === "edit" ? tailUrl(mode.path, spec.name) : null,
      onChange: () => {
        // Recompute readers at most once per REFRESH_MS, so a fast stream does not starve the page.
        const wait = REFRESH_MS - (performance.now() - lastTouch);
        if (wait <= 0) touch();
        else touchTimer ??= setTimeout(touch, wait);
      },
      onStats: (stats) => {
        card?.update(stats);
        if ((stats.waiting !== null) !== waiting && current()) {
          waiting = stats.waiting !== null;
          this.reactive.setSourceWaiting(spec.name, waiting);
        }
      },
    });
    const tryIt = mode.kind === "edit" && spec.kind === "webhook" ? webhookTry(webhookUrl(mode.path, spec), spec) : null;
    card = new SourceCard(
      table,
      this.db.conn,
      spec.demo !== null && spec.kind !== "demo" ? `${spec.kind} · demo ${spec.demo.generator}` : spec.kind === "demo" ? `demo ${spec.demo.generator}` : spec.kind,
      this.readOnly,
      this.manageSource(spec.name),
      tryIt === null ? null : renderWebhookTry(tryIt),
    );
    // A source added from the page goes above the form that added it; one opened again takes its old card's place.
    this.placeCard(card.element, at);
    this.cards.set(spec.name, card.element);
    this.tables.set(spec.name, table);
    this.reactive.addSource(spec.name);
    return table.load().then(
      () => table.follow(),
      (error: unknown) => {
        const reason = error instanceof ApiError ? error.reason : error instanceof Error ? error.message : String(error);
        if (!current()) return;
        card?.update({ ...table.stats(), error: `sample failed: ${reason}` });
        card?.failed();
        this.reactive.failSource(spec.name, sampleFailureMessage(spec.name, reason));
        console.error(error);
      },
    );
  }

  private spec(key: string): CellSpec {
    const cell = this.notebook.cells[this.keys.indexOf(key)]!;
    return { key, label: cellLabel(cell), language: cell.language, name: cell.id, code: cell.code };
  }

  private createView(key: string): CellView {
    const cell = this.notebook.cells[this.keys.indexOf(key)]!;
    return new CellView({
      key,
      language: cell.language,
      name: cell.id,
      sink: cell.sink,
      sinks: this.sinkNames(),
      onSink: (k, sink) => this.setCellSink(k, sink),
      code: cell.code,
      schema: this.schema,
      readOnly: this.readOnly,
      connect: this.db.connect,
      isCell: (name) => this.reactive.isCell(name),
      onChange: (k, code) => this.edit(k, { code }),
      onRename: (k, name) => {
        this.edit(k, { id: name });
        this.views.get(k)?.setName(name);
        void this.run(k);
      },
      nameProblem: (k, name) => this.nameProblem(k, name),
      onRun: (k) => void this.run(k),
      onStop: (k) => this.reactive.stop(k),
      isRunning: (k) => this.reactive.isRunning(k),
      onMove: (k, by) => this.move(k, by),
      onDelete: (k) => this.remove(k),
    });
  }

  /**
   * Why cell `key` cannot be named `name`: the file must read it back as an id (`NAME`), and DuckDB
   * (whose names ignore case) must not get a second view of that name or a view over a source's table.
   */
  private nameProblem(key: string, name: string): string | null {
    if (!NAME.test(name)) return `'${name}' is not a cell name: use letters, digits and _, not starting with a digit`;
    const lower = name.toLowerCase();
    const other = this.notebook.cells.find((cell, i) => this.keys[i] !== key && cell.id?.toLowerCase() === lower);
    if (other !== undefined) return `another cell is named ${other.id}`;
    const source = Object.keys(this.notebook.sources).find((s) => s.toLowerCase() === lower);
    if (source !== undefined) return `${source} is a source of this notebook`;
    return null;
  }

  /** Lays out the notebook in file order: prose blocks and cells. */
  private render(): void {
    const children: HTMLElement[] = [];
    for (const block of this.notebook.blocks) {
      if (block.kind === "prose" && block.raw.trim() !== "") children.push(renderMarkdown(block.raw));
      if (block.kind === "cell") {
        const view = this.views.get(this.keys[block.cell]!);
        if (view !== undefined) children.push(view.element);
      }
    }
    if (!this.readOnly) {
      const add = document.createElement("div");
      add.className = "add-cell";
      const sql = button("+ SQL cell", "add-sql");
      sql.addEventListener("click", () => this.add("sql"));
      const js = button("+ JS cell", "add-js");
      js.addEventListener("click", () => this.add("js"));
      add.append(sql, js);
      children.push(add);
    }
    this.article.replaceChildren(...children);
  }

  private edit(key: string, patch: { code?: string; id?: string | null; sink?: string | null }): void {
    if (this.readOnly) return;
    this.dismissUndo();
    const index = this.keys.indexOf(key);
    const count = this.notebook.cells.length;
    this.notebook = updateCell(this.notebook, index, patch);
    if (this.notebook.cells.length !== count) {
      // The edit changed the cell structure (say, a typed fence); rebuild the page from the text.
      this.rebuild();
    }
    this.saver?.schedule(serializeNotebook(this.notebook));
  }

  private async run(key: string): Promise<void> {
    // Run means now: a result the gateway gave a moment ago is not reused.
    this.gatewayCells?.clear();
    this.views.get(key)?.markRan();
    await this.reactive.setCell(this.spec(key));
    this.refreshSchemaSoon();
    this.checkGraphSoon();
  }

  /** Re-reads the cell graph's issues after cells changed, and shows them above the notebook. */
  private checkGraphSoon(): void {
    if (this.graphTimer !== null) clearTimeout(this.graphTimer);
    this.graphTimer = setTimeout(() => {
      this.graphTimer = null;
      // Which cells feed each sink, and their lines, follow the cells' edits.
      this.sinkPanel?.refresh();
      graphIssues(this.tableNames, this.notebook, ["Plot"]).then(
        (issues) => this.showIssues([...this.fileIssues, ...issues.map((i) => `line ${i.line}:${i.column} ${i.message}`)]),
        (error: unknown) => console.error(new Error("graph: could not check the notebook's cell graph", { cause: error })),
      );
    }, 300);
  }

  private move(key: string, by: -1 | 1): void {
    const from = this.keys.indexOf(key);
    const to = from + by;
    if (to < 0 || to >= this.keys.length) return;
    this.dismissUndo();
    this.notebook = moveCell(this.notebook, from, to);
    this.keys.splice(from, 1);
    this.keys.splice(to, 0, key);
    this.render();
    this.saver?.schedule(serializeNotebook(this.notebook));
  }

  private remove(key: string): void {
    const index = this.keys.indexOf(key);
    this.dismissUndo();
    const before = this.notebook;
    const removed = before.cells[index]!;
    this.notebook = removeCell(this.notebook, index);
    this.keys.splice(index, 1);
    this.reactive.removeCell(key);
    // Deleted from the keyboard, focus went with the cell to the page's top, and Undo sat at the bottom, behind every cell's controls.
    const byKeyboard = this.views.get(key)?.element.contains(document.activeElement) ?? false;
    this.views.get(key)?.destroy();
    this.views.delete(key);
    this.render();
    this.saver?.schedule(serializeNotebook(this.notebook));
    this.checkGraphSoon();
    // One click deletes a cell and saves the file; until the next change, Undo puts the notebook back as it was.
    this.offerUndo(`Deleted ${removed.id !== null ? `cell ${removed.id}` : `a ${removed.language.toUpperCase()} cell`}.`, () => {
      this.notebook = before;
      this.rebuild();
      this.saver?.schedule(serializeNotebook(this.notebook));
      this.checkGraphSoon();
      // The page was drawn anew: show the cell that came back (scroll anchoring keeps it there as outputs fill in).
      const back = this.views.get(this.keys[index]!)?.element;
      back?.scrollIntoView({ block: "center" });
      back?.classList.add("flash");
      back?.querySelector<HTMLElement>(".cell-delete")?.focus({ preventScroll: true });
    });
    if (byKeyboard) {
      const near = this.views.get(this.keys[index] ?? this.keys[index - 1] ?? "")?.element;
      this.afterUndoBar = near?.querySelector<HTMLElement>(".cell-name") ?? this.article.querySelector<HTMLElement>(".add-sql");
      this.undoBar?.querySelector<HTMLElement>(".undo-button")?.focus();
    }
  }

  /** Where focus goes when the Undo bar holding it goes away unused: the cell now where the deleted one was, else the add buttons. */
  private afterUndoBar: HTMLElement | null = null;

  /**
   * Scrolls to the cell bound to `name`, flashes it, and puts the cursor on line `fileLine` of the
   * notebook file when that line is inside the cell (else on the cell's first line). False if no
   * such cell is on the page.
   */
  private showCell(name: string, fileLine: number | null): boolean {
    const index = this.notebook.cells.findIndex((c) => c.id === name);
    const view = index < 0 ? undefined : this.views.get(this.keys[index]!);
    if (view === undefined) return false;
    const doc = view.editor.view.state.doc;
    const line = fileLine === null ? 1 : fileLine - this.notebook.cells[index]!.start.line + 1;
    const at = doc.line(line >= 1 && line <= doc.lines ? line : 1);
    view.element.scrollIntoView({ block: "center" });
    view.editor.view.dispatch({ selection: { anchor: at.from } });
    view.editor.view.focus();
    view.element.classList.remove("flash");
    void view.element.offsetWidth;
    view.element.classList.add("flash");
    return true;
  }

  private undoBar: HTMLElement | null = null;
  private undoTimer: ReturnType<typeof setTimeout> | null = null;

  /** A bar at the bottom of the page: what was done and an Undo button, for `UNDO_MS` or until the next change. */
  private offerUndo(what: string, undo: () => void): void {
    this.dismissUndo();
    const bar = document.createElement("div");
    bar.className = "undo-bar";
    bar.setAttribute("role", "status");
    const text = document.createElement("span");
    text.textContent = what;
    const again = button("Undo", "undo-button");
    again.addEventListener("click", () => {
      this.dismissUndo();
      undo();
    });
    bar.append(text, again);
    document.body.append(bar);
    this.undoBar = bar;
    this.undoTimer = setTimeout(() => this.dismissUndo(), UNDO_MS);
  }

  private dismissUndo(): void {
    if (this.undoTimer !== null) clearTimeout(this.undoTimer);
    this.undoTimer = null;
    const hadFocus = this.undoBar?.contains(document.activeElement) ?? false;
    this.undoBar?.remove();
    this.undoBar = null;
    if (hadFocus && this.afterUndoBar?.isConnected) this.afterUndoBar.focus();
    this.afterUndoBar = null;
  }

  private add(language: "sql" | "js"): void {
    this.dismissUndo();
    const code = language === "sql" ? `SELECT * FROM ${Object.keys(this.notebook.sources)[0] ?? "range(10)"} LIMIT 10` : "Plot.plot({marks: []})";
    this.notebook = insertCell(this.notebook, this.notebook.cells.length, { language, code });
    const key = `c${this.nextKey++}`;
    this.keys.push(key);
    const view = this.createView(key);
    this.views.set(key, view);
    this.render();
    this.saver?.schedule(serializeNotebook(this.notebook));
    void this.run(key);
    view.editor.view.focus();
  }

  /** Replaces every cell view after the text's cell structure changed under an edit. */
  private rebuild(): void {
    for (const key of this.keys) {
      this.reactive.removeCell(key);
      this.views.get(key)?.destroy();
      this.views.delete(key);
    }
    this.keys = this.notebook.cells.map(() => `c${this.nextKey++}`);
    for (const key of this.keys) this.views.set(key, this.createView(key));
    this.render();
    void this.reactive.setCells(this.keys.map((key) => this.spec(key)));
  }

  private refreshSchemaSoon(): void {
    if (this.schemaTimer !== null) return;
    this.schemaTimer = setTimeout(() => {
      this.schemaTimer = null;
      void readCatalog(this.db.conn).then((schema) => {
        this.schema = schema;
        for (const view of this.views.values()) view.editor.setSchema(schema);
      });
    }, 1500);
  }

  private onSaveStatus(status: SaveStatus): void {
    if (status.kind === "conflict") {
      this.setStatus("conflict: choose a version");
      this.status.dataset.state = status.kind;
      // The person may have typed on while the refused save was in flight: show and keep the page's text as it is now.
      const mine = serializeNotebook(this.notebook);
      showConflict({
        mine,
        theirs: status.theirs,
        keepMine: () => void this.saver?.resolveWith(serializeNotebook(this.notebook), status.theirs?.etag ?? null),
        takeTheirs: () => {
          // Chosen, not lost: the reload must not ask whether to leave an unsaved page.
          this.saver?.discard();
          location.reload();
        },
      });
      return;
    }
    this.setStatus(status.kind === "failed" ? `not saved: ${status.message}` : status.kind === "saving" ? "saving…" : status.kind);
    this.status.dataset.state = status.kind;
  }

  /** The sources whose live events no longer fit the table the page typed from its sample. */
  private staleSources(): StaleSource[] {
    const stale: StaleSource[] = [];
    for (const [source, table] of this.tables) {
      const stats = table.stats();
      const why = [
        stats.misfits === 0 ? null : `${stats.misfits} ${stats.misfits === 1 ? "event" : "events"} held a value its column cannot hold (last: ${stats.lastMisfit ?? "?"})`,
        stats.newKeys.length === 0 ? null : `${stats.newKeys.length === 1 ? "a key" : "keys"} it has no column for: ${stats.newKeys.slice(0, 5).join(", ")}${stats.newKeys.length > 5 ? ", …" : ""}`,
      ].filter((line) => line !== null);
      if (why.length > 0) stale.push({ source, why: why.join("; ") });
    }
    return stale;
  }

  private setStatus(text: string): void {
    // The same words again (a save retried while the gateway is down) are not announced again.
    if (this.status.textContent !== text) this.status.textContent = text;
  }

  private showIssues(messages: string[]): void {
    if (this.issuesBox === null) {
      this.issuesBox = document.createElement("div");
      this.issuesBox.className = "notebook-issues";
      this.article.parentElement!.before(this.issuesBox);
    }
    this.issuesBox.textContent = messages.join("\n");
    this.issuesBox.hidden = messages.length === 0;
  }

  /** Snapshots the notebook as shown (text and the rows of every source table) and shows the link. */
  private async share(trigger: HTMLButtonElement): Promise<void> {
    if (this.mode.kind !== "edit") return;
    trigger.disabled = true;
    const label = trigger.textContent;
    trigger.textContent = "Sharing…";
    let url: string | null = null;
    let failure: string | undefined;
    try {
      await this.saver?.flush();
      const link = await shareNotebook(this.db.conn, this.tables.values(), this.mode.path, serializeNotebook(this.notebook), this.reactive.gatewayAnswers(this.keys.map((key) => this.spec(key))));
      url = new URL(link.url, location.href).href;
    } catch (error) {
      failure = error instanceof Error ? error.message : String(error);
    } finally {
      trigger.disabled = false;
      trigger.textContent = label;
    }
    // Shown once the button is enabled again, so closing the dialog can give it focus back.
    showShareLink(url, failure, trigger);
  }

  private localRun: LocalRunCard | null = null;

  /** Shows the card of this notebook's local pipeline run at the top of the source panel. */
  private showLocalRun(run: LocalRun): void {
    if (this.mode.kind !== "edit") return;
    if (this.localRun === null) {
      this.localRun = new LocalRunCard(this.mode.path);
      this.aside.prepend(this.localRun.element);
    }
    this.localRun.show(run);
  }

  /** Test and benchmark hooks: counts the page exposes to automation. */
  debugState(): { sources: Record<string, number>; stats: Record<string, SourceStats> } {
    const sources: Record<string, number> = {};
    const stats: Record<string, SourceStats> = {};
    for (const [name, table] of this.tables) {
      sources[name] = table.rows;
      stats[name] = table.stats();
    }
    return { sources, stats };
  }
}
