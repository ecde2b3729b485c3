import { readFile } from "node:fs/promises";
import { formatIssue, parseNotebook } from "../../notebook/format/index.ts";
import { stringifyJsonLossless } from "../../edge/duckdb/lossless-json.ts";
import { demoEvents } from "../sources/demo/index.ts";
import { readArgs } from "./args.ts";
import { printErr } from "./output.ts";
import { UsageError, type Verb } from "./verb.ts";

/**
 * `runnel demo`: a source's demo stand-in as NDJSON on stdout, the events
 * `npm start` streams for it — files to try a backfill with (`runnel run
 * --input`), a sample (`--sample`), or messages for a Kafka topic.
 */
export const verb: Verb = {
  name: "demo",
  summary: "print a source's demo events as NDJSON (files for runnel run --input, --sample, or a topic)",
  usage: `usage: runnel demo <notebook> [--source <name>] [--count <n>] [--from <n>]

Prints the events the notebook's demo generator streams for a source, one
JSON object per line, the same every time (the generator's seed):

  mkdir -p events && npx runnel demo notebooks/turnstile.md --count 5000 > events/turnstile.ndjson

options:
  --source <name>   the source (default: the notebook's only one with demo:)
  --count <n>       how many events (default 1000)
  --from <n>        the index of the first (default 0; the stream goes on from there)
  -h, --help        show this help`,
  async run(args) {
    const { values, positionals } = readArgs(args, { source: { type: "string" }, count: { type: "string" }, from: { type: "string" } });
    if (positionals.length !== 1) throw new UsageError("expected one notebook path");
    const path = positionals[0]!;
    let text: string;
    try {
      text = await readFile(path, "utf8");
    } catch (error) {
      throw new UsageError(`no notebook at ${path}`, { cause: error });
    }
    const { notebook, issues } = parseNotebook(text, path);
    for (const issue of issues) printErr(formatIssue(issue));
    const count = values.count === undefined ? 1000 : Number(values.count);
    if (!Number.isSafeInteger(count) || count < 0) throw new UsageError(`--count takes a whole number, got '${values.count}'`);
    const from = values.from === undefined ? 0 : Number(values.from);
    if (!Number.isSafeInteger(from) || from < 0) throw new UsageError(`--from takes a whole number, got '${values.from}'`);
    const withDemo = Object.values(notebook.sources).filter((s) => s.demo);
    const source = values.source === undefined ? (withDemo.length === 1 ? withDemo[0] : undefined) : notebook.sources[values.source];
    if (!source) {
      throw new UsageError(
        values.source === undefined
          ? `the notebook has ${withDemo.length} sources with demo: (${withDemo.map((s) => s.name).join(", ") || "none"}); name one with --source`
          : `the notebook has no source '${values.source}' (${Object.keys(notebook.sources).join(", ")})`,
      );
    }
    if (!source.demo) throw new UsageError(`source ${source.name} has no demo: generator`);
    // `runnel demo ... | head` closes the pipe early: that is the reader being done, not an error.
    process.stdout.on("error", (error: NodeJS.ErrnoException) => {
      if (error.code === "EPIPE") process.exit(0);
      throw error;
    });
    // Written in chunks: a million events need not be one string.
    for (let at = from; at < from + count; at += 10_000) {
      const events = demoEvents(source.demo, at, Math.min(10_000, from + count - at));
      // As DuckDB reads them: big integers exact, NaN and Infinity as DuckDB's JSON reader takes them.
      const chunk = events.map((e) => stringifyJsonLossless(e, { duckdb: true })).join("\n") + "\n";
      if (!process.stdout.write(chunk)) await new Promise((r) => process.stdout.once("drain", r));
    }
    return 0;
  },
};
