/**
 * The writer schemas of a Schema Registry (`avro.registry`), looked up by the id in each value's
 * Confluent header with Confluent's API (`GET <base>/schemas/ids/<id>`, schemas it references by
 * `GET <base>/subjects/<subject>/versions/<version>`), each id once per source: a registry never
 * changes what an id names. A schema whose id is no Avro is kept as the reason its values are dead
 * letters; an id the registry does not know (its 40403) is too, but asked again once it is
 * `UNKNOWN_AGAIN_MS` old (doubling while still unknown, up to `UNKNOWN_AGAIN_MAX_MS`): a producer
 * whose serializer registers the schema as it sends races its first value, and a schema registered
 * a moment late must not letter that id's values until a restart. A registry that cannot be asked
 * (refused, timed out, 5xx, refused credentials, no registry at that URL, an answer past
 * `MAX_ANSWER_BYTES`) is an error naming the URL, never its credentials, so no value is lettered for
 * an outage. At most `IN_FLIGHT` requests go to one registry at once, whatever ids a batch holds.
 */
import type avro from "avsc";
import { avroType } from "./avro.ts";

/** A value's writer schema, or why its values cannot be read. */
export type WriterSchema = { type: avro.Type; name: string } | { error: string };

/** Looks a schema id up; `load` first, then `get` answers for every id loaded. */
export interface SchemaRegistry {
  /** The registry's URL as messages show it: never its credentials. */
  readonly shown: string;
  get(id: number): WriterSchema | undefined;
  /** Asks the registry for the ids not known yet. Rejects when it cannot be asked. */
  load(ids: Iterable<number>): Promise<void>;
}

export interface RegistryOptions {
  env?: Record<string, string | undefined>;
  fetch?: typeof fetch;
  /** Milliseconds one request may take. */
  timeoutMs?: number;
  /** The clock (milliseconds), for when an unknown id is asked again. */
  now?: () => number;
  /** How many unknown ids are remembered (`MAX_UNKNOWN_IDS`). */
  maxUnknownIds?: number;
}

/** Attempts of a request the registry may answer on a second try (refused, timed out, 5xx, 429). */
const ATTEMPTS = 3;
/** Schemas a schema may reference, directly or not: a cycle or a runaway chain stops here. */
const MAX_REFERENCES = 100;
/**
 * Bytes one answer may take. A schema's JSON is rarely past 100 KiB (one of thousands of fields with
 * docs is about 1 MiB); Confluent's own client reads whatever comes. Past this it is no schema but a
 * URL pointing at something else (a file server, a log stream), and reading it whole would take the
 * memory of the gateway or runner.
 */
export const MAX_ANSWER_BYTES = 4 * 1024 * 1024;
/** Requests one registry is asked at once: a batch of many new ids waits its turn, as Confluent's client asks one at a time. */
export const IN_FLIGHT = 4;
/** How soon an id the registry did not know is asked again; each answer "still unknown" doubles it, up to `UNKNOWN_AGAIN_MAX_MS`. */
export const UNKNOWN_AGAIN_MS = 5_000;
export const UNKNOWN_AGAIN_MAX_MS = 60_000;
/**
 * How many ids the registry did not know are remembered: past it the ones longest unseen are forgotten
 * (asked again should they come back), so a topic of garbage headers does not grow the runner's memory
 * for ever. An id a batch loaded within `UNKNOWN_AGAIN_MAX_MS` is kept whatever the count: another
 * partition's batch may be loading while that batch decodes. Schemas the registry knows are kept, as a
 * registry holds a bounded number of them.
 */
export const MAX_UNKNOWN_IDS = 10_000;
/** The longest a registry's `Retry-After` (a rate limit, as Confluent Cloud's 429) is waited for before asking again. */
const MAX_RETRY_AFTER_MS = 10_000;
/** Redirects one request follows. */
const MAX_REDIRECTS = 5;
/** Characters of a registry's own words an error quotes (an HTML error page is no message). */
const QUOTED = 200;

/** Why a registry could not be asked: the source cannot be read until it can. */
export class RegistryUnavailable extends Error {}

/**
 * The registry `ref` names (`avro.registry`: a URL, or an environment variable holding one, with
 * credentials when it needs them) for source `source`. Throws when the variable is not set or holds no URL.
 */
export function openSchemaRegistry(ref: string, source: string, options: RegistryOptions = {}): SchemaRegistry {
  const env = options.env ?? process.env;
  const fetchImpl = options.fetch ?? fetch;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const entry = `sources.${source}.avro.registry`;
  const fromEnv = /^[A-Z][A-Z0-9_]*$/.test(ref);
  const text = fromEnv ? env[ref] : ref;
  if (text === undefined || text.trim() === "") throw new Error(`avro: ${entry} names the environment variable ${ref}, which is not set; set it to the Schema Registry's URL (https://KEY:SECRET@host when it needs credentials)`);
  const holds = fromEnv ? `the environment variable ${ref} holds` : "found";
  // A key or secret holding / ? # : @ or % breaks the URL apart unless percent-encoded (Confluent Cloud's secrets hold / and +).
  const encode = "write / ? # @ : % in the key or secret percent-encoded (%2F %3F %23 %40 %3A %25)";
  let url: URL;
  try {
    url = new URL(text.trim());
  } catch (error) {
    if (!(error instanceof TypeError)) throw error;
    // Not its cause: the TypeError carries the text (`input`), credentials and all, into any log of it.
    throw new Error(`avro: ${entry}: ${fromEnv ? `the environment variable ${ref} holds no URL` : "found no URL"}; set it to the Schema Registry's URL, such as https://KEY:SECRET@host, and ${encode}`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") throw new Error(`avro: ${entry}: ${holds} a ${url.protocol} URL; a Schema Registry is reached over http:// or https://`);
  // Each request's path follows the base URL's: a query or fragment would swallow it.
  if (url.search !== "" || url.hash !== "") throw new Error(`avro: ${entry}: ${holds} a URL with a ${url.search !== "" ? "query (?…)" : "fragment (#…)"}; a Schema Registry's base URL has none (if it is part of the secret, ${encode})`);
  // fetch takes no credentials in a URL: they go as HTTP Basic authentication, as Confluent's clients send them.
  let auth: string | null = null;
  if (url.username || url.password) {
    try {
      auth = `Basic ${Buffer.from(`${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`).toString("base64")}`;
    } catch (error) {
      if (!(error instanceof URIError)) throw error;
      throw new Error(`avro: ${entry}: ${holds} a URL whose key or secret has a % that starts no percent-encoding; ${encode}`);
    }
  }
  url.username = "";
  url.password = "";
  const base = url.href.replace(/\/+$/, "");
  const shown = fromEnv ? `${base} (from ${ref})` : base;
  const now = options.now ?? Date.now;
  /** Each id's schema, and for an id the registry did not know, when and how soon it is asked again. */
  const known = new Map<number, { schema: WriterSchema; again?: { at: number; wait: number } }>();
  const asking = new Map<number, Promise<void>>();
  /** The ids in `known` the registry did not know, and when a batch last loaded each: longest unseen first. */
  const unknownIds = new Map<number, number>();
  const maxUnknown = options.maxUnknownIds ?? MAX_UNKNOWN_IDS;
  let inFlight = 0;
  const waiting: (() => void)[] = [];
  const acquire = (): Promise<void> | void => {
    if (inFlight < IN_FLIGHT) return void inFlight++;
    return new Promise<void>((turn) => waiting.push(turn));
  };
  // A freed slot passes straight to the next request waiting, so the count never dips below what runs.
  const release = () => {
    const next = waiting.shift();
    if (next) next();
    else inFlight--;
  };

  /**
   * One request and its whole answer, redirects followed (credentials only to the registry's own host,
   * or its https upgrade: fetch would drop them and the registry answer 401). Rejects with a
   * RegistryUnavailable when the answer is past `MAX_ANSWER_BYTES`, or redirected where credentials are not sent.
   */
  const request = async (path: string, what: string): Promise<{ response: Response; body: string }> => {
    let target = new URL(`${base}${path}`);
    for (let hop = 0; ; hop++) {
      const headers: Record<string, string> = { accept: "application/vnd.schemaregistry.v1+json, application/vnd.schemaregistry+json, application/json" };
      if (auth !== null) headers.authorization = auth;
      const response = await fetchImpl(target.href, { headers, redirect: "manual", signal: AbortSignal.timeout(timeoutMs) });
      const location = response.status >= 300 && response.status < 400 ? response.headers.get("location") : null;
      if (location === null) return { response, body: await answerText(response, target) };
      await response.body?.cancel();
      const next = new URL(location, target);
      next.username = "";
      next.password = "";
      const shownNext = next.href;
      if (hop + 1 > MAX_REDIRECTS) throw new RegistryUnavailable(`avro: cannot look up ${what} in the Schema Registry at ${shown} (${entry}): more than ${MAX_REDIRECTS} redirects (the last to ${shownNext})`);
      if (next.protocol !== "http:" && next.protocol !== "https:") throw new RegistryUnavailable(`avro: cannot look up ${what} in the Schema Registry at ${shown} (${entry}): GET ${target.href} was redirected to a ${next.protocol} URL`);
      // The registry's own host (any port: http's upgrade to https changes it), never downgraded to http.
      if (auth !== null && next.hostname !== url.hostname) {
        throw new RegistryUnavailable(`avro: cannot look up ${what} in the Schema Registry at ${shown} (${entry}): GET ${target.href} was redirected to ${shownNext}, another host, and the registry's credentials are sent only to its own; if that is the registry, set ${fromEnv ? ref : entry} to its URL`);
      }
      if (auth !== null && url.protocol === "https:" && next.protocol === "http:") {
        throw new RegistryUnavailable(`avro: cannot look up ${what} in the Schema Registry at ${shown} (${entry}): GET ${target.href} was redirected to ${shownNext}, plain http, and the registry's credentials are not sent unencrypted`);
      }
      target = next;
    }
  };

  /** An answer's text, read no further than `MAX_ANSWER_BYTES`. */
  const answerText = async (response: Response, target: URL): Promise<string> => {
    const tooBig = () => new RegistryUnavailable(`avro: the Schema Registry at ${shown} (${entry}) answered GET ${target.href} with more than ${MAX_ANSWER_BYTES / 1024 / 1024} MiB, and a schema is far smaller; is that the registry's base URL?`);
    const declared = Number(response.headers.get("content-length") ?? NaN);
    if (declared > MAX_ANSWER_BYTES) {
      await response.body?.cancel();
      throw tooBig();
    }
    if (response.body === null) return "";
    const reader = response.body.getReader();
    const chunks: Uint8Array[] = [];
    let size = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > MAX_ANSWER_BYTES) {
        await reader.cancel();
        throw tooBig();
      }
      chunks.push(value);
    }
    return Buffer.concat(chunks).toString("utf8");
  };

  /** One GET of the registry: its JSON, or Confluent's "not found" (`error_code` 40403, 40401, 40402) with what it said. */
  const get = async (path: string, what: string): Promise<{ found: true; body: unknown } | { found: false; said: string }> => {
    let last = "";
    for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
      let response: Response;
      let body: string;
      await acquire();
      try {
        // The body is part of the answer: one that stalls or breaks off after its headers is an outage
        // too (it was thrown past this, and a reference's became its id's dead-letter reason for good).
        ({ response, body } = await request(path, what));
      } catch (error) {
        if (error instanceof RegistryUnavailable || !(error instanceof Error)) throw error;
        const cause = (error as { cause?: { code?: string; message?: string } }).cause;
        last = error.name === "TimeoutError" ? `no answer within ${timeoutMs / 1000} s` : cause?.code ?? cause?.message ?? error.message;
        if (attempt < ATTEMPTS) await new Promise((wake) => setTimeout(wake, 250 * attempt));
        continue;
      } finally {
        release();
      }
      let json: unknown;
      try {
        json = JSON.parse(body);
      } catch (error) {
        if (!(error instanceof SyntaxError)) throw error;
        json = undefined;
      }
      const code = typeof json === "object" && json !== null ? (json as { error_code?: unknown }).error_code : undefined;
      const said = typeof json === "object" && json !== null && typeof (json as { message?: unknown }).message === "string" ? (json as { message: string }).message : body;
      const message = quoted(said);
      if (response.ok) {
        if (json === undefined) throw new RegistryUnavailable(`avro: cannot look up ${what} in the Schema Registry at ${shown} (${entry}): GET ${path} answered ${response.status} with no JSON; is that the registry's base URL?`);
        return { found: true, body: json };
      }
      if (response.status === 404 && (code === 40403 || code === 40401 || code === 40402)) return { found: false, said: `${response.status}: ${message}` };
      last = `${response.status} ${response.statusText}${message === "" ? "" : `: ${message}`}`;
      if (response.status === 401 || response.status === 403) {
        const hint = fromEnv ? `check the credentials in the URL ${ref} holds` : `if it needs credentials, set an environment variable to its URL with them (https://KEY:SECRET@host) and name the variable in ${entry}`;
        throw new RegistryUnavailable(`avro: the Schema Registry at ${shown} (${entry}) refused to give ${what}: ${last}; ${hint}`);
      }
      if (response.status === 404) throw new RegistryUnavailable(`avro: cannot look up ${what}: GET ${base}${path} answered ${last}, not as a Schema Registry does; is ${base} the registry's base URL (${entry})?`);
      if (response.status < 500 && response.status !== 429) break;
      if (attempt < ATTEMPTS) await new Promise((wake) => setTimeout(wake, retryAfter(response.headers.get("retry-after"), now()) ?? 250 * attempt));
    }
    throw new RegistryUnavailable(`avro: cannot look up ${what} in the Schema Registry at ${shown} (${entry}): ${last}`);
  };

  /**
   * A registry's answer for a schema (to GET `path`): its text, type and references, or why it is no
   * schema. An answer with no schema text at all comes from something else than a registry (a JSON API
   * answering any path), an error as a URL that is no registry's is, so its values are not lettered.
   */
  const schemaOf = (body: unknown, path: string): { schema: string; type: string; references: { name: string; subject: string; version: number }[] } | string => {
    if (typeof body !== "object" || body === null || typeof (body as { schema?: unknown }).schema !== "string") {
      throw new RegistryUnavailable(`avro: the Schema Registry at ${shown} (${entry}) answered GET ${base}${path} with JSON that holds no schema (${quoted(JSON.stringify(body))}), not as a Schema Registry does; is that the registry's base URL?`);
    }
    const { schema, schemaType, references } = body as { schema: string; schemaType?: unknown; references?: unknown };
    const refs = Array.isArray(references) ? references : [];
    if (!refs.every((r) => typeof r === "object" && r !== null && typeof r.subject === "string" && typeof r.version === "number")) return "its references are not subjects and versions";
    return { schema, type: typeof schemaType === "string" ? schemaType : "AVRO", references: refs as { name: string; subject: string; version: number }[] };
  };

  /** The id's schema; `unknown` when the registry did not know the id (asked again later). */
  const lookUp = async (id: number): Promise<{ schema: WriterSchema; unknown?: true }> => {
    const path = `/schemas/ids/${id}`;
    const answer = await get(path, `schema id ${id}`);
    if (!answer.found) return { schema: { error: `schema id ${id} is not in the Schema Registry at ${shown} (it answered ${answer.said})` }, unknown: true };
    return { schema: await readSchema(id, schemaOf(answer.body, path)) };
  };

  /** The schema a registry's answer for id `id` holds, with the schemas it references. */
  const readSchema = async (id: number, read: ReturnType<typeof schemaOf>): Promise<WriterSchema> => {
    if (typeof read === "string") return { error: `schema id ${id} of the Schema Registry at ${shown} cannot be read: ${read}` };
    if (read.type.toUpperCase() !== "AVRO") return { error: `schema id ${id} of the Schema Registry at ${shown} is a ${read.type} schema, and format: avro reads Avro` };
    // The schemas it references, each parsed before the schemas that name its types (Confluent's order: depth first).
    const named: unknown[] = [];
    const seen = new Set<string>();
    const gather = async (refs: { subject: string; version: number }[]): Promise<string | null> => {
      for (const ref of refs) {
        const key = `${ref.subject}\u0000${ref.version}`;
        if (seen.has(key)) continue;
        seen.add(key);
        if (seen.size > MAX_REFERENCES) return `it references more than ${MAX_REFERENCES} schemas`;
        const version = ref.version < 0 ? "latest" : String(ref.version);
        const path = `/subjects/${encodeURIComponent(ref.subject)}/versions/${version}`;
        const got = await get(path, `subject ${ref.subject} version ${version} (referenced by schema id ${id})`);
        if (!got.found) return `the schema it references, subject ${ref.subject} version ${version}, is not in the registry (${got.said})`;
        const inner = schemaOf(got.body, path);
        if (typeof inner === "string") return `the schema it references, subject ${ref.subject} version ${version}: ${inner}`;
        const why = await gather(inner.references);
        if (why !== null) return why;
        named.push(parsed(inner.schema));
      }
      return null;
    };
    try {
      const why = await gather(read.references);
      if (why !== null) return { error: `schema id ${id} of the Schema Registry at ${shown} cannot be read: ${why}` };
      const type = avroType(parsed(read.schema), named);
      return { type, name: type.name ?? type.typeName };
    } catch (error) {
      if (error instanceof RegistryUnavailable || !(error instanceof Error)) throw error;
      return { error: `schema id ${id} of the Schema Registry at ${shown} is not an Avro schema avsc reads: ${error.message}` };
    }
  };

  return {
    shown,
    get: (id) => known.get(id)?.schema,
    async load(ids) {
      const waits: Promise<void>[] = [];
      const at = now();
      const batch = new Set(ids);
      for (const id of batch) {
        if (!unknownIds.has(id)) continue;
        unknownIds.delete(id);
        unknownIds.set(id, at);
      }
      // Forgotten before this batch's ids are looked up, never one a batch loaded in the last minute (its values may be decoding).
      for (const [id, seen] of unknownIds) {
        if (unknownIds.size <= maxUnknown || at - seen < UNKNOWN_AGAIN_MAX_MS) break;
        unknownIds.delete(id);
        known.delete(id);
      }
      for (const id of batch) {
        const had = known.get(id);
        // An unknown id is asked again once its time comes; until then its values keep the answer it had.
        if (had !== undefined && (had.again === undefined || at < had.again.at)) continue;
        let wait = asking.get(id);
        if (wait === undefined) {
          wait = lookUp(id)
            .then(({ schema, unknown }) => {
              const waited = had?.again === undefined ? UNKNOWN_AGAIN_MS : Math.min(had.again.wait * 2, UNKNOWN_AGAIN_MAX_MS);
              known.set(id, unknown ? { schema, again: { at: now() + waited, wait: waited } } : { schema });
              unknownIds.delete(id);
              if (unknown) unknownIds.set(id, now());
            })
            .catch((error: unknown) => {
              // Asked again while the registry cannot answer: the id keeps the answer it had (its values were
              // dead letters before the re-ask existed, and an outage stopped nothing), asked again after as
              // long as it waited last; a new id still fails the lookup, so no value is lettered for an outage.
              if (had?.again === undefined || !(error instanceof RegistryUnavailable)) throw error;
              known.set(id, { schema: had.schema, again: { at: now() + had.again.wait, wait: had.again.wait } });
            })
            .finally(() => asking.delete(id));
          asking.set(id, wait);
        }
        waits.push(wait);
      }
      await Promise.all(waits);
    },
  };
}

/** Milliseconds a `Retry-After` header (seconds, or an HTTP date) asks to wait, up to `MAX_RETRY_AFTER_MS`; null without one. */
function retryAfter(header: string | null, now: number): number | null {
  if (header === null) return null;
  const ms = /^\s*\d+\s*$/.test(header) ? Number(header) * 1000 : Date.parse(header) - now;
  return Number.isNaN(ms) ? null : Math.min(Math.max(ms, 0), MAX_RETRY_AFTER_MS);
}

/** A registry's own words as an error quotes them: on one line, and no longer than `QUOTED`. */
function quoted(text: string): string {
  const line = text.replace(/\s+/g, " ").trim();
  return line.length > QUOTED ? `${line.slice(0, QUOTED)}…` : line;
}

/** A schema's text as JSON (a bare name such as `string` too, as Confluent's parser takes it). */
function parsed(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    if (!(error instanceof SyntaxError)) throw error;
    if (/^[A-Za-z_][A-Za-z0-9_.]*$/.test(text.trim())) return text.trim();
    throw new Error(`its text is not JSON (${error.message})`, { cause: error });
  }
}
