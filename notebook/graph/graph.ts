import type { CellLanguage, Notebook, NotebookIssue, Position } from "../format/model.ts";

/** A name and where in the file it is written. */
export interface NameAt {
  name: string;
  position: Position;
}

export type ReferenceKind = "source" | "cell" | "builtin" | "unknown";

export interface Reference extends NameAt {
  kind: ReferenceKind;
  /** The index of the cell that defines the name, when `kind` is "cell". */
  cell: number | null;
}

export interface GraphCell {
  index: number;
  /** How messages name the cell: its id, its JavaScript name, or `#n`. */
  label: string;
  language: CellLanguage;
  id: string | null;
  sink: string | null;
  defines: NameAt[];
  references: Reference[];
  /** Indexes of the cells this one reads, in file order, without repeats. */
  dependsOn: number[];
}

export interface Graph {
  notebook: Notebook;
  cells: GraphCell[];
  issues: NotebookIssue[];
}
