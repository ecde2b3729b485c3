import { parseNotebook, type SinkSpec } from "../../../format/index.ts";
import { counted } from "../../../format/counted.ts";
import { formFooter } from "./add-source.ts";
import { button } from "./source-card.ts";
import { formInput, isRecord, shown, typed } from "./edit-source.ts";

/** A sink's entry as the front matter holds it (`fs: {...}`, `partition_by`, `flush`, `lateness`), as written. */
export type SinkEntry = Record<string, unknown>;

/** One declared sink as the panel shows it. */
export interface SinkRow {
  name: string;
  /** The sink as the notebook read it, or null when its entry has a problem. */
  spec: SinkSpec | null;
  /** The entry as written in the front matter (`lateness: 3 minutes` stays so). */
  entry: SinkEntry;
  /** The entry's problems as the issues box words them (`line 9:5 sinks.lake.lateness: …`). */
  problems: string[];
  /** The cells whose fence says `sink=<name>`, each with its line. */
  feeders: string[];
}

/** What the panel asks of the page. Each write answers a problem to show, or null. */
export interface SinkPanelHost {
  sinks(): SinkRow[];
  /** Why a new sink (or sink `renaming`, renamed) cannot be called `name`, or null. */
  nameProblem(name: string, renaming: string | null): string | null;
  /** Writes sink `name`'s entry (new or changed) into the front matter. */
  save(name: string, entry: SinkEntry): Promise<string | null>;
  /** Renames sink `from` to `to` with `entry`, and every cell's `sink=from` with it. */
  rename(from: string, to: string, entry: SinkEntry): Promise<string | null>;
  /** Takes sink `name` out of the front matter (refused while a cell feeds it). */
  remove(name: string): Promise<string | null>;
}

const TARGETS = ["fs", "s3", "r2"] as const;

/** Seconds as a person writes them: `3 minutes`, `1 hour`, `90 s`. */
export function seconds(s: number): string {
  if (s > 0 && s % 3600 === 0) return `${s / 3600} hour${s === 3600 ? "" : "s"}`;
  if (s > 0 && s % 60 === 0) return `${s / 60} minute${s === 60 ? "" : "s"}`;
  return `${s} s`;
}

function bytes(n: number): string {
  for (const [unit, size] of [["GiB", 1024 ** 3], ["MiB", 1024 ** 2], ["KiB", 1024]] as const) if (n >= size && n % size === 0) return `${n / size} ${unit}`;
  return `${n} B`;
}

/**
 * The sink entry the form describes, checked by the notebook's own parser, so a problem is worded as
 * the file would word it (`sinks.lake.lateness: expected seconds or a duration …`).
 */
export function sinkFromForm(name: string, entry: SinkEntry): { spec: SinkSpec } | { problems: { path: string; message: string }[] } {
  const text = `---\nsinks:\n  ${JSON.stringify(name)}: ${JSON.stringify(entry)}\n---\n`;
  const { notebook, issues } = parseNotebook(text, "new sink");
  const spec = Object.hasOwn(notebook.sinks, name) ? notebook.sinks[name] : undefined;
  if (spec !== undefined && issues.length === 0) return { spec };
  const prefix = `sinks.${name}`;
  const problems = issues.map((i) => {
    const at = i.message.startsWith(prefix) ? /^([^:]*):/.exec(i.message.slice(prefix.length)) : null;
    return { path: at === null ? "" : at[1]!.replace(/^\./, "").replace(/\[\d+\]$/, ""), message: i.message };
  });
  return { problems: problems.length > 0 ? problems : [{ path: "", message: `no sink ${name} could be read from the form` }] };
}

/**
 * The sinks of the notebook in the side panel (edit mode): a card for each declared sink (where it
 * writes, prefix, partition_by, flush, lateness, the cells feeding it), Edit and Remove on each and
 * "+ Sink" under them. The form is filled from the entry as written and writes back only what was
 * changed, spelled as typed (`lateness: 3 minutes`), so the page never re-spells the file.
 */
export class SinkPanel {
  readonly element: HTMLElement;
  private readonly list: HTMLElement;
  private readonly addBox: HTMLElement;
  private readonly open: HTMLButtonElement;
  /** What the cards were drawn from, to skip drawing them again unchanged (and keep focus where it is). */
  private drawn: string | null = null;

  constructor(private readonly host: SinkPanelHost) {
    this.element = document.createElement("section");
    this.element.className = "sinks-panel";
    this.element.setAttribute("aria-label", "Sinks");
    const heading = document.createElement("h2");
    heading.className = "sinks-heading";
    heading.textContent = "Sinks";
    this.list = document.createElement("div");
    this.list.className = "sink-cards";
    this.addBox = document.createElement("div");
    this.addBox.className = "add-sink";
    this.open = button("+ Sink", "add-sink-open");
    this.open.title = "Declare a sink in the front matter: where a cell's rows are written as Parquet";
    this.open.addEventListener("click", () => this.openAdd());
    this.addBox.append(this.open);
    this.element.append(heading, this.list, this.addBox);
    this.refresh();
  }

  /** Draws the cards again from the notebook (an open edit form is kept open). */
  refresh(): void {
    // Called after every change to the notebook (a cell edited, moved or deleted changes who feeds a sink): drawn only when what it shows changed.
    const drawn = JSON.stringify(this.host.sinks());
    if (drawn === this.drawn) return;
    this.drawn = drawn;
    const editing = new Set([...this.list.querySelectorAll<HTMLElement>(".sink-card:has(.edit-sink-form)")].map((c) => c.dataset.sink!));
    const rows = this.host.sinks();
    const cards = rows.map((row) => {
      const old = editing.has(row.name) ? this.list.querySelector<HTMLElement>(`.sink-card[data-sink="${CSS.escape(row.name)}"]`) : null;
      return old ?? this.card(row);
    });
    this.list.replaceChildren(...cards);
    if (rows.length === 0) {
      const none = document.createElement("p");
      none.className = "muted no-sinks";
      none.textContent = "No sinks yet: a sink writes a cell's rows to the lake as Parquet when the notebook is published.";
      this.list.append(none);
    }
  }

  /** Opens "+ Sink"'s form; `then` gets the new sink's name once written (the cell that asked for "new sink…"). */
  openAdd(then: ((name: string) => void) | null = null): void {
    this.addBox.querySelector(".edit-sink-form")?.remove();
    this.open.hidden = true;
    const close = () => {
      form.remove();
      this.open.hidden = false;
      this.open.focus();
    };
    const form = this.form(null, { fs: { dir: "data" } }, async (name, entry) => {
      const refused = await this.host.save(name, entry);
      if (refused === null) {
        close();
        then?.(name);
      }
      return refused;
    }, close);
    this.addBox.append(form);
    this.element.scrollIntoView({ block: "nearest" });
    form.querySelector<HTMLElement>("input")?.focus();
  }

  private card(row: SinkRow): HTMLElement {
    const card = document.createElement("section");
    card.className = `sink-card${row.spec === null ? " sink-broken" : ""}`;
    card.dataset.sink = row.name;
    const title = document.createElement("h3");
    const name = document.createElement("span");
    name.className = "sink-name";
    name.textContent = row.name;
    const kind = document.createElement("span");
    kind.className = "sink-kind";
    kind.textContent = row.spec === null ? "has a problem" : row.spec.target.kind;
    title.append(name, " ", kind);
    card.append(title);
    const facts = document.createElement("dl");
    facts.className = "sink-facts";
    const fact = (label: string, value: string) => {
      const dt = document.createElement("dt");
      dt.textContent = label;
      const dd = document.createElement("dd");
      dd.className = `sink-${label.replace(/[^a-z]+/g, "-")}`;
      dd.textContent = value;
      facts.append(dt, dd);
    };
    const spec = row.spec;
    if (spec !== null) {
      const t = spec.target;
      fact("target", t.kind === "fs" ? `folder ${t.dir}` : t.kind === "s3" ? `bucket ${t.bucket}${t.endpoint === null ? "" : ` at ${t.endpoint}`} (${t.region})` : `binding ${t.binding}`);
      fact("prefix", t.prefix === "" ? "(none)" : t.prefix);
      fact("partition by", spec.partitionBy.length === 0 ? "(none)" : spec.partitionBy.join(", "));
      fact("flush", `${counted(spec.flush.rows, "row", { grouped: true })} · ${bytes(spec.flush.bytes)} · ${seconds(spec.flush.seconds)}`);
      fact("lateness", seconds(spec.lateness));
      if (spec.maxAhead !== undefined) fact("max ahead", spec.maxAhead === null ? "off" : seconds(spec.maxAhead));
    }
    fact("fed by", row.feeders.length === 0 ? "no cell yet (set it in a SQL cell's bar)" : row.feeders.join(", "));
    card.append(facts);
    if (row.problems.length > 0) {
      const why = document.createElement("pre");
      why.className = "sink-error";
      why.textContent = row.problems.join("\n");
      card.append(why);
    }
    const actions = document.createElement("div");
    actions.className = "source-actions sink-actions";
    const edit = button("Edit", "sink-edit");
    edit.title = `Change sink ${row.name}'s entry in the notebook's front matter`;
    const remove = button("Remove", "sink-remove");
    remove.title = `Take sink ${row.name} out of the notebook's front matter (refused while a cell feeds it)`;
    const note = document.createElement("p");
    note.className = "sink-manage-problem";
    note.setAttribute("role", "alert");
    note.hidden = true;
    const say = (text: string | null) => {
      note.hidden = text === null;
      note.textContent = text ?? "";
    };
    edit.addEventListener("click", () => {
      say(null);
      const open = card.querySelector<HTMLFormElement>(".edit-sink-form");
      if (open !== null) return open.querySelector<HTMLElement>("input, select")?.focus();
      const form = this.form(row.name, row.entry, async (n, entry) => {
        const refused = n === row.name ? await this.host.save(n, entry) : await this.host.rename(row.name, n, entry);
        if (refused === null) {
          // Written: the card is drawn anew from the notebook, its Edit focused.
          form.remove();
          this.drawn = null;
          this.refresh();
          this.list.querySelector<HTMLElement>(`.sink-card[data-sink="${CSS.escape(n)}"] .sink-edit`)?.focus();
        }
        return refused;
      }, () => {
        form.remove();
        edit.focus();
      });
      card.append(form);
      // The target first, as before the name could be changed here.
      form.querySelector<HTMLElement>(".sink-form-target")?.focus();
    });
    remove.addEventListener("click", () => {
      say(null);
      remove.disabled = true;
      void this.host.remove(row.name).then(
        (refused) => {
          remove.disabled = false;
          say(refused);
        },
        (error: unknown) => {
          remove.disabled = false;
          say(error instanceof Error ? error.message : String(error));
        },
      );
    });
    actions.append(edit, remove);
    card.append(actions, note);
    return card;
  }

  /**
   * The form of a sink's entry: `name` null for a new sink (its name asked for). Each field shows the
   * entry's value as written; on save only the fields whose text changed are set, the rest of the
   * entry (and any key the form does not show) kept as it was.
   */
  private form(name: string | null, entry: SinkEntry, save: (name: string, entry: SinkEntry) => Promise<string | null>, close: () => void): HTMLFormElement {
    const form = document.createElement("form");
    form.className = "add-source-form edit-sink-form";
    form.setAttribute("aria-label", name === null ? "New sink" : `Edit sink ${name}`);
    /** The fields, by the entry path their problems name (`lateness`, `flush.rows`, `s3.bucket`). */
    const notes = new Map<string, HTMLElement>();
    const field = (label: string, path: string, control: HTMLElement): HTMLLabelElement => {
      const wrap = document.createElement("label");
      const text = document.createElement("span");
      text.textContent = label;
      const note = document.createElement("small");
      note.className = "sink-field-problem";
      note.setAttribute("role", "alert");
      note.hidden = true;
      notes.set(path, note);
      wrap.dataset.field = path;
      wrap.append(text, control, note);
      return wrap;
    };
    const input = formInput;
    const current = TARGETS.find((t) => entry[t] !== undefined) ?? "fs";
    const target: SinkEntry = isRecord(entry[current]) ? (entry[current] as SinkEntry) : {};
    const flush: SinkEntry = isRecord(entry.flush) ? entry.flush : {};

    const nameInput = input("sink-form-name", name ?? "", "name, e.g. lake");
    const kind = document.createElement("select");
    kind.className = "sink-form-target";
    for (const t of TARGETS) kind.add(new Option(t === "fs" ? "fs (a local folder)" : t === "s3" ? "s3 (a bucket)" : "r2 (a Worker binding)", t));
    kind.value = current;
    /** Each text field: its entry path, the text it showed first, its input. */
    const texts: { path: string[]; first: string; input: HTMLInputElement; list?: boolean }[] = [];
    const text = (label: string, path: string[], value: unknown, placeholder: string, list = false): HTMLLabelElement => {
      const i = input(`sink-form-${path.join("-").replace(/_/g, "-")}`, shown(value), placeholder);
      texts.push({ path, first: i.value, input: i, list });
      return field(label, path.join("."), i);
    };
    const targetFields: Record<(typeof TARGETS)[number], HTMLElement[]> = {
      fs: [text("folder", ["fs", "dir"], current === "fs" ? target.dir : undefined, "data")],
      s3: [
        text("bucket", ["s3", "bucket"], current === "s3" ? target.bucket : undefined, "bucket"),
        text("endpoint", ["s3", "endpoint"], current === "s3" ? target.endpoint : undefined, "https://… (AWS when empty)"),
        text("region", ["s3", "region"], current === "s3" ? target.region : undefined, "us-east-1"),
      ],
      r2: [text("binding", ["r2", "binding"], current === "r2" ? target.binding : undefined, "LAKE")],
    };
    const prefixField = input("sink-form-prefix", shown(target.prefix), "e.g. trips/");
    texts.push({ path: ["<target>", "prefix"], first: prefixField.value, input: prefixField });
    // Renaming rewrites `sink=` on the cells that feed the sink too.
    if (name !== null) nameInput.title = `Renaming sink ${name} also renames it in the sink= of every cell that feeds it`;
    const fields: HTMLElement[] = [field("name", "", nameInput)];
    fields.push(
      field("target", "", kind),
      ...Object.values(targetFields).flat(),
      field("prefix", "prefix", prefixField),
      text("partition by", ["partition_by"], entry.partition_by, "columns, e.g. day", true),
      text("flush rows", ["flush", "rows"], flush.rows, "100000"),
      text("flush bytes", ["flush", "bytes"], flush.bytes, "e.g. 64 MiB"),
      text("flush every", ["flush", "seconds"], flush.seconds, "e.g. 60 seconds"),
      text("lateness", ["lateness"], entry.lateness, "e.g. 3 minutes"),
      text("max ahead", ["max_ahead"], entry.max_ahead, "e.g. 1 day, or off"),
    );
    const showKind = () => {
      for (const [t, elements] of Object.entries(targetFields)) for (const element of elements) element.hidden = t !== kind.value;
    };
    kind.addEventListener("change", showKind);
    showKind();

    const { problem, submit, cancel, actions } = formFooter(name === null ? "Add sink" : "Save sink", "sink-form-save", "sink-form-cancel", "add-source-problem sink-form-problem");
    form.append(...fields, problem, actions);
    const say = (problems: { path: string; message: string }[]) => {
      for (const note of notes.values()) {
        note.hidden = true;
        note.textContent = "";
      }
      const general: string[] = [];
      for (const p of problems) {
        // At the field the problem names (`flush.rows`, `s3.bucket`; a prefix's under whichever target); else under the form.
        const path = /^(s3|r2|fs)\.prefix$/.test(p.path) ? "prefix" : p.path;
        const note = path === "" ? undefined : notes.get(path);
        if (note === undefined) general.push(p.message);
        else {
          note.hidden = false;
          note.textContent = note.textContent === "" ? p.message : `${note.textContent}\n${p.message}`;
        }
      }
      problem.hidden = general.length === 0;
      problem.textContent = general.join("\n");
    };
    cancel.addEventListener("click", close);
    form.addEventListener("keydown", (event) => {
      if (event.key === "Escape") close();
    });
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const wanted = nameInput.value.trim();
      const problem = wanted === "" ? "a sink needs a name" : wanted === name ? null : this.host.nameProblem(wanted, name);
      const taken = problem === null || name === null || wanted === "" ? problem : `Not renamed: ${problem}`;
      if (taken !== null) return say([{ path: "", message: taken }]);
      const next: SinkEntry = structuredClone(entry);
      // Another target: the old one's key goes, its prefix moves along.
      const chosen = kind.value as (typeof TARGETS)[number];
      for (const t of TARGETS) if (t !== chosen) delete next[t];
      if (!isRecord(next[chosen])) next[chosen] = {};
      const setAt = (path: string[], value: unknown) => {
        let at = next;
        for (const key of path.slice(0, -1)) {
          if (!isRecord(at[key])) at[key] = {};
          at = at[key] as SinkEntry;
        }
        const last = path[path.length - 1]!;
        if (value === undefined) delete at[last];
        else at[last] = value;
      };
      for (const t of texts) {
        const path = t.path[0] === "<target>" ? [chosen, ...t.path.slice(1)] : t.path;
        if (path[0] !== chosen && TARGETS.includes(path[0] as (typeof TARGETS)[number])) continue;
        // An unchanged field keeps the entry's value as written; the prefix moves to another target.
        if (t.input.value === t.first && !(t.path[0] === "<target>" && chosen !== current)) continue;
        const value = t.input.value.trim();
        if (value === "") setAt(path, undefined);
        else if (t.list) setAt(path, value.split(",").map((v) => v.trim()).filter((v) => v !== ""));
        else setAt(path, typed(value));
      }
      if (isRecord(next.flush) && Object.keys(next.flush).length === 0) delete next.flush;
      const read = sinkFromForm(wanted, next);
      if ("problems" in read) return say(read.problems);
      say([]);
      submit.disabled = true;
      void save(wanted, next).then(
        (refused) => {
          submit.disabled = false;
          if (refused !== null) say([{ path: "", message: refused }]);
        },
        (error: unknown) => {
          submit.disabled = false;
          say([{ path: "", message: error instanceof Error ? error.message : String(error) }]);
        },
      );
    });
    return form;
  }
}
