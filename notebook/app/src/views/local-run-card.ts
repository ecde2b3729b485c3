import { type LocalRun, listLocalRuns, stopLocalRun } from "../api.ts";
import { button } from "./source-card.ts";

const POLL_MS = 1000;

/**
 * The notebook's published pipeline running inside the gateway: what it has
 * consumed and written so far (events, rows, Parquet files, dead letters),
 * where the files go, and a Stop button. It polls the gateway while running.
 */
export class LocalRunCard {
  readonly element: HTMLElement;
  private readonly body: HTMLElement;
  private readonly stop: HTMLButtonElement;
  private timer: ReturnType<typeof setInterval> | null = null;

  constructor(private readonly path: string) {
    this.element = document.createElement("section");
    this.element.className = "local-run";
    const title = document.createElement("h3");
    title.textContent = "Pipeline running locally";
    this.body = document.createElement("dl");
    this.body.className = "local-run-stats";
    this.stop = button("Stop", "local-run-stop");
    this.stop.addEventListener("click", () => void this.halt());
    this.element.append(title, this.body, this.stop);
  }

  show(run: LocalRun): void {
    this.element.dataset.state = run.state;
    const entries: [string, string, string][] = [
      ["state", run.state === "running" ? `running (flush every ${run.flushSeconds} s)` : run.state, "state"],
      ["events in", run.events.toLocaleString("en-US"), "events"],
      ["rows written", run.rows.toLocaleString("en-US"), "rows"],
      ["Parquet files", `${run.files.toLocaleString("en-US")} (${(run.bytes / 1024).toFixed(1)} KiB)`, "files"],
      ["dead letters", run.deadLetters.toLocaleString("en-US"), "dead-letters"],
      ["folder", run.dir, "dir"],
    ];
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
    this.stop.hidden = run.state !== "running";
    if (run.state === "running") this.follow();
    else this.unfollow();
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

  private async halt(): Promise<void> {
    this.stop.disabled = true;
    try {
      this.show(await stopLocalRun(this.path));
    } finally {
      this.stop.disabled = false;
    }
  }

  destroy(): void {
    this.unfollow();
    this.element.remove();
  }
}
