import { autocompletion, closeBrackets, closeBracketsKeymap, closeCompletion, completionKeymap } from "@codemirror/autocomplete";
import { defaultKeymap, history, historyKeymap, indentWithTab } from "@codemirror/commands";
import { javascript } from "@codemirror/lang-javascript";
import { PostgreSQL, sql } from "@codemirror/lang-sql";
import { bracketMatching, defaultHighlightStyle, syntaxHighlighting } from "@codemirror/language";
import { Compartment, EditorState, StateEffect, StateField } from "@codemirror/state";
import { Decoration, type DecorationSet, EditorView, highlightActiveLine, keymap, lineNumbers } from "@codemirror/view";

/** Table name → column names, from DuckDB's catalog. */
export type CatalogSchema = Record<string, string[]>;

export interface CellEditor {
  view: EditorView;
  setLanguage(language: "sql" | "js"): void;
  setSchema(schema: CatalogSchema): void;
  /**
   * Marks line `line` (1-based) as the error's place, and underlines the token at `column`
   * (1-based, on that line) when the error names one; null clears the marks.
   */
  markErrorLine(line: number | null, column?: number | null): void;
  setReadOnly(readOnly: boolean): void;
}

/** How long focus that came by keyboard lets Tab pass on (any other key there ends it sooner). */
const TAB_PASSES_MS = 60 * 60 * 1000;

const setErrorLine = StateEffect.define<{ line: number; column: number | null } | null>();

/** The span to underline at `column` of a line: the word there, else the one character (nothing at the line's end). */
export function errorSpan(text: string, column: number): { from: number; to: number } | null {
  const from = column - 1;
  if (from < 0 || from >= text.length) return null;
  const word = /^[\p{L}\p{N}_$]+/u.exec(text.slice(from));
  return { from, to: from + (word === null ? 1 : word[0].length) };
}

const errorLineField = StateField.define<DecorationSet>({
  create: () => Decoration.none,
  update(marks, transaction) {
    marks = marks.map(transaction.changes);
    for (const effect of transaction.effects) {
      if (!effect.is(setErrorLine)) continue;
      const at = effect.value;
      if (at === null || at.line < 1 || at.line > transaction.state.doc.lines) {
        marks = Decoration.none;
        continue;
      }
      const line = transaction.state.doc.line(at.line);
      const ranges = [Decoration.line({ class: "cm-error-line" }).range(line.from)];
      const span = at.column === null ? null : errorSpan(line.text, at.column);
      if (span !== null) ranges.push(Decoration.mark({ class: "cm-error-at" }).range(line.from + span.from, line.from + span.to));
      marks = Decoration.set(ranges);
    }
    return marks;
  },
  provide: (field) => EditorView.decorations.from(field),
});

/**
 * A CodeMirror 6 editor for one cell: SQL (with completions for DuckDB's
 * tables and columns) or JavaScript, Shift-Enter (or Mod-Enter) runs, Mod-S saves now.
 */
export function createCellEditor(options: {
  parent: HTMLElement;
  code: string;
  language: "sql" | "js";
  schema: CatalogSchema;
  readOnly?: boolean;
  onChange: (code: string) => void;
  onRun: () => void;
  /** Escape: stops the cell's run going now; false (none going) lets Escape do what it does. */
  onStop?: () => boolean;
}): CellEditor {
  const languageSlot = new Compartment();
  const readOnlySlot = new Compartment();
  let language = options.language;
  let schema = options.schema;
  // Running closes an open completion list, as Jupyter does: left open, it covers the result or the error just drawn below.
  const runCell = (target: EditorView): boolean => {
    closeCompletion(target);
    options.onRun();
    return true;
  };
  const languageExtension = () => (language === "sql" ? sql({ dialect: PostgreSQL, schema, upperCaseKeywords: true }) : javascript());
  // Tab indents (indentWithTab), so a person tabbing through the page got caught in the first editor,
  // each Tab indenting its code and saving the file. Focus that arrives without a pointer passes the
  // next Tab on instead, until a key other than Tab is pressed there (CodeMirror's tab-focus mode);
  // a click puts the editor in indenting mode at once. Escape then Tab leaves it at any time.
  let pointed = false;
  const tabPasses = EditorView.domEventHandlers({
    focus(_event, target) {
      target.setTabFocusMode(pointed ? false : TAB_PASSES_MS);
      pointed = false;
    },
  });
  const view = new EditorView({
    parent: options.parent,
    state: EditorState.create({
      doc: options.code,
      extensions: [
        lineNumbers(),
        history(),
        highlightActiveLine(),
        bracketMatching(),
        closeBrackets(),
        autocompletion(),
        syntaxHighlighting(defaultHighlightStyle, { fallback: true }),
        errorLineField,
        tabPasses,
        keymap.of([
          { key: "Shift-Enter", run: runCell },
          // Jupyter's and Hex's run key too; CodeMirror would insert a blank line.
          { key: "Mod-Enter", run: runCell },
          ...closeBracketsKeymap,
          // After the completion keymap's Escape, which closes an open list first.
          ...completionKeymap,
          // Escape stops a run showing ■ Stop; otherwise the next Tab leaves the editor, however long the
          // person takes to press it (CodeMirror's own Escape gives two seconds, and a slow or busy Tab indented).
          {
            key: "Escape",
            run: (target) => {
              if (options.onStop?.() === true) return true;
              target.setTabFocusMode(TAB_PASSES_MS);
              return true;
            },
          },
          ...historyKeymap,
          ...defaultKeymap,
          indentWithTab,
        ]),
        languageSlot.of(languageExtension()),
        readOnlySlot.of([EditorState.readOnly.of(options.readOnly ?? false), EditorView.editable.of(!(options.readOnly ?? false))]),
        EditorView.updateListener.of((update) => {
          if (update.docChanged) options.onChange(update.state.doc.toString());
        }),
      ],
    }),
  });
  view.dom.addEventListener(
    "pointerdown",
    () => {
      pointed = !view.hasFocus;
      view.setTabFocusMode(false);
    },
    true,
  );
  return {
    view,
    setLanguage(next) {
      language = next;
      view.dispatch({ effects: languageSlot.reconfigure(languageExtension()) });
    },
    setSchema(next) {
      if (JSON.stringify(next) === JSON.stringify(schema)) return;
      schema = next;
      if (language === "sql") view.dispatch({ effects: languageSlot.reconfigure(languageExtension()) });
    },
    markErrorLine(line, column = null) {
      view.dispatch({ effects: setErrorLine.of(line === null ? null : { line, column }) });
    },
    setReadOnly(readOnly) {
      view.dispatch({ effects: readOnlySlot.reconfigure([EditorState.readOnly.of(readOnly), EditorView.editable.of(!readOnly)]) });
    },
  };
}

/** The catalog as completions want it: every table and view with its columns. */
export async function readCatalog(conn: { query(sql: string): Promise<{ toArray(): { toJSON(): unknown }[] }> }): Promise<CatalogSchema> {
  const result = await conn.query("SELECT table_name, column_name FROM duckdb_columns() WHERE NOT internal AND database_name = current_database() ORDER BY table_name, column_index");
  const schema: CatalogSchema = {};
  for (const row of result.toArray()) {
    const r = row.toJSON() as { table_name: string; column_name: string };
    (schema[r.table_name] ??= []).push(r.column_name);
  }
  return schema;
}
