/**
 * Reads the YAML front matter into titles, sources and sinks, with every
 * problem placed on the YAML line and column it comes from.
 */
import { isMap, isScalar, isSeq, parseDocument, type Document, type Node } from "yaml";
import type { z } from "zod";
import type { NotebookIssue, SinkSpec, SourceSpec } from "./model.ts";
import type { LineIndex } from "./position.ts";
import { NAME, SINK_KINDS, SOURCE_KINDS, sinkEntry, sourceEntry, toSink, toSource } from "./schema.ts";
import { issueAt } from "./issue.ts";
import { didYouMean } from "./suggest.ts";
import { describeIssue, pathText, typeName, type Path } from "./issue-text.ts";

export interface FrontMatter {
  title: string | null;
  sources: Record<string, SourceSpec>;
  sinks: Record<string, SinkSpec>;
  /** Every name under `sources:`/`sinks:`, valid or not, so one bad entry does not make its users' references fail too. */
  sourceNames: string[];
  sinkNames: string[];
}

const TOP_KEYS = ["title", "sources", "sinks"];

/** Key names that hold credentials elsewhere (S3 keys, API tokens): their values must not be in the file. */
const SECRET_KEY = /secret|token|passw|api_?key|access_?key|credential|private_?key/i;
/** Folders runnel writes beside the sinks' own: dead letters, local runs' checkpoints, backfills' notes. */
const RESERVED_SINKS = new Set(["_errors", "_runs", "_backfills"]);
const SECRET_ADVICE = "set it in the environment (webhooks name it with secret: ENV_NAME; S3 and R2 take credentials from the environment)";

/** The keys each object in the front matter accepts, for "unknown key" messages. */
const KEYS: Record<string, string[]> = {
  source: [...SOURCE_KINDS, "format", "avro", "sample_size"],
  "source.kafka": ["topic", "brokers", "metadata"],
  "source.avro": ["schema", "registry", "schema_id", "framing"],
  "source.webhook": ["path", "signature", "secret", "delivery_header", "metadata", "headers"],
  "source.http": ["url", "interval"],
  "source.demo": ["generator", "rate", "seed"],
  sink: [...SINK_KINDS, "partition_by", "flush", "lateness", "max_ahead"],
  "sink.s3": ["bucket", "prefix", "endpoint", "region"],
  "sink.r2": ["binding", "prefix"],
  "sink.fs": ["dir", "prefix"],
  "sink.flush": ["rows", "bytes", "seconds"],
};


interface Located {
  /** The deepest node the path reaches, and the key that names it. */
  value: Node | null;
  key: Node | null;
  /** How many path steps were found. */
  depth: number;
}

function scalarKey(node: unknown): string | null {
  return isScalar(node) ? String(node.value) : null;
}

function locate(doc: Document, path: Path): Located {
  let value = doc.contents as Node | null;
  let key: Node | null = null;
  let depth = 0;
  for (const step of path) {
    if (isMap(value)) {
      const pair = value.items.find((item) => scalarKey(item.key) === String(step));
      if (!pair) break;
      key = pair.key as Node;
      value = (pair.value as Node | null) ?? null;
    } else if (isSeq(value) && typeof step === "number" && value.items[step]) {
      value = value.items[step] as Node;
    } else {
      break;
    }
    depth++;
  }
  return { value, key, depth };
}

/**
 * Reads the front matter's YAML (which starts at offset `base` of the file)
 * into title, sources and sinks, each problem placed at its YAML key or value.
 */
export function readFrontMatter(yaml: string, base: number, lines: LineIndex, file: string): { frontMatter: FrontMatter; issues: NotebookIssue[] } {
  const yamlIssues: NotebookIssue[] = [];
  const issues: NotebookIssue[] = [];
  const frontMatter: FrontMatter = { title: null, sources: {}, sinks: {}, sourceNames: [], sinkNames: [] };
  const doc = parseDocument(yaml, { prettyErrors: false, uniqueKeys: true });
  const at = (node: Node | null | undefined) => lines.at(base + (node?.range?.[0] ?? 0));
  for (const error of doc.errors) {
    yamlIssues.push(issueAt(file, lines.at(base + error.pos[0]), `front matter is not valid YAML: ${error.message}`));
  }
  // After a syntax error the data is a guess; its validation problems would be noise.
  const done = () => ({ frontMatter, issues: yamlIssues.length > 0 ? yamlIssues : issues });
  const root = doc.contents as Node | null;
  if (root === null || (isScalar(root) && root.value === null)) return done();
  if (!isMap(root)) {
    issues.push(issueAt(file, at(root), "front matter must be a map with title:, sources: and sinks:"));
    return done();
  }
  const data = (doc.toJS() ?? {}) as Record<string, unknown>;

  for (const pair of root.items) {
    const key = scalarKey(pair.key);
    if (key !== null && !TOP_KEYS.includes(key)) {
      const hint = SECRET_KEY.test(key) ? `secrets are never written in the notebook: ${SECRET_ADVICE}` : "expected title, sources or sinks";
      issues.push(issueAt(file, at(pair.key as Node), `unknown front matter key '${key}'${didYouMean(key, TOP_KEYS)}; ${hint}`));
    }
  }

  const report = (path: Path, issue: z.core.$ZodIssue, kind: "source" | "sink") => {
    const full = [...path, ...issue.path];
    if (issue.code === "unrecognized_keys") {
      const allowed = KEYS[[kind, ...issue.path.filter((step) => typeof step === "string")].join(".")] ?? [];
      const { value } = locate(doc, full);
      for (const name of issue.keys) {
        const keyNode = isMap(value) ? (value.items.find((item) => scalarKey(item.key) === name)?.key as Node | undefined) : undefined;
        const hint = SECRET_KEY.test(name) ? `; secrets are never written in the notebook: ${SECRET_ADVICE}` : `; expected ${allowed.join(", ")}`;
        issues.push(issueAt(file, at(keyNode ?? value), `${pathText(full)}: unknown key '${name}'${didYouMean(name, allowed)}${hint}`));
      }
      return;
    }
    const found = locate(doc, full);
    const missing = found.depth < full.length;
    // A whole map or list is shown by the key that names it; a scalar by its value.
    const place = (missing && !isScalar(found.value)) || isMap(found.value) || isSeq(found.value) ? (found.key ?? found.value) : found.value ?? found.key;
    issues.push(issueAt(file, at(place), describeIssue(full, issue, missing)));
  };

  if (data.title !== undefined && data.title !== null) {
    // `title: 1984` is a title too.
    if (typeof data.title === "string" || typeof data.title === "number" || typeof data.title === "boolean") frontMatter.title = String(data.title);
    else issues.push(issueAt(file, at(locate(doc, ["title"]).value), `title: expected a string, found ${typeName(data.title)}`));
  }

  const entries = (section: "sources" | "sinks") => {
    const value = data[section];
    if (value === undefined || value === null) return [];
    if (typeof value !== "object" || Array.isArray(value)) {
      issues.push(issueAt(file, at(locate(doc, [section]).value), `${section}: expected a map from ${section === "sources" ? "source" : "sink"} names to their settings, found ${typeName(value)}`));
      return [];
    }
    return Object.entries(value as Record<string, unknown>).filter(([name]) => {
      // `sources.__proto__` matches NAME, but assigning it replaces the map's prototype: the source vanished without an issue.
      if (name === "__proto__") {
        issues.push(issueAt(file, at(locate(doc, [section, name]).key), `${section}.__proto__: '__proto__' cannot name a ${section === "sources" ? "source" : "sink"}; rename it`));
        return false;
      }
      // A sink's objects go under `<prefix><sink>/`, beside the folders runnel keeps there itself: a sink named like one
      // wrote its Parquet among dead letters or run notes, which the readers of those folders skip or delete.
      if (section === "sinks" && RESERVED_SINKS.has(name.toLowerCase())) {
        issues.push(issueAt(file, at(locate(doc, [section, name]).key), `sinks.${name}: '${name}' names a folder runnel keeps beside the sinks' (${[...RESERVED_SINKS].join(", ")}); rename the sink`));
        return false;
      }
      if (NAME.test(name)) return true;
      issues.push(issueAt(file, at(locate(doc, [section, name]).key), `${section}.${name}: '${name}' is not a name SQL can use unquoted; expected letters, digits and _ (not starting with a digit)`));
      return false;
    });
  };

  for (const [name, value] of entries("sources")) {
    frontMatter.sourceNames.push(name);
    const parsed = sourceEntry.safeParse(value, { reportInput: true });
    if (parsed.success) frontMatter.sources[name] = toSource(name, parsed.data);
    else for (const issue of parsed.error.issues) report(["sources", name], issue, "source");
  }
  for (const [name, value] of entries("sinks")) {
    frontMatter.sinkNames.push(name);
    const parsed = sinkEntry.safeParse(value, { reportInput: true });
    if (parsed.success) frontMatter.sinks[name] = toSink(name, parsed.data);
    else for (const issue of parsed.error.issues) report(["sinks", name], issue, "sink");
  }
  return done();
}
