import { createHash } from "node:crypto";
import { join } from "node:path";
import type { SourceSpec } from "../../notebook/format/model.ts";
import type { Logger } from "../log.ts";
import { openDemoSource } from "./demo-source.ts";
import { openHttpSource } from "./http-source.ts";
import { withAvroSchema } from "./avro-schema.ts";
import { openKafkaSource } from "./kafka-source.ts";
import { mergeSources } from "./merge-source.ts";
import type { Source } from "./source.ts";
import { openWebhookSource, type WebhookSource } from "./webhook-source.ts";

export interface RegistryOptions {
  /** Where webhook deliveries are kept: `<stateDir>/hooks/<notebook>/<source>/*.ndjson`. */
  stateDir: string;
  /** Use each source's `demo:` stand-in for Kafka and HTTP, and beside webhook capture. */
  demo: boolean;
  fetch?: typeof fetch;
  now?: () => number;
  log: Logger;
  /** The notebooks folder the notebook paths are under: a `format: avro` source's schema file is read beside its notebook. */
  root?: string;
}

/**
 * Where the deliveries of webhook source `source` of `notebook` are kept:
 * `<stateDir>/hooks/<notebook, URI-encoded>/<source>/`. A notebook path whose
 * encoding is past a file name's 255 bytes (a deep or long path the notebooks
 * root accepts) is cut and suffixed with a hash of the whole path, so it still
 * gets a folder of its own instead of failing every delivery.
 */
export function captureDir(stateDir: string, notebook: string, source: string): string {
  let folder = encodeURIComponent(notebook);
  if (Buffer.byteLength(folder) > 255) folder = `${folder.slice(0, 180)}~${createHash("sha256").update(notebook).digest("hex").slice(0, 32)}`;
  return join(stateDir, "hooks", folder, source);
}

interface Entry<T> {
  fingerprint: string;
  source: Promise<T>;
}

/**
 * The open sources of every notebook, one per (notebook, source name), shared
 * by all requests. A source whose spec changed (the notebook was saved) is
 * closed and opened again on next use; an unchanged one keeps its connection.
 */
export class SourceRegistry {
  private readonly sources = new Map<string, Entry<Source>>();
  private readonly captures = new Map<string, Entry<WebhookSource>>();
  private readonly options: RegistryOptions;

  constructor(options: RegistryOptions) {
    this.options = options;
  }

  /**
   * The source a sample or tail reads, honouring demo mode. A Kafka source's Avro schema file is read
   * on every use, so an edited `.avsc` (the notebook unchanged) reopens the source with it.
   */
  async get(notebook: string, spec: SourceSpec): Promise<Source> {
    const read = spec.kind === "kafka" && !(this.options.demo && spec.demo) && this.options.root !== undefined ? await withAvroSchema(spec, join(this.options.root, notebook)) : spec;
    return this.cached(this.sources, notebook, read, () => this.open(notebook, read));
  }

  /** The webhook capture behind `POST /hooks/<notebook>/<source>`, never a stand-in. */
  capture(notebook: string, spec: Extract<SourceSpec, { kind: "webhook" }>): Promise<WebhookSource> {
    const dir = captureDir(this.options.stateDir, notebook, spec.name);
    return this.cached(this.captures, notebook, spec, () => openWebhookSource(spec, dir));
  }

  async close(): Promise<void> {
    const all = [...this.sources.values(), ...this.captures.values()];
    this.sources.clear();
    this.captures.clear();
    await Promise.all(all.map(async (entry) => (await entry.source).close()));
  }

  private async open(notebook: string, spec: SourceSpec): Promise<Source> {
    const { demo } = this.options;
    if (spec.kind === "demo") return openDemoSource(spec, spec.demo, { now: this.options.now });
    if (spec.kind === "webhook") {
      const capture = await this.capture(notebook, spec);
      if (!demo || !spec.demo) return capture;
      return mergeSources(spec, capture, openDemoSource(spec, spec.demo, { now: this.options.now }), { closeFirst: false });
    }
    if (demo && spec.demo) return openDemoSource(spec, spec.demo, { now: this.options.now });
    if (spec.kind === "kafka") return openKafkaSource(spec);
    return openHttpSource(spec, {
      fetch: this.options.fetch,
      now: this.options.now,
      onError: (err) => this.options.log.warn("http source poll failed", { notebook, source: spec.name, error: err.message }),
    });
  }

  private async cached<T extends Source>(map: Map<string, Entry<T>>, notebook: string, spec: SourceSpec, open: () => Promise<T> | T): Promise<T> {
    const key = `${notebook}\u0000${spec.name}`;
    const fingerprint = JSON.stringify(spec);
    const existing = map.get(key);
    if (existing?.fingerprint === fingerprint) return existing.source;
    if (existing) {
      map.delete(key);
      await (await existing.source).close();
    }
    const source = Promise.resolve().then(open);
    map.set(key, { fingerprint, source });
    source.catch(() => {
      if (map.get(key)?.source === source) map.delete(key);
    });
    return source;
  }
}
