import type { SchemaElement } from "hyparquet";
import type { Value } from "../../plan/values.ts";

const INITIAL_LEVELS = 16;

/** Levels and non-null values of one leaf column not yet written as a page. */
export class Leaf {
  // Small at first, grown by doubling: a runner keeps one open file per partition, and a sink
  // partitioned by a column of 50,000 values holds that many leaves, most with a few rows.
  defs = new Uint8Array(INITIAL_LEVELS);
  reps = new Uint8Array(INITIAL_LEVELS);
  count = 0;
  /** Non-null values; only the first `present` entries are this row group's. */
  values: unknown[] = [];
  present = 0;

  constructor(
    readonly element: SchemaElement,
    readonly path: string[],
    readonly maxDef: number,
    readonly maxRep: number,
  ) {}

  push(def: number, rep: number, value?: unknown): void {
    if (this.count === this.defs.length) this.grow(this.count * 2);
    this.defs[this.count] = def;
    // Flat columns never repeat: their rep levels stay zero.
    if (this.maxRep > 0) this.reps[this.count] = rep;
    this.count++;
    if (def === this.maxDef) this.values[this.present++] = value;
  }

  /** Sizes the buffers for `rows` more rows in the common one-level-per-row case. */
  reserve(rows: number): void {
    const need = this.count + rows;
    if (this.defs.length < need) this.grow(Math.max(need, this.defs.length * 2));
    if (this.values.length < this.present + rows) {
      // Doubling, so a file fed a few rows at a time does not copy its values on every add.
      const values = new Array(Math.max(this.present + rows, this.values.length * 2));
      for (let i = 0; i < this.present; i++) values[i] = this.values[i];
      this.values = values;
    }
  }

  /** Forgets the first `levels` levels (written as pages) and `values` values (taken by the encoder); the rest move to the front. */
  drop(levels: number, values: number): void {
    if (levels > 0) {
      const rest = this.count - levels;
      if (rest > 0) {
        this.defs.copyWithin(0, levels, this.count);
        if (this.maxRep > 0) this.reps.copyWithin(0, levels, this.count);
      }
      this.count = rest;
    }
    if (values === 0) return;
    if (values === this.present) {
      // A new array rather than stale slots: the old one would keep the taken values alive.
      this.values = [];
    } else {
      for (let i = values; i < this.present; i++) this.values[i - values] = this.values[i];
    }
    this.present -= values;
  }

  private grow(size: number): void {
    const defs = new Uint8Array(size);
    defs.set(this.defs.subarray(0, this.count));
    this.defs = defs;
    const reps = new Uint8Array(size);
    reps.set(this.reps.subarray(0, this.count));
    this.reps = reps;
  }
}

/** The schema as a tree the shredder walks; every node but a map key is OPTIONAL. */
export type Node =
  | { kind: "leaf"; leaf: Leaf; required: boolean }
  | { kind: "struct"; fields: { name: string; node: Node }[] }
  | { kind: "list"; element: Node }
  | { kind: "map"; key: Node; value: Node };

/**
 * Rebuilds the tree from the depth-first Parquet schema (as `parquetLayout`
 * makes it), creating one Leaf per primitive column.
 */
export function buildTree(elements: SchemaElement[]): { columns: { name: string; node: Node }[]; leaves: Leaf[] } {
  const leaves: Leaf[] = [];
  let at = 1;
  function take(path: string[], def: number, rep: number): Node {
    const element = elements[at++]!;
    const required = element.repetition_type === "REQUIRED";
    const here = required ? def : def + 1;
    if (!element.num_children) {
      const leaf = new Leaf(element, [...path, element.name], here, rep);
      leaves.push(leaf);
      return { kind: "leaf", leaf, required };
    }
    const named = [...path, element.name];
    if (element.converted_type === "LIST" || element.converted_type === "MAP") {
      const group = elements[at++]!; // the REPEATED list / key_value group
      const inner = [...named, group.name];
      if (element.converted_type === "LIST") return { kind: "list", element: take(inner, here + 1, rep + 1) };
      const key = take(inner, here + 1, rep + 1);
      return { kind: "map", key, value: take(inner, here + 1, rep + 1) };
    }
    const fields: { name: string; node: Node }[] = [];
    for (let i = 0; i < element.num_children; i++) {
      const name = elements[at]!.name;
      fields.push({ name, node: take(named, here, rep) });
    }
    return { kind: "struct", fields };
  }
  const root = elements[0]!;
  const columns: { name: string; node: Node }[] = [];
  for (let i = 0; i < (root.num_children ?? 0); i++) {
    const name = elements[at]!.name;
    columns.push({ name, node: take([], 0, 0) });
  }
  return { columns, leaves };
}

/**
 * Dremel shredding of one value into its leaves: `def` counts the optional
 * and repeated ancestors that are present, `rep` says at which repeated
 * ancestor a new entry starts (0 = a new row).
 */
export function shred(node: Node, value: Value | undefined, def: number, rep: number, depth: number): void {
  switch (node.kind) {
    case "leaf":
      if (value === null || value === undefined) node.leaf.push(def, rep);
      else node.leaf.push(node.required ? def : def + 1, rep, value);
      return;
    case "struct":
      if (value === null || value === undefined) return absent(node, def, rep);
      for (const f of node.fields) shred(f.node, (value as Record<string, Value>)[f.name] ?? null, def + 1, rep, depth);
      return;
    case "list": {
      if (value === null || value === undefined) return absent(node, def, rep);
      const items = value as Value[];
      if (items.length === 0) return absent(node.element, def + 1, rep);
      for (let i = 0; i < items.length; i++) shred(node.element, items[i], def + 2, i === 0 ? rep : depth + 1, depth + 1);
      return;
    }
    case "map": {
      if (value === null || value === undefined) return absent(node, def, rep);
      const entries = value as { key: Value; value: Value }[];
      if (entries.length === 0) {
        absent(node.key, def + 1, rep);
        absent(node.value, def + 1, rep);
        return;
      }
      for (let i = 0; i < entries.length; i++) {
        const r = i === 0 ? rep : depth + 1;
        const entry = entries[i]!;
        if (entry.key === null || entry.key === undefined) throw new Error("parquet: a MAP key is NULL");
        shred(node.key, entry.key, def + 2, r, depth + 1);
        shred(node.value, entry.value, def + 2, r, depth + 1);
      }
      return;
    }
  }
}

/** Every leaf under `node` gets one level pair saying "absent at this depth". */
function absent(node: Node, def: number, rep: number): void {
  switch (node.kind) {
    case "leaf":
      node.leaf.push(def, rep);
      return;
    case "struct":
      for (const f of node.fields) absent(f.node, def, rep);
      return;
    case "list":
      absent(node.element, def, rep);
      return;
    case "map":
      absent(node.key, def, rep);
      absent(node.value, def, rep);
      return;
  }
}
