import { ApiError, type LocalRun, listLocalRuns, startLocalRun, stopLocalRun } from "../api.ts";
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
    this.element.append(this.title, this.body, this.letters, this.stop, this.again, this.problem);
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
    if (run.deadLetters > 0) entries.push(["dead letters folder", run.errorsDir, "errors-dir"]);
    entries.push(["published", new Date(run.publishedAt).toLocaleString(), "published"]);
    if (run.replaced) entries.push(["before it", run.replaced, "replaced"]);
    if (run.lastFile) entries.push(["last file", run.lastFile, "last-file"]);
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
    this.stop.disabled = this.again.disabled = true;
    this.problem.textContent = "";
    try {
      this.show(await request());
    } catch (error) {
      this.problem.textContent = error instanceof ApiError ? error.reason : error instanceof Error ? error.message : String(error);
    } finally {
      this.stop.disabled = this.again.disabled = false;
    }
  }

  destroy(): void {
    this.unfollow();
    this.element.remove();
  }
}
