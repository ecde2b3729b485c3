/**
 * The runner's progress on stderr: a bar redrawn in place when stderr is a
 * terminal, one line per second otherwise (logs, CI, tests read those).
 */
import { counted } from "../../notebook/format/counted.ts";
import type { RunnerMetrics } from "./metrics.ts";

export interface ProgressFigures {
  events: number;
  /** Events consumed in the last interval, per second. */
  rate: number;
  /** Per partition: messages between the next offset and the broker's high watermark. */
  lag: Record<string, number>;
  files: number;
  deadLetters: number;
  /** Waiting for the group to hand this runner its partitions. */
  joining?: boolean;
  /** The consumer cannot reach its broker: for how many seconds, and kafkajs's words. */
  brokerLost?: { seconds: number; reason: string };
}

/** What a runner waiting for its partitions says: a member that died holds them until its session ends. */
export const JOINING = "waiting for the group to assign partitions (a runner stopped without leaving holds them until its 30 s session ends)";

/** What a runner whose broker is gone says instead of the lag it cannot know. */
function brokerWait(lost: { seconds: number; reason: string }): string {
  return `waiting ${lost.seconds} s for the broker (${lost.reason})`;
}

/** The one-line form: `  12000 events (3000/s) · lag p0:10 p1:0 · 4 files · 0 dead letters`. */
export function progressLine(f: ProgressFigures): string {
  const lag = Object.entries(f.lag).map(([p, n]) => `p${p}:${n}`).join(" ");
  if (f.brokerLost) return `  ${brokerWait(f.brokerLost)} · ${counted(f.events, "event")} · ${counted(f.files, "file")} · ${counted(f.deadLetters, "dead letter")}`;
  if (f.joining) return `  ${JOINING} · ${counted(f.events, "event")} · ${counted(f.files, "file")} · ${counted(f.deadLetters, "dead letter")}`;
  return `  ${counted(f.events, "event")} (${f.rate}/s) · lag ${lag || "-"} · ${counted(f.files, "file")} · ${counted(f.deadLetters, "dead letter")}`;
}

/**
 * The bar form, fitted to `columns`: the share of the topic consumed so far
 * (events against events plus lag), then the figures.
 */
export function progressBar(f: ProgressFigures, columns: number): string {
  if (f.brokerLost) return ` ${brokerWait(f.brokerLost)} · ${counted(f.events, "event")}`.slice(0, Math.max(columns - 1, 20));
  if (f.joining) return ` ${JOINING} · ${counted(f.events, "event")}`.slice(0, Math.max(columns - 1, 20));
  const lag = Object.values(f.lag).reduce((a, b) => a + b, 0);
  const total = f.events + lag;
  const share = total === 0 ? 0 : f.events / total;
  const text = ` ${(share * 100).toFixed(0).padStart(3)}% ${counted(f.events, "event")} · ${f.rate}/s · lag ${lag} · ${counted(f.files, "file")} · ${f.deadLetters} dead`;
  const width = Math.max(10, Math.min(40, columns - text.length - 3));
  const filled = Math.round(share * width);
  return `[${"█".repeat(filled)}${"░".repeat(width - filled)}]${text}`.slice(0, Math.max(columns - 1, 20));
}

export interface Progress {
  /** Prints a log line without tearing the bar. */
  log(line: string): void;
  stop(): void;
}

/** Shows `metrics` on `stream` every `intervalMs` until `stop()`. */
export function showProgress(metrics: RunnerMetrics, stream: NodeJS.WriteStream, intervalMs = 1000): Progress {
  const tty = stream.isTTY === true;
  let previous = metrics.eventsIn;
  let drawn = false;
  const figures = (): ProgressFigures => {
    const rate = Math.round(((metrics.eventsIn - previous) * 1000) / intervalMs);
    previous = metrics.eventsIn;
    return { events: metrics.eventsIn, rate, lag: metrics.lag(), files: metrics.filesWritten, deadLetters: metrics.deadLetters, joining: metrics.joining,
      ...(metrics.brokerLost ? { brokerLost: { seconds: Math.round((Date.now() - metrics.brokerLost.since) / 1000), reason: metrics.brokerLost.reason } } : {}) };
  };
  const clear = () => {
    if (drawn) stream.write("\r\x1b[2K");
    drawn = false;
  };
  const timer = setInterval(() => {
    if (tty) {
      clear();
      stream.write(progressBar(figures(), stream.columns ?? 80));
      drawn = true;
    } else {
      stream.write(`${progressLine(figures())}\n`);
    }
  }, intervalMs);
  return {
    log(line) {
      clear();
      stream.write(line.endsWith("\n") ? line : `${line}\n`);
    },
    stop() {
      clearInterval(timer);
      clear();
    },
  };
}
