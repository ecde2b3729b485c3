/**
 * `runnel run <bundle> --input <source>=<path>`: runs a published bundle's
 * plan over files and writes to its sinks (or to `--sink` overrides).
 */
import { loadBundle } from "../../edge/publish/bundle.node.ts";
import { listInputs, type InputFile } from "../../edge/runner/read-inputs.ts";
import { openSink, parseSinkOverride } from "../../edge/runner/open-sink.ts";
import { runFiles } from "../../edge/runner/run-files.ts";
import type { SinkTarget } from "../../edge/runner/sink-writer.ts";
import { hyparquetWriter } from "../../edge/parquet/index.ts";
import { readArgs } from "./args.ts";
import { printErr, printOut } from "./output.ts";
import { UsageError, type Verb } from "./verb.ts";

const USAGE = `usage: runnel run <bundle> --input <source>=<path>... [--sink <name>=<target>]... [--writer <name>]

Runs a bundle written by runnel publish over files, oldest first, and writes
its sinks: partitioned Parquet, plus dead letters as NDJSON under _errors/.
  --input <source>=<path>   a file, a folder, or a glob (*, **, ?) of NDJSON,
                            JSON-array (.json), CSV (.csv) or Parquet (.parquet) files
  --sink <name>=<target>    write sink <name> elsewhere: fs:<dir> or s3://<bucket>/<prefix>
  --writer <name>           the name object keys start with (default backfill)

S3 credentials come from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY, a
non-AWS endpoint from RUNNEL_S3_ENDPOINT.`;

function splitPair(text: string, flag: string): [string, string] {
  const eq = text.indexOf("=");
  if (eq <= 0 || eq === text.length - 1) throw new UsageError(`${flag} expects <name>=<value>, got '${text}'`);
  return [text.slice(0, eq), text.slice(eq + 1)];
}

export const verb: Verb = {
  name: "run",
  summary: "run a published bundle over files (backfill) and write its sinks",
  usage: USAGE,
  async run(args) {
    const { values, positionals } = readArgs(args, {
      input: { type: "string", multiple: true },
      sink: { type: "string", multiple: true },
      writer: { type: "string" },
    });
    if (positionals.length !== 1) throw new UsageError("expected exactly one bundle folder");
    if (!values.input?.length) throw new UsageError("expected at least one --input <source>=<path>");
    const bundle = await loadBundle(positionals[0]!);
    const { manifest, plan } = bundle;

    const inputs: Record<string, InputFile[]> = {};
    for (const text of values.input) {
      const [source, path] = splitPair(text, "--input");
      if (!plan.sources[source]) throw new UsageError(`--input names source '${source}'; the bundle reads ${Object.keys(plan.sources).join(", ")}`);
      inputs[source] = [...(inputs[source] ?? []), ...(await listInputs(path))];
    }
    const overrides = new Map((values.sink ?? []).map((s) => splitPair(s, "--sink")));
    for (const name of overrides.keys()) {
      if (!manifest.sinks[name]) throw new UsageError(`--sink names '${name}'; the bundle's sinks are ${Object.keys(manifest.sinks).join(", ")}`);
    }
    const targets: Record<string, SinkTarget> = {};
    for (const pipeline of plan.pipelines) {
      const declared = manifest.sinks[pipeline.sink]!;
      const override = overrides.get(pipeline.sink);
      const spec = override ? parseSinkOverride(override, declared) : declared;
      targets[pipeline.sink] = { spec, opened: openSink(spec) };
      printOut(`sink ${pipeline.sink} → ${targets[pipeline.sink]!.opened.sink.describe}${spec.target.prefix}`);
    }

    const started = Date.now();
    let lastShown = 0;
    const result = await runFiles({
      plan,
      inputs,
      targets,
      parquet: hyparquetWriter,
      writer: values.writer,
      onProgress: (p) => {
        if (Date.now() - lastShown < 1000) return;
        lastShown = Date.now();
        const secs = (Date.now() - started) / 1000;
        printErr(`  ${p.events} events (${Math.round(p.events / Math.max(secs, 0.001))}/s) · ${p.rows} rows · ${p.files} files · ${p.deadLetters} dead letters · ${p.file ?? ""}`);
      },
    });
    const secs = (Date.now() - started) / 1000;
    printOut(`run done in ${secs.toFixed(1)} s: ${result.events} events → ${result.rows} rows in ${result.files} files (${result.bytes} bytes); ${result.deadLetters} dead letters${result.deadLetterFiles.length ? ` in ${result.deadLetterFiles.join(", ")}` : ""}`);
    for (const f of result.written) printOut(`  ${f.key}  ${f.rows} rows`);
    return 0;
  },
};
