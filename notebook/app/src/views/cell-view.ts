import { Inspector } from "@observablehq/inspector";
import type { Observer } from "@observablehq/runtime";
import { CellCancelled, describeFailure, SourceWaiting } from "../cell-error.ts";
import type { Connection } from "../duckdb.ts";
import { type CatalogSchema, type CellEditor, createCellEditor } from "../editor.ts";
import { isQueryResult, type QueryResult } from "../reactive.ts";
import { isSandboxed } from "../sandbox/protocol.ts";
import { sendAll, type SendingConnection } from "../pending.ts";
import { profileRelation, renderProfile, showJson } from "./profile.ts";
import { renderGatewayMark } from "./gateway-mark.ts";
import { MORE_ROWS, renderResultTable } from "./result-table.ts";
import { button } from "./source-card.ts";

/** A run shorter than this shows no indicator, so the live tail's recomputes do not flicker. */
const RUNNING_AFTER_MS = 700;

/** "0.04 s", "3.2 s", "75 s" */
export function formatSeconds(ms: number): string {
  const s = ms / 1000;
  return `${s < 0.1 ? s.toFixed(2) : s < 10 ? s.toFixed(1) : Math.round(s)} s`;
}

/** The sink choice's value for "new sink…" (not a SQL name, so no sink has it). */
const NEW_SINK = "+new";

export interface CellViewOptions {
  key: string;
  language: "sql" | "js";
  name: string | null;
  sink: string | null;
  /** The declared sinks, which a SQL cell's bar offers to feed (edit mode). */
  sinks?: string[];
  /** Sets (a name), clears (null) or asks for a new sink for the cell's `sink=` (edit mode). */
  onSink?: (key: string, sink: string | null | { new: true }) => void;
  code: string;
  schema: CatalogSchema;
  readOnly: boolean;
  /** A new connection to the notebook's database (`Database.connect`), for the cell's profile. */
  connect: () => Promise<Connection>;
  isCell: (name: string) => boolean;
  onChange: (key: string, code: string) => void;
  onRename: (key: string, name: string | null) => void;
  /** Why `name` cannot be this cell's name (not a name, or another cell's or a source's), or null. */
  nameProblem: (key: string, name: string) => string | null;
  onRun: (key: string) => void;
  /** Stops the cell's run going now; false when none was (`ReactiveNotebook.stop`). */
  onStop: (key: string) => boolean;
  /** Whether the cell's own query runs now (not only waits for an input's): its Stop shows then. */
  isRunning: (key: string) => boolean;
  onMove: (key: string, by: -1 | 1) => void;
  onDelete: (key: string) => void;
}

/**
 * One cell on the page: a bar (name, language, sink, actions), its editor,
 * and its output, which is also the cell's observer in the runtime.
 */
export class CellView {
  readonly element: HTMLElement;
  readonly editor: CellEditor;
  private readonly output: HTMLElement;
  private readonly status: HTMLElement;
  private readonly body: HTMLElement;
  private readonly profile: HTMLElement;
  private label: string;
  /** The name the cell binds now (`id=`), or null. */
  private name: string | null;
  /** The sink the cell feeds now (`sink=`), or null. */
  private sink: string | null = null;
  /** The bar's sink choice (a SQL cell, edit mode). */
  private sinkSelect: HTMLSelectElement | null = null;
  private last: QueryResult | null = null;
  private profileOpen = false;
  /** Counts profile requests, so only the newest one's outcome is drawn. */
  private profileGeneration = 0;
  /** The connection the cell's profile queries run on, made on its first profile. */
  private profileConn: Promise<Connection> | null = null;
  private visibleRows = 50;
  /** Shown in the bar while a run takes longer than `RUNNING_AFTER_MS`: "running 3.2 s". */
  private readonly running: HTMLElement;
  private runningSince: number | null = null;
  private runningTimer: ReturnType<typeof setInterval> | null = null;
  /** Shown with `running` on a SQL cell: stops its query (Escape in the editor too). */
  private readonly stopButton: HTMLButtonElement | null = null;
  /**
   * Shown in the bar while the editor holds code that has not run: the output below (which the live
   * stream keeps recomputing) is still the last run code's, and an edit runs only on Run or Shift-Enter.
   */
  private readonly edited: HTMLElement;
  /** The code the output is of: the cell's code when it last ran. */
  private ranCode: string;

  constructor(private readonly options: CellViewOptions) {
    const { key, language, readOnly } = options;
    this.label = options.name ?? key;
    this.name = options.name;
    this.element = document.createElement("section");
    this.element.className = `cell cell-${language}`;
    this.element.dataset.key = key;
    if (options.name !== null) this.element.dataset.name = options.name;

    const bar = document.createElement("div");
    bar.className = "cell-bar";
    const lang = document.createElement("span");
    lang.className = "cell-lang";
    lang.textContent = language.toUpperCase();
    const name = document.createElement("input");
    name.className = "cell-name";
    name.placeholder = language === "sql" ? "unnamed (id=…)" : "unnamed";
    name.value = options.name ?? "";
    name.readOnly = readOnly;
    name.spellcheck = false;
    name.setAttribute("aria-label", `${language.toUpperCase()} cell name`);
    // A refused name is not written to the file (`id=by station` would not read back, a second
    // `clean` would break the first and its readers): the cell keeps its name and the bar says why.
    const refused = document.createElement("span");
    refused.className = "cell-name-error";
    refused.setAttribute("role", "alert");
    refused.hidden = true;
    name.addEventListener("change", () => {
      const value = name.value.trim();
      const problem = value === "" || value === this.name ? null : options.nameProblem(key, value);
      refused.hidden = problem === null;
      refused.textContent = problem === null ? "" : `${problem}; the cell keeps ${this.name === null ? "no name" : `its name ${this.name}`}`;
      if (problem !== null) {
        name.value = this.name ?? "";
        return;
      }
      if (value !== (this.name ?? "")) options.onRename(key, value === "" ? null : value);
    });
    name.addEventListener("input", () => {
      refused.hidden = true;
    });
    bar.append(lang, name, refused);
    if (language === "sql" && !readOnly && options.onSink !== undefined) {
      // Which sink the cell's rows go to when published: `sink=<name>` on its fence.
      const onSink = options.onSink;
      const sink = document.createElement("select");
      sink.className = "cell-sink-select";
      sink.setAttribute("aria-label", "Sink this cell feeds");
      sink.title = "Which sink this cell's rows are written to when the notebook is published (sink= on the cell's fence)";
      sink.addEventListener("change", () => {
        const value = sink.value;
        // "new sink…" opens the sink form; the choice shows the cell's sink until one is written.
        if (value === NEW_SINK) {
          sink.value = this.sink ?? "";
          onSink(key, { new: true });
        } else onSink(key, value === "" ? null : value);
      });
      this.sinkSelect = sink;
      this.sink = options.sink;
      this.setSinks(options.sinks ?? [], options.sink);
      bar.append(sink);
    } else if (options.sink !== null) {
      const sink = document.createElement("span");
      sink.className = "cell-sink";
      sink.textContent = `→ ${options.sink}`;
      bar.append(sink);
    }
    this.running = document.createElement("span");
    this.running.className = "cell-running";
    this.running.setAttribute("role", "status");
    this.running.hidden = true;
    this.ranCode = options.code;
    this.edited = document.createElement("span");
    this.edited.className = "cell-edited";
    this.edited.textContent = "edited · not run";
    this.edited.title = "The output below is of the code as it last ran; Run (Shift-Enter) runs the edit";
    this.edited.hidden = true;
    const spacer = document.createElement("span");
    spacer.className = "spacer";
    bar.append(this.running);
    if (language === "sql") {
      // A slow query (a cross join, a range of billions) can be stopped; Escape in the editor stops it too.
      const stop = button("■ Stop", "cell-stop");
      stop.title = "Stop this cell's query (Escape in the editor)";
      stop.setAttribute("aria-label", "Stop cell");
      stop.hidden = true;
      stop.addEventListener("click", () => {
        if (options.onStop(key)) this.editor.view.focus();
      });
      this.stopButton = stop;
      bar.append(stop);
    }
    bar.append(this.edited, spacer);
    if (language === "sql") {
      const profile = button("Profile", "cell-profile-toggle");
      profile.addEventListener("click", () => {
        this.profileOpen = !this.profileOpen;
        profile.classList.toggle("active", this.profileOpen);
        void this.renderProfile();
      });
      bar.append(profile);
    }
    if (!readOnly) {
      const run = button("Run ⇧⏎", "cell-run");
      run.title = "Run this cell (Shift-Enter)";
      run.setAttribute("aria-label", "Run cell");
      run.addEventListener("click", () => options.onRun(key));
      const up = button("↑", "cell-up");
      up.title = "Move up";
      // The arrows and the cross are what a screen reader would read out; they get words.
      up.setAttribute("aria-label", "Move cell up");
      up.addEventListener("click", () => options.onMove(key, -1));
      const down = button("↓", "cell-down");
      down.title = "Move down";
      down.setAttribute("aria-label", "Move cell down");
      down.addEventListener("click", () => options.onMove(key, 1));
      const del = button("✕", "cell-delete");
      del.title = "Delete cell";
      del.setAttribute("aria-label", "Delete cell");
      del.addEventListener("click", () => options.onDelete(key));
      bar.append(run, up, down, del);
    }

    const editorHost = document.createElement("div");
    editorHost.className = "cell-editor";
    this.editor = createCellEditor({
      parent: editorHost,
      code: options.code,
      language,
      schema: options.schema,
      readOnly,
      onChange: (code) => {
        this.edited.hidden = code === this.ranCode;
        this.element.classList.toggle("edited", !this.edited.hidden);
        options.onChange(key, code);
      },
      onRun: () => options.onRun(key),
      // Escape stops a run that shows ■ Stop (past 0.7 s); otherwise it does what it did (closes a completion
      // list, lets Tab leave). It stopped any run going, so over a live source, Escape pressed to leave the
      // editor stopped the cell whenever the stream's recompute happened to be under way, with nothing shown.
      onStop: () => this.stopButton !== null && !this.stopButton.hidden && options.onStop(key),
    });

    this.output = document.createElement("div");
    this.output.className = "cell-output";
    this.status = document.createElement("div");
    this.status.className = "cell-status";
    this.body = document.createElement("div");
    this.body.className = "cell-body";
    this.profile = document.createElement("div");
    this.profile.className = "cell-profile";
    this.output.append(this.status, this.body, this.profile);
    this.element.append(bar, editorHost, this.output);
  }

  /** The cell is about to run with the editor's code: its output will be of that code. */
  markRan(): void {
    this.ranCode = this.editor.view.state.doc.toString();
    this.edited.hidden = true;
    this.element.classList.remove("edited");
    // Run again after an error: until this run answers, the error shown is the last run's, said so and
    // dimmed, and its line is no longer marked in code that may not have it any more.
    if (this.element.dataset.state === "error" && this.status.querySelector(".cell-previous-note") === null) {
      this.editor.markErrorLine(null);
      const note = document.createElement("p");
      note.className = "cell-previous-note";
      note.textContent = "Running again: the error below is the last run's.";
      this.status.prepend(note);
      this.status.classList.add("previous");
    }
  }

  /** Where a sandboxed frame for this cell lives. */
  frameHost(): HTMLElement {
    return this.body;
  }

  /** The sink choice in the bar: "no sink", each declared sink, "new sink…"; `current` selected. */
  setSinks(names: readonly string[], current: string | null): void {
    const select = this.sinkSelect;
    this.sink = current;
    if (select === null) return;
    const options = [new Option("no sink", "")];
    // A `sink=` naming no declared sink is shown as written, so the choice does not silently change it.
    for (const name of current !== null && !names.includes(current) ? [...names, current] : names) {
      options.push(new Option(names.includes(name) ? `→ ${name}` : `→ ${name} (not declared)`, name));
    }
    options.push(new Option("new sink…", NEW_SINK));
    select.replaceChildren(...options);
    select.value = current ?? "";
    select.classList.toggle("active", current !== null);
  }

  setName(name: string | null): void {
    this.name = name;
    this.label = name ?? this.options.key;
    if (name === null) delete this.element.dataset.name;
    else this.element.dataset.name = name;
  }

  /** The runtime's observer for this cell. */
  observer(): Observer {
    return {
      pending: () => {
        this.element.classList.add("running");
        this.startRunning();
      },
      fulfilled: (value) => {
        const took = this.stopRunning();
        this.element.classList.remove("running", "failed", "waiting", "cancelled");
        this.body.classList.remove("stale");
        this.editor.markErrorLine(null);
        this.status.replaceChildren();
        this.status.classList.remove("previous");
        if (isQueryResult(value)) {
          this.last = value;
          const table = this.resultTable(value);
          const summary = table.querySelector(".result-summary");
          if (summary !== null && took !== null) {
            summary.textContent += ` · ${formatSeconds(took)}`;
            summary.setAttribute("title", "how long the cell took, from its start (or its inputs' change) to its result");
          }
          if (value.gateway !== undefined) table.prepend(renderGatewayMark(value.gateway, value.numRows));
          this.body.replaceChildren(table);
          if (this.profileOpen) void this.renderProfile();
        } else if (isSandboxed(value)) {
          // The frame already lives in this cell's body (see createSandboxRunner's mount).
        } else if (value instanceof Node) {
          this.body.replaceChildren(value);
        } else {
          const host = document.createElement("div");
          host.className = "inspector";
          new Inspector(host).fulfilled(value);
          this.body.replaceChildren(host);
        }
        this.element.dataset.state = "ok";
        if (performance.getEntriesByName("runnel:first-result").length === 0 && isQueryResult(value)) performance.mark("runnel:first-result");
      },
      rejected: (error) => {
        this.stopRunning();
        this.element.classList.remove("running");
        const failure = describeFailure(this.label, error, this.options.isCell, this.options.key);
        const box = document.createElement("div");
        this.element.classList.remove("cancelled");
        if (failure instanceof CellCancelled) {
          // Stopped by the person: said plainly, not as an error; the last result stays, dimmed.
          this.element.classList.remove("failed", "waiting");
          this.element.classList.add("cancelled");
          box.className = "cell-cancelled";
          box.textContent = "cancelled · the run was stopped before it finished; Run (Shift-Enter) runs it again";
          this.editor.markErrorLine(null);
          this.element.dataset.state = "cancelled";
        } else if (failure.waitingOn !== null) {
          this.element.classList.add("waiting");
          this.element.classList.remove("failed");
          box.className = "cell-waiting";
          const cause = failure.cause;
          box.textContent = `waiting for ${failure.waitingOn}, ${
            !(cause instanceof SourceWaiting) ? (failure.message === CellCancelled.MESSAGE ? "which was stopped" : "which failed") : cause.cell === failure.waitingOn ? "which has no events yet" : `which is waiting for ${cause.cell} (no events yet)`
          }`;
          this.element.dataset.state = "waiting";
        } else {
          this.element.classList.add("failed");
          this.element.classList.remove("waiting");
          box.className = "cell-error";
          const where = document.createElement("span");
          where.className = "cell-error-line";
          where.textContent = failure.line === null ? "" : `line ${failure.line}`;
          box.append(where, ...errorMessage(failure.message));
          if (failure.hint !== null) {
            const hint = document.createElement("p");
            hint.className = "cell-error-hint";
            hint.textContent = failure.hint;
            box.append(hint);
          }
          this.editor.markErrorLine(failure.line, failure.column);
          this.element.dataset.state = "error";
        }
        this.status.replaceChildren(box);
        this.status.classList.remove("previous");
        // The last good result stays, dimmed, so the person sees what the edit broke; said in words,
        // since its "10 rows · 0.1 s" read as this run's (a new cell's dimmed table was the default query's).
        this.body.classList.add("stale");
        if (this.body.childElementCount > 0) {
          const note = document.createElement("p");
          note.className = "cell-stale-note";
          note.textContent = "Below, dimmed: the result of the last run that worked.";
          this.status.append(note);
        }
      },
    };
  }

  /** The result table, drawing as many rows as the person asked for (they stay drawn while the stream recomputes the cell). */
  private resultTable(value: QueryResult): HTMLElement {
    return renderResultTable(value, this.visibleRows, () => {
      this.visibleRows += MORE_ROWS;
      if (this.last === null) return;
      const table = this.resultTable(this.last);
      if (this.last.gateway !== undefined) table.prepend(renderGatewayMark(this.last.gateway, this.last.numRows));
      const summary = this.body.querySelector(".result-summary");
      if (summary !== null) table.querySelector(".result-summary")!.textContent = summary.textContent;
      const scroll = this.body.querySelector(".result-scroll")?.scrollTop ?? 0;
      this.body.replaceChildren(table);
      table.querySelector(".result-scroll")!.scrollTop = scroll;
    });
  }

  private startRunning(): void {
    if (this.runningSince !== null) return;
    this.runningSince = performance.now();
    this.runningTimer = setInterval(() => {
      const ms = performance.now() - (this.runningSince ?? performance.now());
      if (ms < RUNNING_AFTER_MS) return;
      this.running.textContent = `running ${formatSeconds(ms)}`;
      this.running.hidden = false;
      if (this.stopButton !== null) this.stopButton.hidden = !this.options.isRunning(this.options.key);
    }, 200);
  }

  /** Ends the running indicator; answers how long the run took (ms), or null if none was going. */
  private stopRunning(): number | null {
    if (this.runningTimer !== null) clearInterval(this.runningTimer);
    this.runningTimer = null;
    const took = this.runningSince === null ? null : performance.now() - this.runningSince;
    this.runningSince = null;
    this.running.hidden = true;
    this.running.textContent = "";
    if (this.stopButton !== null) this.stopButton.hidden = true;
    return took;
  }

  /**
   * The cell's profile, by pending queries on a connection of its own (`sendAll`): a profile of a
   * slow cell's view runs its query again, and on the page's connection it held DuckDB-WASM's worker
   * (every cell, the live tail) until it was done. Closing the profile cancels it; a newer profile
   * (the cell recomputed) supersedes an older one still running, whose outcome is then ignored.
   */
  private async renderProfile(): Promise<void> {
    const generation = ++this.profileGeneration;
    if (!this.profileOpen || this.last === null) {
      this.profile.replaceChildren();
      if (this.profileConn !== null) void this.profileConn.then((conn) => conn.cancelSent()).catch(() => undefined);
      return;
    }
    const relation = this.last.relation;
    try {
      this.profileConn ??= this.options.connect();
      const conn = await this.profileConn;
      const profiles = await profileRelation({ query: (sql) => sendAll(conn as unknown as SendingConnection, sql) }, relation);
      // The result's header says JSON where DuckDB with json does (`json-types.ts`); the profile agrees.
      showJson(profiles, new Map(this.last.columns.map((c) => [c.name, c.type])));
      if (generation === this.profileGeneration) this.profile.replaceChildren(renderProfile(profiles));
    } catch (cause) {
      if (generation === this.profileGeneration) this.profile.textContent = `profile failed: ${cause instanceof Error ? cause.message : String(cause)}`;
    }
  }

  destroy(): void {
    this.stopRunning();
    void this.profileConn?.then((conn) => conn.close()).catch(() => undefined);
    this.editor.view.destroy();
    this.element.remove();
  }
}

/**
 * DuckDB's error text, its list of candidate functions folded under one line: a binder error over a
 * column of the wrong type listed 14 to 42 overloads (`+(TINYINT) -> TINYINT` …) between the message and
 * the cell's result, pushing both off the screen; the list is a click away.
 */
function errorMessage(text: string): HTMLElement[] {
  const message = document.createElement("pre");
  const at = text.indexOf("\n\tCandidate functions:\n");
  if (at < 0) {
    message.textContent = text;
    return [message];
  }
  message.textContent = text.slice(0, at);
  const lines = text.slice(at).split("\n").slice(2);
  const end = lines.findIndex((line) => !line.startsWith("\t"));
  const listed = end < 0 ? lines : lines.slice(0, end);
  const after = end < 0 ? "" : lines.slice(end).join("\n").trim();
  const details = document.createElement("details");
  details.className = "cell-error-candidates";
  const summary = document.createElement("summary");
  summary.textContent = `DuckDB's ${listed.length} candidate ${listed.length === 1 ? "function" : "functions"}`;
  const list = document.createElement("pre");
  list.textContent = listed.map((line) => line.trim()).join("\n");
  details.append(summary, list);
  if (after === "") return [message, details];
  const rest = document.createElement("pre");
  rest.textContent = after;
  return [message, details, rest];
}
