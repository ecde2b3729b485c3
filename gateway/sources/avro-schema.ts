/**
 * Loads the `.avsc` files of a notebook's `format: avro` sources from the notebook's folder, where the
 * gateway, `runnel check` and `runnel publish` know it: each source's spec gets its schema's JSON
 * (`avro.definition`), which the Kafka readers decode with and a bundle carries to the runner. A file
 * that is missing, outside the folder (a link out of it too) or not an Avro schema is an issue placed
 * at the `avro.schema` value.
 */
import { readFile, realpath } from "node:fs/promises";
import { dirname, resolve, sep } from "node:path";
import { isMap, isScalar, parseDocument, type Node } from "yaml";
import type { Notebook, NotebookIssue, SourceSpec } from "../../notebook/format/model.ts";
import { issueAt } from "../../notebook/format/issue.ts";
import { indexLines } from "../../notebook/format/position.ts";
import { avroType } from "./avro.ts";

/**
 * The notebook's sources, those reading Avro with their schema loaded from beside `file` (the
 * notebook's path on disk), and the issues of schemas that could not be. The notebook is left as it
 * is: its sources are what the file says, and a save writes them back unchanged.
 */
export async function loadAvroSchemas(notebook: Notebook, file: string): Promise<{ sources: Record<string, SourceSpec>; issues: NotebookIssue[] }> {
  const sources: Record<string, SourceSpec> = { ...notebook.sources };
  const issues: NotebookIssue[] = [];
  for (const [name, spec] of Object.entries(notebook.sources)) {
    if (spec.kind !== "kafka" || spec.avro === undefined) continue;
    try {
      sources[name] = await withAvroSchema(spec, file);
    } catch (error) {
      if (!(error instanceof AvroSchemaError)) throw error;
      issues.push(issueAt(notebook.file, schemaPlace(notebook, name), `sources.${name}.avro.schema: ${error.message}`));
    }
  }
  return { sources, issues };
}

/** Why a source's schema file could not be loaded; the message names the file. */
export class AvroSchemaError extends Error {}

/**
 * A Kafka source's spec with its Avro schema loaded from beside `file`, the notebook's path on disk (the
 * spec itself when it reads no Avro, or has its schema already). Throws `AvroSchemaError` saying why not.
 */
export async function withAvroSchema<T extends Extract<SourceSpec, { kind: "kafka" }>>(spec: T, file: string): Promise<T> {
  // A registry's source has no file: each value's schema is looked up by its id as it is read.
  if (spec.avro?.schema === undefined || spec.avro.definition !== undefined) return spec;
  const folder = dirname(resolve(file));
  const path = resolve(folder, spec.avro.schema);
  let text: string;
  try {
    const [real, realFolder] = await Promise.all([realpath(path), realpath(folder)]);
    if (!real.startsWith(realFolder + sep)) throw new AvroSchemaError(`${spec.avro.schema} leads outside the notebook's folder (to ${real}); copy the schema file into the folder`);
    text = await readFile(real, "utf8");
  } catch (error) {
    if (error instanceof AvroSchemaError) throw error;
    const code = (error as { code?: unknown }).code;
    if (code !== "ENOENT" && code !== "EISDIR" && code !== "EACCES" && code !== "ENOTDIR") throw error;
    throw new AvroSchemaError(code === "ENOENT" || code === "ENOTDIR" ? `no schema file ${spec.avro.schema} beside the notebook (looked for ${path})` : `cannot read the schema file ${spec.avro.schema}: ${(error as Error).message}`, { cause: error });
  }
  let definition: unknown;
  try {
    definition = JSON.parse(text);
  } catch (error) {
    if (!(error instanceof SyntaxError)) throw error;
    throw new AvroSchemaError(`${spec.avro.schema} is not an Avro schema: it is not JSON (${error.message})`, { cause: error });
  }
  try {
    avroType(definition);
  } catch (error) {
    if (!(error instanceof Error)) throw error;
    throw new AvroSchemaError(`${spec.avro.schema} is not an Avro schema: ${error.message}`, { cause: error });
  }
  return { ...spec, avro: { ...spec.avro, definition } };
}

/** Where `sources.<name>.avro.schema`'s value is written in the front matter (the file's start when it cannot be found). */
function schemaPlace(notebook: Notebook, name: string): { line: number; column: number } {
  const block = notebook.blocks.find((b) => b.kind === "frontmatter");
  if (!block) return { line: 1, column: 1 };
  const open = /^\uFEFF?---[ \t]*\r?\n/.exec(block.raw);
  const base = open ? open[0].length : 0;
  const doc = parseDocument(block.raw.slice(base));
  let node = doc.contents as Node | null;
  for (const step of ["sources", name, "avro", "schema"]) {
    if (!isMap(node)) break;
    const pair = node.items.find((item) => isScalar(item.key) && String(item.key.value) === step);
    if (!pair) break;
    node = pair.value as Node | null;
  }
  return indexLines(block.raw).at(base + (node?.range?.[0] ?? 0));
}
