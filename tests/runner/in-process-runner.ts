/**
 * A Kafka runner of a published bundle started in this process (so a test can reach into kafkajs), with
 * one sink `out` into a local folder and its log kept: what the tests that make kafkajs fail on cue start from.
 */
import type { Bundle } from "../../edge/publish/bundle.node.ts";
import { defaultParquetWriter } from "../../edge/parquet/index.ts";
import { startKafkaRunner, type KafkaRunnerOptions } from "../../edge/runner/kafka.ts";
import { openSink, parseSinkOverride } from "../../edge/runner/open-sink.ts";
import { kafka as kafkaConfig } from "../servers/config.ts";

export interface LoggedRunner {
  runner: Awaited<ReturnType<typeof startKafkaRunner>>;
  log: string[];
  /** The group joins the runner has logged so far. */
  joins(): number;
  /** What `done` rejected with, or null while it has not. */
  ended(): unknown;
}

export async function startLoggedRunner(bundle: Bundle, topic: string, out: string): Promise<LoggedRunner> {
  const spec = parseSinkOverride(`fs:${out}`, bundle.manifest.sinks.out!);
  const log: string[] = [];
  const runner = await startKafkaRunner({
    plan: bundle.plan,
    source: Object.values(bundle.manifest.sources)[0] as KafkaRunnerOptions["source"],
    sinks: bundle.manifest.sinks,
    targets: { out: { spec, opened: openSink(spec) } },
    parquet: defaultParquetWriter,
    groupId: topic,
    topic,
    brokers: [...kafkaConfig.brokers],
    threads: 0,
    log: (line) => log.push(line),
  });
  let ended: unknown = null;
  runner.done.catch((error: unknown) => {
    ended = error;
  });
  return { runner, log, joins: () => log.filter((l) => l.startsWith("joined group")).length, ended: () => ended };
}
