import { Document, isMap, isScalar, isSeq, type Node, parseDocument, type YAMLMap } from "yaml";

/**
 * The front matter's YAML with source `name`'s entry replaced by `entry` (added after the last
 * source when it has none, taken out when `entry` is null), every other byte as written. The
 * notebook's writer re-prints the whole YAML document from its parse, which kept comments but not
 * the file's spelling: `partition_by: [day]` came back `[ day ]` in every sink, for one source's
 * rate changed on the page. Null when the text is not laid out so (`sources:` absent, written in
 * flow style, or the YAML not readable), and the writer is used.
 */
export function spliceSourceEntry(yaml: string, name: string, entry: Record<string, unknown> | null, previous: Record<string, unknown> | null = null): string | null {
  return spliceEntry(yaml, "sources", name, entry, previous);
}

/**
 * `spliceSourceEntry` for sink `name` under `sinks:`. A front matter with no `sinks:` key yet gets
 * one, with the entry, after the YAML's last line (the sources and comments above it as written).
 */
export function spliceSinkEntry(yaml: string, name: string, entry: Record<string, unknown> | null, previous: Record<string, unknown> | null = null): string | null {
  const spliced = spliceEntry(yaml, "sinks", name, entry, previous, true);
  if (spliced !== null || entry === null) return spliced;
  const doc = parseDocument(yaml);
  if (doc.errors.length > 0 || !isMap(doc.contents) || doc.contents.flow === true) return null;
  const eol = yaml.includes("\r\n") ? "\r\n" : "\n";
  if (doc.has("sinks")) {
    // `sinks:` with nothing under it (its last entry removed from the page): the entry goes on the next line.
    const pair = doc.contents.items.find((p) => isScalar(p.key) && p.key.value === "sinks");
    const value = pair?.value;
    if (pair === undefined || !isScalar(pair.key) || pair.key.range == null || !(value === null || (isScalar(value) && value.value === null))) return null;
    const start = lineStart(yaml, pair.key.range[0]);
    const newline = yaml.indexOf("\n", start);
    const line = yaml.slice(start, newline < 0 ? undefined : newline).replace(/\r$/, "");
    if (!/^sinks:\s*(#.*)?$/.test(line)) return null;
    const after = newline < 0 ? yaml.length : newline + 1;
    return (newline < 0 ? yaml + eol : yaml.slice(0, after)) + entryText(name, entry, 2, eol, "", true) + yaml.slice(after);
  }
  const body = yaml === "" || /\n$/.test(yaml) ? yaml : yaml + eol;
  return `${body}sinks:${eol}${entryText(name, entry, 2, eol, "", true)}`;
}

/**
 * The front matter's YAML with sink `from`'s key spelled `to`, every other byte as written (its
 * entry, a comment on its line, the other sinks), in block or flow style. Null when `sinks:` has no
 * such key or the YAML is not readable.
 */
export function renameSinkKey(yaml: string, from: string, to: string): string | null {
  const doc = parseDocument(yaml);
  if (doc.errors.length > 0 || !isMap(doc.contents)) return null;
  const sinks = doc.get("sinks", true);
  if (!isMap(sinks)) return null;
  const pair = sinks.items.find((p) => isScalar(p.key) && String(p.key.value) === from);
  if (pair === undefined || !isScalar(pair.key) || pair.key.range == null) return null;
  const [start, end] = pair.key.range;
  return yaml.slice(0, start) + new Document(to).toString().trimEnd() + yaml.slice(end);
}

function spliceEntry(yaml: string, section: "sources" | "sinks", name: string, entry: Record<string, unknown> | null, previous: Record<string, unknown> | null, lists = false): string | null {
  const doc = parseDocument(yaml);
  if (doc.errors.length > 0 || !isMap(doc.contents)) return null;
  const sources = doc.get(section, true);
  if (!isMap(sources) || sources.flow === true || sources.range == null || sources.items.length === 0) return null;
  const starts: number[] = [];
  for (const pair of sources.items) {
    if (!isScalar(pair.key) || pair.key.range == null) return null;
    starts.push(lineStart(yaml, pair.key.range[0]));
  }
  const end = sources.range[2];
  // The entries' lines run from one key's line to the next key's, the last to the map's end, which must end a line.
  if (end !== yaml.length && yaml[end - 1] !== "\n") return null;
  const index = sources.items.findIndex((pair) => isScalar(pair.key) && String(pair.key.value) === name);
  const first = sources.items[0]!.key as Node;
  const indent = first.range![0] - starts[0]!;
  const eol = yaml.includes("\r\n") ? "\r\n" : "\n";
  if (index < 0) {
    if (entry === null) return null;
    return yaml.slice(0, end) + entryText(name, entry, indent, eol, "", lists) + yaml.slice(end);
  }
  const from = starts[index]!;
  // Comment and blank lines just above the next entry (at most at the entries' indent) introduce that entry: they stay.
  const to = index + 1 < starts.length ? leadingTrivia(yaml, from, starts[index + 1]!, indent) : end;
  if (entry === null) return yaml.slice(0, from) + yaml.slice(to);
  // Only the entry's keys whose value changed (`demo:` for a new rate) are rewritten, when the file's entry is a block map.
  const value = sources.items[index]!.value;
  if (previous !== null && isMap(value) && value.flow !== true) {
    const inner = spliceKeys(yaml, value, to, previous, entry, eol, lists);
    if (inner !== null) return inner;
  }
  // A comment on the key's line (`trips:   # the demo stream`) stays with it.
  const keyLine = yaml.slice(from, yaml.indexOf("\n", from) < 0 ? undefined : yaml.indexOf("\n", from)).replace(/\r$/, "");
  const comment = /^\s*[^#\s][^#]*?:(\s+#.*)$/.exec(keyLine)?.[1] ?? "";
  return yaml.slice(0, from) + entryText(name, entry, indent, eol, comment, lists) + yaml.slice(to);
}

/**
 * The entry's map with each key whose value differs between `previous` and `entry` (both as the
 * writer writes them) written anew, each key gone from `entry` taken out and each new one added at
 * the end; the other keys' lines as written. Null when the map is not laid out one key per line.
 */
function spliceKeys(yaml: string, map: YAMLMap, end: number, previous: Record<string, unknown>, entry: Record<string, unknown>, eol: string, lists: boolean): string | null {
  const starts: number[] = [];
  const keys: string[] = [];
  for (const pair of map.items) {
    if (!isScalar(pair.key) || pair.key.range == null) return null;
    const start = lineStart(yaml, pair.key.range[0]);
    // Another key on the same line (or the first key on the entry's own line) is not a layout this can edit.
    if (yaml.slice(start, pair.key.range[0]).trim() !== "" || starts.includes(start)) return null;
    starts.push(start);
    keys.push(String(pair.key.value));
  }
  if (starts.length === 0) return null;
  const indent = (map.items[0]!.key as Node).range![0] - starts[0]!;
  const same = (key: string) => JSON.stringify(previous[key]) === JSON.stringify(entry[key]);
  let at = starts[0]!;
  let out = yaml.slice(0, at);
  keys.forEach((key, i) => {
    const to = i + 1 < starts.length ? starts[i + 1]! : end;
    // An unchanged key keeps its lines, and so does one the writer leaves out both times (`format: json`
    // written out though it is the default); one the entry no longer has is left out.
    if (same(key)) out += yaml.slice(at, to);
    else if (Object.hasOwn(entry, key) && entry[key] !== undefined) out += keyText(key, entry[key], indent, eol, lists);
    at = to;
  });
  for (const key of Object.keys(entry)) if (!keys.includes(key) && entry[key] !== undefined) out += keyText(key, entry[key], indent, eol, lists);
  return out + yaml.slice(end);
}

/** `key: value` at `indent`, a map or list in flow style (`lists`: a list of scalars as `[day, hour]`, as a sink's `partition_by` is written). */
function keyText(key: string, value: unknown, indent: number, eol: string, lists = false): string {
  if (lists && scalarList(value)) return `${" ".repeat(indent)}${new Document(key).toString().trimEnd()}: ${scalarList(value)}${eol}`;
  const doc = new Document({ [key]: value });
  if (isMap(doc.contents)) for (const pair of doc.contents.items) if (isMap(pair.value) || isSeq(pair.value)) pair.value.flow = true;
  const pad = " ".repeat(indent);
  return doc
    .toString()
    .trimEnd()
    .split("\n")
    .map((line) => `${pad}${line}`)
    .join(eol) + eol;
}

function lineStart(text: string, offset: number): number {
  return text.lastIndexOf("\n", offset - 1) + 1;
}

/** `[a, b]` for a list of scalars (the yaml writer pads it, `[ a, b ]`), else null. */
function scalarList(value: unknown): string | null {
  if (!Array.isArray(value) || value.some((v) => typeof v === "object" && v !== null)) return null;
  const items = value.map((v) => new Document(v).toString().trimEnd());
  // An item that is not a plain word as written would need flow-style quoting: the writer's spelling then.
  return items.every((item) => /^[A-Za-z0-9_.-]+$/.test(item)) ? `[${items.join(", ")}]` : null;
}

/** `name:` and the entry under it, nested maps and lists in flow style (`kafka: { topic: t }`), as the writer writes a new entry. */
function entryText(name: string, entry: Record<string, unknown>, indent: number, eol: string, comment: string, lists = false): string {
  if (lists) {
    const pad = " ".repeat(indent);
    const key = new Document(name).toString().trimEnd();
    return `${pad}${key}:${comment}${eol}` + Object.entries(entry).filter(([, v]) => v !== undefined).map(([k, v]) => keyText(k, v, indent + 2, eol, true)).join("");
  }
  const doc = new Document(entry);
  if (isMap(doc.contents)) {
    for (const pair of doc.contents.items) if (isMap(pair.value) || isSeq(pair.value)) pair.value.flow = true;
  }
  const key = new Document(name).toString().trimEnd();
  const pad = " ".repeat(indent);
  const body = doc
    .toString()
    .trimEnd()
    .split("\n")
    .map((line) => `${pad}  ${line}`);
  return [`${pad}${key}:${comment}`, ...body].join(eol) + eol;
}

/** `to` moved back over the blank lines and the comments indented at most `indent` that end just before it. */
function leadingTrivia(yaml: string, from: number, to: number, indent: number): number {
  let at = to;
  while (at > from) {
    const start = lineStart(yaml, at - 1);
    if (start <= from) break;
    const line = yaml.slice(start, at).replace(/\r?\n$/, "");
    const comment = /^(\s*)#/.exec(line);
    if (line.trim() !== "" && (comment === null || comment[1]!.length > indent)) break;
    at = start;
  }
  return at;
}
