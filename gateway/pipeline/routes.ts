/**
 * Check and publish from the notebook app, mounted at `/api/pipelines` behind
 * the token. Both answer server-sent events, because a check takes seconds:
 *
 *   POST /check/<notebook>                 progress lines, then the report
 *   POST /publish/<notebook>[?force=true]  progress lines, then where the bundle went
 *   POST /run/<notebook>[?from=sample|now][&replace=true] runs the published pipeline on the live stream into a local folder,
 *                                          from the events the notebook shows (sample) or what arrives (now, default)
 *   DELETE /run/<notebook>                 stops it (writes what it holds)
 *   GET /runs                              every local run with its counters
 *
 *   event: progress  data: {"line": "..."}
 *   event: result    data: CheckResult | PublishResult
 *
 * They use the samples the gateway keeps for each source (what the notebook
 * shows): the live sample of a Kafka, HTTP or demo source, the deliveries a
 * webhook source captured; a source with none yet falls back to its demo
 * generator. One check or publish runs at a time; later ones wait (and say so).
 */
import { type Context, Hono } from "hono";
import { streamSSE } from "hono/streaming";
import { join } from "node:path";
import { counted } from "../../notebook/format/counted.ts";
import type { Notebook } from "../../notebook/format/model.ts";
import { parseNotebook } from "../../notebook/format/parse.ts";
import { checkNotebook, type StepResult } from "../../edge/check/check.node.ts";
import { CompileError } from "../../edge/compile/errors.ts";
import { defaultLibrary } from "../../edge/exec/library.ts";
import { GatewayError } from "../http/error.ts";
import type { Logger } from "../log.ts";
import type { NotebookStore } from "../notebooks/store.ts";
import { loadAvroSchemas } from "../sources/avro-schema.ts";
import { demoSample } from "../sources/demo-source.ts";
import { sampleArrival } from "../sources/kafka-source.ts";
import type { SourceRegistry } from "../sources/registry.ts";
import { notebookPathOf } from "../sources/resolve.ts";
import type { LocalRuns } from "./local-run.ts";
import { publishNotebook } from "./publish.ts";

export interface PipelineRouteOptions {
  store: NotebookStore;
  registry: SourceRegistry;
  /** Where published bundles go (`<out>/<name>/`). */
  out: string;
  log: Logger;
  /** The published pipelines running inside the gateway (`/run`, `/runs`). */
  runs: LocalRuns;
}

/** A step of the check as the app shows it. */
export interface StepSummary {
  step: StepResult["step"];
  sink: string;
  cell: string;
  events: number;
  agree: boolean;
  detail: string | null;
  /** A stream-order step refused for late events: the lateness that keeps them (`3 minutes`), for the page's "Set lateness". */
  lateness?: { text: string; seconds: number };
}

export type CheckResult =
  | { kind: "check"; agree: boolean; comparisons: number; steps: StepSummary[]; samples: Record<string, number> }
  | { kind: "compile-error"; message: string }
  | { kind: "invalid"; issues: string[] };

export type PublishResult =
  | { kind: "published"; dir: string; name: string; targets: string[]; files: string[]; forced: boolean; difference: string | null; comparisons: number; next: string[] }
  | { kind: "refused"; difference: string; failed: number; comparisons: number; steps: StepSummary[] }
  | { kind: "compile-error"; message: string }
  | { kind: "invalid"; issues: string[] };

export function pipelineRoutes(options: PipelineRouteOptions): Hono {
  const app = new Hono();
  let queue: Promise<unknown> = Promise.resolve();
  let busy: string | null = null;

  /** Runs `work` after the one in progress, streaming its progress lines and result. */
  const run = (verb: "check" | "publish", rest: string, work: (ctx: { path: string; text: string; notebook: Notebook; samples: Record<string, unknown[]>; arrival: Record<string, { partition: number; offset: string }[]>; say: (line: string) => void }) => Promise<unknown>) =>
    async (c: Context) => {
      const path = notebookPathOf(rest);
      const file = await options.store.read(path);
      const parsed = parseNotebook(file.text, path);
      // `format: avro` sources: their schema files, read beside the notebook, go into the bundle (as runnel publish does).
      const loaded = await loadAvroSchemas(parsed.notebook, join(options.store.root, path));
      const notebook = { ...parsed.notebook, sources: loaded.sources };
      const issues = [...parsed.issues, ...loaded.issues];
      return streamSSE(c, async (stream) => {
        const lines: Promise<void>[] = [];
        const say = (line: string): void => {
          lines.push(stream.writeSSE({ event: "progress", data: JSON.stringify({ line }) }));
        };
        const send = async (result: unknown): Promise<void> => {
          await Promise.all(lines);
          await stream.writeSSE({ event: "result", data: JSON.stringify(result) });
        };
        if (issues.length > 0) {
          await send({ kind: "invalid", issues: issues.map((i) => `${i.file}:${i.line}:${i.column}: ${i.message}`) });
          return;
        }
        if (busy !== null) say(`waiting: a ${busy} is running`);
        const mine = queue.then(async () => {
          busy = `${verb} of ${path}`;
          const started = performance.now();
          try {
            const { samples, arrival } = await gatewaySamples(options.registry, path, notebook, say);
            const result = await work({ path, text: file.text, notebook, samples, arrival, say });
            options.log.info(`pipeline ${verb}`, { notebook: path, ms: Math.round(performance.now() - started) });
            return result;
          } catch (error) {
            if (error instanceof CompileError) return { kind: "compile-error", message: error.message };
            throw error;
          } finally {
            busy = null;
          }
        });
        queue = mine.catch(() => undefined);
        try {
          await send(await mine);
        } catch (error) {
          options.log.error(`pipeline ${verb} failed`, { notebook: path, error: error instanceof Error ? error.message : String(error) });
          await Promise.all(lines);
          await stream.writeSSE({ event: "failure", data: JSON.stringify({ message: error instanceof Error ? error.message : String(error) }) });
        }
      });
    };

  app.post("/check/:rest{.+}", (c) =>
    run("check", c.req.param("rest"), async ({ path, notebook, samples, arrival, say }): Promise<CheckResult> => {
      if (!notebook.cells.some((cell) => cell.sink)) {
        // The panel shows what to write for 0 comparisons; the log must not say the check passed.
        say(`nothing to check: ${path} has no cell with sink=; mark the cell whose rows should be written`);
        return { kind: "check", agree: false, comparisons: 0, steps: [], samples: counts(samples) };
      }
      const report = await checkNotebook(notebook, { samples, arrival, library: defaultLibrary, onProgress: say });
      const failed = report.steps.filter((s) => !s.agree).length;
      say(failed === 0 ? `check passed: ${report.comparisons} comparisons agree` : `check FAILED: ${failed} of ${report.comparisons} comparisons differ`);
      return { kind: "check", agree: failed === 0, comparisons: report.comparisons, steps: report.steps.map(summarise), samples: counts(samples) };
    })(c),
  );

  app.post("/publish/:rest{.+}", (c) => {
    const force = c.req.query("force");
    if (force !== undefined && force !== "true" && force !== "false") throw new GatewayError(400, "bad_request", `pipelines: force must be true or false, got ${JSON.stringify(force)}`);
    return run("publish", c.req.param("rest"), async ({ path, text, notebook, samples, arrival, say }): Promise<PublishResult> => {
      if (!notebook.cells.some((cell) => cell.sink)) {
        return { kind: "invalid", issues: [`${path} has no cell with sink=; mark the cell whose rows should be written`] };
      }
      say(`[1/4] reading ${path}`);
      const outcome = await publishNotebook({ file: path, text, notebook, samples, arrival, out: options.out, force: force === "true", say, warn: say });
      if (!outcome.published) {
        return { kind: "refused", difference: outcome.difference, failed: outcome.failed.length, comparisons: outcome.report.comparisons, steps: outcome.report.steps.map(summarise) };
      }
      const next: string[] = [];
      if (outcome.targets.includes("worker")) next.push(`npx runnel dev-edge ${outcome.dir}`, `cd ${join(outcome.dir, "worker")} && npx wrangler deploy --secrets-file <the secrets worker/README.md names>`);
      // Each with a local sink, so it runs as shown: the notebook's own may be a bucket this machine has no key for.
      const local = Object.keys(notebook.sinks).map((sink) => `--sink ${sink}=fs:out/`).join(" ");
      if (outcome.targets.includes("runner")) next.push(`npx runnel run ${outcome.dir} --until-caught-up ${local}`);
      // The sources the plan reads: the notebook's first source was named, which `runnel run` refuses when the sink cells read another.
      const inputs = Object.keys(outcome.report.plan.sources).map((source) => `--input ${source}=<files>`).join(" ");
      if (outcome.targets.includes("files")) next.push(`npx runnel run ${outcome.dir} ${inputs} ${local}`);
      return { kind: "published", dir: outcome.dir, name: outcome.name, targets: outcome.targets, files: outcome.files, forced: outcome.failed.length > 0, difference: outcome.difference, comparisons: outcome.report.comparisons, next };
    })(c);
  });

  app.get("/runs", (c) => c.json(options.runs.list()));
  app.post("/run/:rest{.+}", async (c) => {
    const path = notebookPathOf(c.req.param("rest"));
    const from = c.req.query("from") ?? "now";
    if (from !== "sample" && from !== "now") throw new GatewayError(400, "bad_request", `pipelines: from must be sample or now, got ${JSON.stringify(from)}`);
    // replace=true: the run deletes what runs of other publishes wrote into the folder, after its first flush.
    const replace = c.req.query("replace") ?? "false";
    if (replace !== "true" && replace !== "false") throw new GatewayError(400, "bad_request", `pipelines: replace must be true or false, got ${JSON.stringify(replace)}`);
    await options.store.read(path);
    const { info, created } = await options.runs.start(path, { from, replace: replace === "true" });
    return c.json(info, created ? 201 : 200);
  });
  app.delete("/run/:rest{.+}", async (c) => c.json(await options.runs.stop(notebookPathOf(c.req.param("rest")))));

  return app;
}

function summarise(s: StepResult): StepSummary {
  return { step: s.step, sink: s.sink, cell: s.cell, events: s.events, agree: s.agree, detail: s.detail, ...(s.lateness === undefined ? {} : { lateness: s.lateness }) };
}

function counts(samples: Record<string, unknown[]>): Record<string, number> {
  return Object.fromEntries(Object.entries(samples).map(([s, e]) => [s, e.length]));
}

/** The events each source's sample holds now; the demo generator for a source that has none yet. */
async function gatewaySamples(registry: SourceRegistry, path: string, notebook: Notebook, say: (line: string) => void): Promise<{ samples: Record<string, unknown[]>; arrival: Record<string, { partition: number; offset: string }[]> }> {
  const samples: Record<string, unknown[]> = {};
  const arrival: Record<string, { partition: number; offset: string }[]> = {};
  for (const [name, spec] of Object.entries(notebook.sources)) {
    const source = await registry.get(path, spec);
    const sampled = await source.sample(spec.sampleSize);
    const events = sampled.flatMap((e) => (e.ok ? [e.value] : []));
    if (events.length > 0) {
      samples[name] = events;
      const where = sampleArrival(sampled);
      if (where) arrival[name] = where;
      say(`sample of ${name}: the ${events.length} newest events the gateway holds`);
    } else if (spec.demo) {
      samples[name] = demoSample(spec, spec.demo, spec.sampleSize);
      say(`sample of ${name}: none received yet, using its demo generator (${counted(samples[name].length, "event")})`);
    } else {
      throw new GatewayError(409, "conflict", `pipelines: source ${name} has no sample yet and no demo generator; let some events arrive first`);
    }
  }
  return { samples, arrival };
}
