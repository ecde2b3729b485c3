/**
 * Writes the model's title, sources and sinks back into the front matter.
 * Only entries that differ from what the file says are rewritten, inside the
 * file's own YAML document, so comments and the untouched entries stay as
 * written.
 */
import { Document, isMap, isScalar, isSeq, parseDocument, type Node } from "yaml";
import type { Notebook, SinkSpec, SourceSpec } from "./model.ts";
import type { FrontMatter } from "./front-matter.ts";
import { DEFAULTS, KAFKA_METADATA } from "./schema.ts";
import { webhookMetadataYaml } from "./webhook-metadata.ts";

function sameData(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const keys = Object.keys(a);
  if (keys.length !== Object.keys(b).length) return false;
  return keys.every((key) => Object.hasOwn(b, key) && sameData((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key]));
}

function demoYaml(demo: NonNullable<SourceSpec["demo"]>): unknown {
  if (demo.rate === DEFAULTS.demo.rate && demo.seed === DEFAULTS.demo.seed) return demo.generator;
  return { generator: demo.generator, rate: demo.rate, seed: demo.seed };
}

/** A source as the front matter writes it, leaving out what the defaults give. */
export function sourceToYaml(source: SourceSpec): Record<string, unknown> {
  const entry: Record<string, unknown> = {};
  if (source.kind === "kafka") {
    const all = source.metadata !== undefined && sameData(source.metadata, [...KAFKA_METADATA]);
    entry.kafka = { topic: source.topic, brokers: source.brokers, ...(source.metadata?.length ? { metadata: all ? true : source.metadata } : {}) };
  }
  if (source.kind === "webhook") {
    entry.webhook = {
      ...(source.path === `/${source.name}` ? {} : { path: source.path }),
      signature: source.signature,
      ...(source.secret === null ? {} : { secret: source.secret }),
      ...(source.deliveryHeader === null ? {} : { delivery_header: source.deliveryHeader }),
      ...webhookMetadataYaml(source),
    };
  }
  if (source.kind === "http") entry.http = { url: source.url, ...(source.intervalSeconds === DEFAULTS.httpInterval ? {} : { interval: source.intervalSeconds }) };
  if (source.format !== DEFAULTS.format) entry.format = source.format;
  // `format: avro`: the model's format is the JSON its decoded values are; the file says avro and names the schema.
  if (source.kind === "kafka" && source.avro) {
    entry.format = "avro";
    entry.avro = { ...(source.avro.schema === undefined ? {} : { schema: source.avro.schema }), ...(source.avro.registry === undefined ? {} : { registry: source.avro.registry }), ...(source.avro.schemaId === undefined ? {} : { schema_id: source.avro.schemaId }), ...(source.avro.framing === undefined ? {} : { framing: source.avro.framing }) };
  }
  if (source.sampleSize !== DEFAULTS.sampleSize) entry.sample_size = source.sampleSize;
  if (source.demo) entry.demo = demoYaml(source.demo);
  return entry;
}

/** A sink as the front matter writes it, leaving out what the defaults give. */
export function sinkToYaml(sink: SinkSpec): Record<string, unknown> {
  const { kind, ...target } = sink.target;
  const place: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(target)) {
    const isDefault = (key === "prefix" && value === "") || (key === "endpoint" && value === null) || (key === "region" && value === DEFAULTS.region) || (key === "dir" && value === DEFAULTS.fsDir);
    if (!isDefault) place[key] = value;
  }
  const entry: Record<string, unknown> = { [kind]: place };
  if (sink.partitionBy.length > 0) entry.partition_by = sink.partitionBy;
  const flush: Record<string, number> = {};
  for (const key of ["rows", "bytes", "seconds"] as const) if (sink.flush[key] !== DEFAULTS.flush[key]) flush[key] = sink.flush[key];
  if (Object.keys(flush).length > 0) entry.flush = flush;
  if (sink.lateness !== DEFAULTS.lateness) entry.lateness = sink.lateness;
  if (sink.maxAhead !== undefined && sink.maxAhead !== DEFAULTS.maxAhead) entry.max_ahead = sink.maxAhead === null ? "off" : sink.maxAhead;
  return entry;
}

/** Writes nested maps and lists of an entry in flow style (`kafka: { topic: t }`), as people write them. */
function compact(node: unknown): void {
  if (!isMap(node)) return;
  for (const pair of node.items) {
    if (isMap(pair.value) || isSeq(pair.value)) (pair.value as Node & { flow?: boolean }).flow = true;
  }
}

/**
 * The front matter block for the model, or null when the file's own block
 * (given as `current`, parsed as `read`) already says the same.
 */
export function writeFrontMatter(notebook: Notebook, current: { raw: string; yaml: string; read: FrontMatter; derivedTitle: string } | null, derivedTitle: string): string | null {
  const titleChanged = notebook.title !== (current?.derivedTitle ?? derivedTitle);
  const read = current?.read ?? { title: null, sources: {}, sinks: {}, sourceNames: [], sinkNames: [] };
  const sections = [
    ["sources", notebook.sources, read.sources, sourceToYaml],
    ["sinks", notebook.sinks, read.sinks, sinkToYaml],
  ] as const;
  const changes = sections.flatMap(([section, model, file, toYaml]) => [
    ...Object.entries(model)
      .filter(([name, spec]) => !sameData(spec, (file as Record<string, unknown>)[name]))
      .map(([name, spec]) => ({ path: [section, name], value: (toYaml as (spec: unknown) => Record<string, unknown>)(spec) })),
    ...Object.keys(file)
      .filter((name) => !Object.hasOwn(model, name))
      .map((name) => ({ path: [section, name], value: undefined })),
  ]);
  if (!titleChanged && changes.length === 0) return null;
  const doc = parseDocument(current?.yaml ?? "");
  // Editing a document the YAML parser could not read would garble it; keep the file's text.
  if (doc.errors.length > 0) return null;
  const open = current ? /^\uFEFF?---[ \t]*\r?\n/.exec(current.raw)![0] : "---\n";
  const titleNode = doc.get("title", true);
  if (titleChanged && changes.length === 0 && current && isScalar(titleNode) && titleNode.range && !/[\r\n]/.test(notebook.title)) {
    // Only the title changed: replace its value in place, every other byte as written.
    const [start, end] = titleNode.range;
    const value = new Document(notebook.title).toString().trimEnd();
    return current.raw.slice(0, open.length + start) + value + current.raw.slice(open.length + end);
  }
  if (titleChanged) doc.set("title", notebook.title);
  for (const change of changes) {
    if (change.value === undefined) {
      doc.deleteIn(change.path);
      continue;
    }
    const node = doc.createNode(change.value);
    compact(node);
    doc.setIn(change.path, node);
  }
  const close = current ? current.raw.slice(open.length + current.yaml.length) : "---\n";
  const eol = open.endsWith("\r\n") ? "\r\n" : "\n";
  const body = doc.contents === null ? "" : doc.toString().replace(/\n/g, eol);
  return `${open}${body}${close}`;
}
