/**
 * JSON access: ->, ->>, json_extract, json_extract_string, json_valid,
 * json_array_length. JSON values are VARCHAR text (values.ts); paths are
 * '$.a.b[0]', '$."a.b"', '$[#-1]', a plain key 'a', or an integer index.
 */
import type { Value } from "../../plan/values.ts";
import { SqlError, type CallContext, type ScalarFn } from "./contract.ts";
import { parseJson, writeJson, writeJsonString, isValidJson, typeOfJson, type Json } from "./json-text.ts";
import { toJsonText } from "./to-json.ts";
import { transformJson } from "./cast.ts";

type Step = { key: string } | { index: number; fromEnd: boolean } | { token: string } | { wild: "members" | "elements" };

const pathCache = new Map<string, Step[]>();

function pathError(path: string, at: string): SqlError {
  return new SqlError("invalid_input", `JSON path error near '${at}'`);
}

/** Parses a DuckDB JSON path text into steps. */
export function parsePath(path: string): Step[] {
  const hit = pathCache.get(path);
  if (hit) return hit;
  let steps: Step[];
  if (path.startsWith("$")) {
    steps = [];
    let i = 1;
    while (i < path.length) {
      const c = path[i];
      if (c === ".") {
        i++;
        if (path[i] === '"') {
          // A quoted key ends at the first unescaped quote; `\"` is a quote and `\\` a backslash
          // in it, any other backslash is itself (DuckDB: `$."a\"b"` reads the key a"b).
          let key = "";
          let end = i + 1;
          for (; end < path.length && path[end] !== '"'; end++) {
            if (path[end] === "\\" && (path[end + 1] === '"' || path[end + 1] === "\\")) end++;
            key += path[end];
          }
          if (end >= path.length) throw pathError(path, path.slice(i - 1));
          if (end === i + 1) throw pathError(path, path.slice(i - 1));
          steps.push({ key });
          i = end + 1;
        } else {
          let end = i;
          while (end < path.length && path[end] !== "." && path[end] !== "[") end++;
          const key = path.slice(i, end);
          if (key.length === 0 && path[i] !== ".") throw pathError(path, path.slice(i - 1));
          // '..' (recursive descent) is a wildcard the executor does not have; '.*' is every member.
          if (key.length === 0) throw new SqlError("not_implemented", `JSON path wildcard '${path}' is not supported by the edge executor`);
          steps.push(key === "*" ? { wild: "members" } : { key });
          i = end;
        }
      } else if (c === "[") {
        const end = path.indexOf("]", i);
        if (end < 0) throw pathError(path, path.slice(i));
        // No spaces inside the brackets: DuckDB's `$[ 1]` is a path error.
        const inner = path.slice(i + 1, end);
        let m: RegExpExecArray | null;
        // `#-0` and `-0` are the first element in DuckDB (not one past the last, as `#` is).
        if ((m = /^#?-(\d+)$/.exec(inner))) steps.push(Number(m[1]) === 0 ? { index: 0, fromEnd: false } : { index: Number(m[1]), fromEnd: true });
        else if (inner === "#") steps.push({ index: 0, fromEnd: true });
        else if (/^\d+$/.test(inner)) steps.push({ index: Number(inner), fromEnd: false });
        else if (inner === "*") steps.push({ wild: "elements" });
        else throw pathError(path, path.slice(i));
        i = end + 1;
      } else {
        throw pathError(path, path.slice(i));
      }
    }
  } else if (path.startsWith("/")) {
    // A JSON pointer (RFC 6901): "/" is the member named "", and "/a/01" no index (a leading zero).
    steps = path.slice(1).split("/").map((p) => {
      const key = p.replaceAll("~1", "/").replaceAll("~0", "~");
      // A JSON pointer token is an object key or, when numeric, also an array index.
      return /^(0|[1-9][0-9]*)$/.test(key) ? { token: key } : { key };
    });
  } else if (path === "") {
    // An empty path is the whole document.
    steps = [];
  } else {
    steps = [{ key: path }];
  }
  // Bounded, as memo.ts's caches are: a path built per row ('$.' || key) must not grow it without end.
  if (pathCache.size >= 256) pathCache.clear();
  pathCache.set(path, steps);
  return steps;
}

/** One step from `cur`: the value there, or undefined when it is not there. */
function step(cur: Json, s: Exclude<Step, { wild: string }>): Json | undefined {
  if ("token" in s) {
    if (cur.t === "arr") return cur.items[Number(s.token)];
    if (cur.t === "obj") return cur.entries.find(([k]) => k === s.token)?.[1];
    return undefined;
  }
  if ("key" in s) return cur.t === "obj" ? cur.entries.find(([k]) => k === s.key)?.[1] : undefined;
  if (cur.t !== "arr") return undefined;
  const i = s.fromEnd ? cur.items.length - s.index : s.index;
  return i >= 0 && i < cur.items.length ? cur.items[i] : undefined;
}

function follow(doc: Json, steps: Step[]): Json | undefined {
  let cur: Json | undefined = doc;
  for (const s of steps) {
    if (cur === undefined) return undefined;
    if ("wild" in s) throw new SqlError("not_implemented", "a JSON path wildcard is supported by json_extract, json_extract_string, -> and ->> only");
    cur = step(cur, s);
  }
  return cur;
}

/** A path with a wildcard ('$[*]', '$.*'): every value it reaches, in document order. */
function followAll(doc: Json, steps: Step[]): Json[] {
  let found: Json[] = [doc];
  for (const s of steps) {
    const next: Json[] = [];
    for (const cur of found) {
      if ("wild" in s) {
        if (s.wild === "elements" && cur.t === "arr") for (const x of cur.items) next.push(x);
        else if (s.wild === "members" && cur.t === "obj") for (const [, v] of cur.entries) next.push(v);
      } else {
        const v = step(cur, s);
        if (v !== undefined) next.push(v);
      }
    }
    found = next;
  }
  return found;
}

function hasWildcard(steps: Step[]): boolean {
  return steps.some((s) => "wild" in s);
}

function stepsOf(path: Value, type: string | undefined): Step[] {
  if (typeof path === "number" || typeof path === "bigint") {
    const n = Number(path);
    return [n < 0 ? { index: -n, fromEnd: true } : { index: n, fromEnd: false }];
  }
  if (typeof path !== "string") throw new SqlError("invalid_input", `JSON path of type ${type ?? "unknown"} is not supported`);
  return parsePath(path);
}

// No document yet: an empty text must be parsed (DuckDB's error), never taken for a cached `null`.
const docCache: { text: string | null; doc: Json } = { text: null, doc: { t: "null" } };

function parseDoc(text: string): Json {
  // A row usually applies several paths to the same document.
  if (docCache.text !== text) {
    docCache.doc = parseJson(text);
    docCache.text = text;
  }
  return docCache.doc;
}

/** json_extract / -> : the JSON text at path, or NULL when absent. */
export const jsonExtract: ScalarFn = (args: Value[], ctx: CallContext) => {
  const [doc, path] = args;
  if (doc === null || doc === undefined || path === null || path === undefined) return null;
  // A list of paths answers a list: each path's value (NULL where there is none).
  if (Array.isArray(path)) return path.map((p) => (p === null ? null : jsonExtract([doc, p], { ...ctx, argTypes: [ctx.argTypes[0]!, "VARCHAR"] })));
  const steps = stepsOf(path, ctx.argTypes[1]);
  // A wildcard path answers a list of every match (JSON[]), JSON null as the text null.
  if (hasWildcard(steps)) return followAll(parseDoc(doc as string), steps).map(writeJson);
  const found = follow(parseDoc(doc as string), steps);
  return found === undefined ? null : writeJson(found);
};

/** json_extract_string / ->> : strings unquoted, JSON null as NULL, other values as JSON text. */
export const jsonExtractString: ScalarFn = (args: Value[], ctx: CallContext) => {
  const [doc, path] = args;
  if (doc === null || doc === undefined || path === null || path === undefined) return null;
  if (Array.isArray(path)) return path.map((p) => (p === null ? null : jsonExtractString([doc, p], { ...ctx, argTypes: [ctx.argTypes[0]!, "VARCHAR"] })));
  const steps = stepsOf(path, ctx.argTypes[1]);
  if (hasWildcard(steps)) return followAll(parseDoc(doc as string), steps).map(unquoted);
  const found = follow(parseDoc(doc as string), steps);
  return found === undefined ? null : unquoted(found);
};

/** A JSON value as json_extract_string gives it: strings unquoted, null as NULL, the rest as JSON text. */
function unquoted(found: Json): string | null {
  if (found.t === "null") return null;
  return found.t === "str" ? found.v : writeJson(found);
}

export const jsonValid: ScalarFn = ([doc]) => (doc === null || doc === undefined ? null : isValidJson(doc as string));

/**
 * `json_fn(doc[, path])`: `one` of the value at the path (null for a path not there); NULL for a
 * NULL document or path. A wildcard path answers a list, `one` of every value it reaches.
 */
function atPath(args: Value[], ctx: CallContext, one: (j: Json | null) => Value): Value {
  const [doc, path] = args;
  if (doc === null || doc === undefined || path === null) return null;
  const root = parseDoc(doc as string);
  if (path === undefined) return one(root);
  const steps = stepsOf(path, ctx.argTypes[1]);
  if (hasWildcard(steps)) return followAll(root, steps).map(one);
  return one(follow(root, steps) ?? null);
}

export const jsonArrayLength: ScalarFn = (args, ctx) => atPath(args, ctx, (j) => (j === null ? null : BigInt(j.t === "arr" ? j.items.length : 0)));

/** json_keys(json[, path]): an object's keys in document order; [] for anything else; NULL for a NULL document or a missing path. */
export const jsonKeys: ScalarFn = (args, ctx) => atPath(args, ctx, (j) => (j === null ? null : j.t === "obj" ? j.entries.map(([k]) => k) : []));

export const jsonType: ScalarFn = (args, ctx) => atPath(args, ctx, typeOfJson);

const toJson: ScalarFn = ([v], ctx) => (v === null || v === undefined ? null : toJsonText(v, ctx.argTypes[0] ?? "VARCHAR"));

/** json_object(k1, v1, ...): the pairs in order (duplicates kept), a NULL value as null, a pair with a NULL key left out. */
const jsonObject: ScalarFn = (args, ctx) => {
  const parts: string[] = [];
  for (let i = 0; i + 1 < args.length; i += 2) {
    const k = args[i];
    if (k === null || k === undefined) continue;
    parts.push(`${writeJsonString(String(k))}:${toJsonText(args[i + 1] ?? null, ctx.argTypes[i + 1] ?? "VARCHAR")}`);
  }
  return `{${parts.join(",")}}`;
};

/** json_array(v1, ...): every argument, NULL as null. */
const jsonArray: ScalarFn = (args, ctx) => `[${args.map((v, i) => toJsonText(v ?? null, ctx.argTypes[i] ?? "VARCHAR")).join(",")}]`;

/** json_value(json, path): the scalar at path as JSON text; NULL for an array, an object, null or a missing path. */
const jsonValue: ScalarFn = (args, ctx) => atPath(args, ctx, (j) => (j === null || j.t === "arr" || j.t === "obj" || j.t === "null" ? null : writeJson(j)));

/** json_exists(json, path): whether the path is there (a JSON null counts). */
const jsonExists: ScalarFn = (args, ctx) => {
  if (args[1] === undefined) return null;
  return atPath(args, ctx, (j) => j !== null);
};

/**
 * json_transform(json, structure) and from_json: the document parsed (DuckDB's Invalid Input
 * error when it is not JSON) and brought to the structure's type, the call's result type
 * (`transformJson`): a value that does not fit is NULL where it stands, a key the structure
 * lacks is ignored, keys match case-sensitively.
 */
const jsonTransform: ScalarFn = ([doc], ctx) => (doc === null || doc === undefined ? null : transformJson(doc as string, ctx.resultType));

export const jsonScalars: Record<string, ScalarFn> = {
  json_transform: jsonTransform,
  from_json: jsonTransform,
  "->": jsonExtract,
  "->>": jsonExtractString,
  json_extract: jsonExtract,
  json_extract_path: jsonExtract,
  json_extract_string: jsonExtractString,
  json_extract_path_text: jsonExtractString,
  json_valid: jsonValid,
  // json(text): the document checked and minified (DuckDB's Invalid Input error when it is not JSON).
  json: ([doc]) => (doc === null || doc === undefined ? null : writeJson(parseJson(doc as string))),
  json_array_length: jsonArrayLength,
  json_keys: jsonKeys,
  json_type: jsonType,
  to_json: toJson,
  json_quote: toJson,
  json_object: jsonObject,
  json_array: jsonArray,
  json_value: jsonValue,
  json_exists: jsonExists,
};
