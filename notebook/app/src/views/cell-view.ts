import { Inspector } from "@observablehq/inspector";
import type { Observer } from "@observablehq/runtime";
import { describeFailure } from "../cell-error.ts";
import type { Connection } from "../duckdb.ts";
import { type CatalogSchema, type CellEditor, createCellEditor } from "../editor.ts";
import { isQueryResult, type QueryResult } from "../reactive.ts";
import { isSandboxed } from "../sandbox/protocol.ts";
import { profileRelation, renderProfile } from "./profile.ts";
import { renderResultTable } from "./result-table.ts";
import { button } from "./source-card.ts";

export interface CellViewOptions {
  key: string;
  language: "sql" | "js";
  name: string | null;
  sink: string | null;
  code: string;
  schema: CatalogSchema;
  readOnly: boolean;
  conn: Connection;
  isCell: (name: string) => boolean;
  onChange: (key: string, code: string) => void;
  onRename: (key: string, name: string | null) => void;
  onRun: (key: string) => void;
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
  private last: QueryResult | null = null;
  private profileOpen = false;

  constructor(private readonly options: CellViewOptions) {
    const { key, language, readOnly } = options;
    this.label = options.name ?? key;
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
    name.addEventListener("change", () => {
      const value = name.value.trim();
      options.onRename(key, value === "" ? null : value);
    });
    bar.append(lang, name);
    if (options.sink !== null) {
      const sink = document.createElement("span");
      sink.className = "cell-sink";
      sink.textContent = `→ ${options.sink}`;
      bar.append(sink);
    }
    const spacer = document.createElement("span");
    spacer.className = "spacer";
    bar.append(spacer);
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
      run.addEventListener("click", () => options.onRun(key));
      const up = button("↑", "cell-up");
      up.title = "Move up";
      up.addEventListener("click", () => options.onMove(key, -1));
      const down = button("↓", "cell-down");
      down.title = "Move down";
      down.addEventListener("click", () => options.onMove(key, 1));
      const del = button("✕", "cell-delete");
      del.title = "Delete cell";
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
      onChange: (code) => options.onChange(key, code),
      onRun: () => options.onRun(key),
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

  /** Where a sandboxed frame for this cell lives. */
  frameHost(): HTMLElement {
    return this.body;
  }

  setName(name: string | null): void {
    this.label = name ?? this.options.key;
    if (name === null) delete this.element.dataset.name;
    else this.element.dataset.name = name;
  }

  /** The runtime's observer for this cell. */
  observer(): Observer {
    return {
      pending: () => {
        this.element.classList.add("running");
      },
      fulfilled: (value) => {
        this.element.classList.remove("running", "failed", "waiting");
        this.body.classList.remove("stale");
        this.editor.markErrorLine(null);
        this.status.replaceChildren();
        if (isQueryResult(value)) {
          this.last = value;
          this.body.replaceChildren(renderResultTable(value));
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
        this.element.classList.remove("running");
        const failure = describeFailure(this.label, error, this.options.isCell);
        const box = document.createElement("div");
        if (failure.waitingOn !== null) {
          this.element.classList.add("waiting");
          this.element.classList.remove("failed");
          box.className = "cell-waiting";
          box.textContent = `waiting for ${failure.waitingOn}, which failed`;
          this.element.dataset.state = "waiting";
        } else {
          this.element.classList.add("failed");
          this.element.classList.remove("waiting");
          box.className = "cell-error";
          const where = document.createElement("span");
          where.className = "cell-error-line";
          where.textContent = failure.line === null ? "" : `line ${failure.line}`;
          const message = document.createElement("pre");
          message.textContent = failure.message;
          box.append(where, message);
          this.editor.markErrorLine(failure.line);
          this.element.dataset.state = "error";
        }
        this.status.replaceChildren(box);
        // The last good result stays, dimmed, so the person sees what the edit broke.
        this.body.classList.add("stale");
      },
    };
  }

  private async renderProfile(): Promise<void> {
    if (!this.profileOpen || this.last === null) {
      this.profile.replaceChildren();
      return;
    }
    const relation = this.last.relation;
    try {
      this.profile.replaceChildren(renderProfile(await profileRelation(this.options.conn, relation)));
    } catch (cause) {
      this.profile.textContent = `profile failed: ${cause instanceof Error ? cause.message : String(cause)}`;
    }
  }

  destroy(): void {
    this.editor.view.destroy();
    this.element.remove();
  }
}
