import { ApiError, type LocalRun, listLocalRuns, startLocalRun, stopLocalRun } from "../api.ts";
import { counted } from "../../../format/counted.ts";
import { button } from "./source-card.ts";

const POLL_MS = 1000;

/**
 * The notebook's published pipeline running inside the gateway: what it has
 * consumed and written so far (events, rows, Parquet files, dead letters),
 * where the files go, and a Stop button. It polls the gateway while running.
 */
export class LocalRunCard {
  readonly element: HTMLElement;
  private readonly title: HTMLElement;
  private readonly body: HTMLElement;
  private readonly stop: HTMLButtonElement;
  private readonly again: HTMLButtonElement;
  private readonly replaceEarlier: HTMLButtonElement;
  private readonly problem: HTMLElement;
  private readonly letters: HTMLDetailsElement;
  private readonly lettersSummary: HTMLElement;
  private readonly lettersList: HTMLElement;
  private timer: ReturnType<typeof setInterval> | null = null;

  constructor(private readonly path: string) {
    this.element = document.createElement("section");
    this.element.className = "local-run";
    this.title = document.createElement("h3");
    this.body = document.createElement("dl");
    this.body.className = "local-run-stats";
    this.stop = button("Stop", "local-run-stop");
    this.stop.addEventListener("click", () => void this.act(() => stopLocalRun(this.path)));
    // A stopped run said "Pipeline running locally" still, and starting it again took a new Publish.
    this.again = button("Run again", "local-run-again");
    this.again.addEventListener("click", () => void this.act(() => startLocalRun(this.path)));
    // After a new publish the folder holds the earlier transform's rows too; this deletes them (once this
    // publish's rows are there), for a running run as for a new one.
    this.replaceEarlier = button("Replace the earlier publish's rows", "local-run-replace");
    this.replaceEarlier.addEventListener("click", () => void this.act(() => startLocalRun(this.path, "sample", { replace: true })));
    this.problem = document.createElement("p");
    this.problem.className = "local-run-problem error";
    // The run's newest dead letters with their reason and the event as it arrived: a count alone did not say
    // which events were refused or why. One element kept across polls, so it stays open while the run goes on.
    this.letters = document.createElement("details");
    this.letters.className = "local-run-letters";
    this.lettersSummary = document.createElement("summary");
    this.lettersList = document.createElement("ol");
    this.lettersList.className = "local-run-letter-list";
    this.letters.append(this.lettersSummary, this.lettersList);
    this.letters.hidden = true;
    this.element.append(this.title, this.body, this.letters, this.stop, this.again, this.replaceEarlier, this.problem);
  }

  show(run: LocalRun): void {
    this.element.dataset.state = run.state;
    this.title.textContent = run.state === "running" ? "Pipeline running locally" : run.state === "failed" ? "Local pipeline run failed" : "Local pipeline run stopped";
    const entries: [string, string, string][] = [
      ["state", run.state === "running" ? `running (flush every ${run.flushSeconds} s)` : run.state, "state"],
      ["events in", run.events.toLocaleString("en-US"), "events"],
      // Rows wait in the writer until a flush: "rows written 56, Parquet files 0" read as a lost file.
      ["rows written", run.rowsInFiles < run.rows ? `${run.rowsInFiles.toLocaleString("en-US")}, ${(run.rows - run.rowsInFiles).toLocaleString("en-US")} more waiting for the next flush` : run.rows.toLocaleString("en-US"), "rows"],
      ["Parquet files", `${run.files.toLocaleString("en-US")} (${(run.bytes / 1024).toFixed(1)} KiB)`, "files"],
      ["dead letters", run.deadLetters.toLocaleString("en-US"), "dead-letters"],
      ["folder", run.dir, "dir"],
    ];
    if (run.from === "now") entries.splice(1, 0, ["started from", `what arrived from ${new Date(run.startedAt).toLocaleTimeString()} on`, "from"]);
    else {
      const read = Object.entries(run.sampleEvents);
      const sample = read.length === 0 ? "reading it" : read.map(([source, n]) => `${source}: ${n.toLocaleString("en-US")} ${n === 1 ? "event" : "events"}`).join(", ");
      entries.splice(1, 0, ["started from", `the events the notebook shows (${sample}), then what arrives`, "from"]);
    }
    // What earlier runs wrote: a second run over the same events writes none of them again (each was in the lake twice).
    const already = alreadyWritten(run);
    if (already) entries.splice(2, 0, ["already written", already, "skipped"]);
    // A partition that restarted below the written position (topic deleted and created again): its records were all skipped.
    const again = readAgain(run);
    if (again) entries.splice(already ? 3 : 2, 0, ["read again", again, "restarted"]);
    if (run.rolledBack > 0) entries.push(["unfinished flush", `deleted ${count(run.rolledBack, "file")} of a flush the gateway stopped in before recording it; its events are written again`, "rolled-back"]);
    const earlier = earlierRows(run);
    if (earlier) entries.push(["earlier publish", earlier, "earlier"]);
    if (run.deadLetters > 0) entries.push(["dead letters folder", run.errorsDir, "errors-dir"]);
    entries.push(["published", new Date(run.publishedAt).toLocaleString(), "published"]);
    if (run.replaced) entries.push(["before it", run.replaced, "replaced"]);
    if (run.lastFile) entries.push(["last file", run.lastFile, "last-file"]);
    // The folder alone left a new user to work out how to look at what was written.
    if (run.files > 0) entries.push(["read it", readCommand(run), "read"]);
    if (run.error) entries.push(["error", run.error, "error"]);
    this.body.replaceChildren(
      ...entries.flatMap(([label, value, key]) => {
        const dt = document.createElement("dt");
        dt.textContent = label;
        const dd = document.createElement("dd");
        dd.textContent = value;
        dd.dataset.key = key;
        return [dt, dd];
      }),
    );
    this.showLetters(run);
    this.stop.hidden = run.state !== "running";
    this.again.hidden = run.state === "running";
    this.replaceEarlier.hidden = run.earlier === null || run.replace;
    this.replaceEarlier.textContent = run.state === "running" ? "Replace the earlier publish's rows" : "Run again, replacing the earlier publish's rows";
    if (run.state === "running") this.follow();
    else this.unfollow();
  }

  private showLetters(run: LocalRun): void {
    const recent = run.recentDeadLetters ?? [];
    this.letters.hidden = recent.length === 0;
    if (recent.length === 0) return;
    this.lettersSummary.textContent =
      recent.length < run.deadLetters
        ? `Why: the newest ${recent.length} of ${run.deadLetters.toLocaleString("en-US")} dead letters`
        : `Why: the ${recent.length === 1 ? "dead letter" : `${recent.length} dead letters`}`;
    // Newest first: the one that just arrived is what the person is looking for.
    this.lettersList.replaceChildren(
      ...[...recent].reverse().map((letter) => {
        const li = document.createElement("li");
        const reason = document.createElement("p");
        reason.className = "local-run-letter-reason";
        reason.textContent = letter.source ? `${letter.source}: ${letter.reason}` : letter.reason;
        li.append(reason);
        if (letter.raw !== "") {
          const raw = document.createElement("pre");
          raw.className = "local-run-letter-raw";
          raw.textContent = letter.raw;
          li.append(raw);
        }
        return li;
      }),
    );
  }

  private follow(): void {
    this.timer ??= setInterval(() => {
      listLocalRuns().then(
        (runs) => {
          const mine = runs.find((r) => r.notebook === this.path);
          if (mine) this.show(mine);
        },
        (error: unknown) => console.error(new Error("local run: could not read its progress", { cause: error })),
      );
    }, POLL_MS);
  }

  private unfollow(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
  }

  /** Stops or starts the run; the gateway's refusal shows on the card (it was an unhandled rejection in the console). */
  private async act(request: () => Promise<LocalRun>): Promise<void> {
    this.stop.disabled = this.again.disabled = this.replaceEarlier.disabled = true;
    this.problem.textContent = "";
    try {
      this.show(await request());
    } catch (error) {
      this.problem.textContent = error instanceof ApiError ? error.reason : error instanceof Error ? error.message : String(error);
    } finally {
      this.stop.disabled = this.again.disabled = this.replaceEarlier.disabled = false;
    }
  }

  destroy(): void {
    this.unfollow();
    this.element.remove();
  }
}

function count(n: number, what: string): string {
  return counted(n, what, { grouped: true });
}

function clock(iso: string): string {
  return new Date(iso).toLocaleTimeString();
}

/** "skipped 1,000 events already written by the run at 10:02", or null when no earlier run of this publish wrote. */
export function alreadyWritten(run: LocalRun): string | null {
  if (!run.resumed) return null;
  const runs = run.resumed.runs;
  const by = runs.length <= 1 ? `the run at ${clock(runs[0] ?? run.startedAt)}` : `${runs.length} earlier runs, the last at ${clock(runs.at(-1)!)}`;
  if (run.skipped > 0) return `skipped ${count(run.skipped, "event")} already written by ${by} (${count(run.resumed.events, "event")} in the lake before this run)`;
  return `${count(run.resumed.events, "event")} written by ${by}; this run goes on after them`;
}

/** The streams this run reads from their start although earlier runs wrote from them (a topic created again), or null. */
export function readAgain(run: LocalRun): string | null {
  return run.restarted.length === 0 ? null : run.restarted.join("; ");
}

/** What the folder holds of other publishes (another transform's rows), and whether this run deletes them. */
export function earlierRows(run: LocalRun): string | null {
  if (!run.earlier) return null;
  const times = run.earlier.publishedAt.map((t) => new Date(t).toLocaleString());
  const of = times.length === 0 ? "an earlier publish" : times.length === 1 ? `the publish of ${times[0]}` : `the publishes of ${times.join(", ")}`;
  const files = count(run.earlier.files, "file");
  if (run.replacedFiles !== null) return `deleted the ${files} ${of} wrote; the folder holds this publish's rows only`;
  if (run.replace) return `the ${files} ${of} wrote are deleted after this run's first flush`;
  return `the folder also holds ${files} ${of} wrote (the earlier transform's rows): DuckDB reading it reads both`;
}

/** A command that reads what the run wrote with DuckDB, one per sink: every Parquet file under `<dir>/<sink>/`, at any depth (partitions). */
export function readCommand(run: Pick<LocalRun, "dir" | "sinks">): string {
  return run.sinks.map((sink) => `duckdb -c "SELECT * FROM read_parquet('${`${run.dir}/${sink}/**/*.parquet`.replaceAll("'", "''")}')"`).join("\n");
}
