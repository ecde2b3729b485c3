import { autocompletion, closeBrackets, closeBracketsKeymap, completionKeymap } from "@codemirror/autocomplete";
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
  /** Marks line `line` (1-based) as the error's place, or clears the mark with null. */
  markErrorLine(line: number | null): void;
  setReadOnly(readOnly: boolean): void;
}

const setErrorLine = StateEffect.define<number | null>();

const errorLineField = StateField.define<DecorationSet>({
  create: () => Decoration.none,
  update(marks, transaction) {
    marks = marks.map(transaction.changes);
    for (const effect of transaction.effects) {
      if (!effect.is(setErrorLine)) continue;
      const line = effect.value;
      if (line === null || line < 1 || line > transaction.state.doc.lines) marks = Decoration.none;
      else marks = Decoration.set([Decoration.line({ class: "cm-error-line" }).range(transaction.state.doc.line(line).from)]);
    }
    return marks;
  },
  provide: (field) => EditorView.decorations.from(field),
});

/**
 * A CodeMirror 6 editor for one cell: SQL (with completions for DuckDB's
 * tables and columns) or JavaScript, Shift-Enter runs, Mod-S saves now.
 */
export function createCellEditor(options: {
  parent: HTMLElement;
  code: string;
  language: "sql" | "js";
  schema: CatalogSchema;
  readOnly?: boolean;
  onChange: (code: string) => void;
  onRun: () => void;
}): CellEditor {
  const languageSlot = new Compartment();
  const readOnlySlot = new Compartment();
  let language = options.language;
  let schema = options.schema;
  const languageExtension = () => (language === "sql" ? sql({ dialect: PostgreSQL, schema, upperCaseKeywords: true }) : javascript());
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
        keymap.of([
          { key: "Shift-Enter", run: () => (options.onRun(), true) },
          ...closeBracketsKeymap,
          ...completionKeymap,
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
    markErrorLine(line) {
      view.dispatch({ effects: setErrorLine.of(line) });
    },
    setReadOnly(readOnly) {
      view.dispatch({ effects: readOnlySlot.reconfigure([EditorState.readOnly.of(readOnly), EditorView.editable.of(!readOnly)]) });
    },
  };
}

/** The catalog as completions want it: every table and view with its columns. */
export async function readCatalog(conn: { query(sql: string): Promise<{ toArray(): { toJSON(): unknown }[] }> }): Promise<CatalogSchema> {
  const result = await conn.query("SELECT table_name, column_name FROM duckdb_columns() WHERE NOT internal ORDER BY table_name, column_index");
  const schema: CatalogSchema = {};
  for (const row of result.toArray()) {
    const r = row.toJSON() as { table_name: string; column_name: string };
    (schema[r.table_name] ??= []).push(r.column_name);
  }
  return schema;
}
