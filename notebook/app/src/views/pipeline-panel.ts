import { counted } from "../../../format/counted.ts";
import { type LocalRun, runPipeline, startLocalRun } from "../api.ts";
import type { CheckResult, PublishResult } from "../../../../gateway/pipeline/routes.ts";
import { latenessOffers, type LateStep } from "./lateness-offers.ts";
import { PipelineProgress } from "./pipeline-progress.ts";
import { button } from "./source-card.ts";

type Result = CheckResult | PublishResult;

/**
 * The check / publish panel: the gateway's progress lines as they stream in,
 * a bar for publish's four steps and the check's comparisons, then the verdict —
 * every comparison agrees, the first difference with both answers, a compile
 * error with its cell and line, or where the bundle went and what to run next.
 */
export class PipelinePanel {
  readonly element: HTMLElement;
  private readonly heading: HTMLElement;
  private readonly bar: HTMLProgressElement;
  private readonly log: HTMLElement;
  private readonly verdict: HTMLElement;
  private readonly actions: HTMLElement;

  constructor(
    private readonly path: string,
    private readonly beforeRun: () => Promise<void>,
    private readonly onLocalRun: (run: LocalRun) => void,
    /** Scrolls to the named cell and puts the cursor on `line` of the notebook file, if given. */
    private readonly showCell: (cell: string, fileLine: number | null) => boolean = () => false,
    /** Sets sink `sink`'s `lateness:` in the front matter to `lateness` (`3 minutes`); answers why not, or null. */
    private readonly setLateness: ((sink: string, lateness: string) => Promise<string | null>) | null = null,
    /** What each source whose table no longer fits its live events holds that the check's sample types otherwise. */
    private readonly staleSources: () => StaleSource[] = () => [],
  ) {
    this.element = document.createElement("section");
    this.element.className = "pipeline-panel";
    this.element.setAttribute("role", "dialog");
    this.heading = document.createElement("h2");
    this.bar = document.createElement("progress");
    this.bar.className = "pipeline-progress";
    this.log = document.createElement("pre");
    this.log.className = "pipeline-log";
    this.verdict = document.createElement("div");
    this.verdict.className = "pipeline-verdict";
    this.actions = document.createElement("div");
    this.actions.className = "pipeline-actions";
    this.element.setAttribute("aria-labelledby", "pipeline-heading");
    this.element.tabIndex = -1;
    this.heading.id = "pipeline-heading";
    // The heading says how the run ends ("✓ The pipeline agrees…"); a screen reader hears it when it changes.
    this.heading.setAttribute("aria-live", "polite");
    const close = button("Close", "pipeline-close");
    close.addEventListener("click", () => this.close());
    // Escape closes the panel, as it closes any dialog, and focus goes back to the button that opened it.
    this.element.addEventListener("keydown", (event) => {
      if (event.key === "Escape") {
        event.preventDefault();
        this.close();
      }
    });
    this.actions.append(close);
    this.element.append(this.heading, this.bar, this.verdict, this.log, this.actions);
  }

  /** Runs `verb` and shows it; resolves when the result is shown. */
  async run(verb: "check" | "publish", force = false): Promise<void> {
    document.querySelector(".pipeline-panel")?.remove();
    const opener = document.activeElement;
    this.opener = opener instanceof HTMLElement && opener !== document.body ? opener : null;
    document.body.append(this.element);
    this.element.focus();
    this.heading.textContent = verb === "check" ? "Checking the pipeline against DuckDB…" : force ? "Publishing (forced)…" : "Publishing…";
    this.element.dataset.state = "running";
    this.verdict.replaceChildren();
    this.log.textContent = "";
    this.bar.removeAttribute("value");
    for (const extra of this.actions.querySelectorAll(".pipeline-force, .pipeline-run-local, .pipeline-show-cell, .pipeline-set-lateness, .pipeline-again, .pipeline-reload")) extra.remove();
    const progress = new PipelineProgress(verb);
    try {
      await this.beforeRun();
      for await (const message of runPipeline(verb, this.path, force)) {
        if (message.event === "progress") {
          const line = (message.data as { line: string }).line;
          this.log.textContent += `${line}\n`;
          this.log.scrollTop = this.log.scrollHeight;
          const value = progress.line(line);
          if (value !== null) this.bar.value = value;
        } else if (message.event === "result") {
          this.show(verb, message.data as Result);
        } else {
          this.fail((message.data as { message: string }).message);
        }
      }
    } catch (error) {
      this.fail(error instanceof Error ? error.message : String(error));
    }
  }

  private show(verb: "check" | "publish", result: Result): void {
    this.bar.value = 1;
    this.warnStale(result);
    const para = (text: string, className = ""): HTMLElement => {
      const p = document.createElement("p");
      p.className = className;
      p.textContent = text;
      return p;
    };
    const detail = (text: string): HTMLElement => {
      const pre = document.createElement("pre");
      pre.className = "pipeline-detail";
      pre.textContent = text;
      return pre;
    };
    // A notebook with no sink cell has nothing to compare: the gateway answers "0 comparisons, 0
    // differ", which read as a green "agrees" on a first notebook; Publish refuses the same notebook.
    const nothing = result.kind === "check" && result.comparisons === 0;
    const ok = result.kind === "check" ? result.agree && !nothing : result.kind === "published";
    this.element.dataset.state = ok ? "ok" : "failed";
    switch (result.kind) {
      case "check": {
        if (nothing) {
          this.heading.textContent = "✗ Nothing to check: no cell writes to a sink";
          this.verdict.append(
            para("Check compares, on the sample, what the cells that feed a sink would write with what DuckDB answers. Declare a sink in the front matter and mark the cell whose rows it writes:"),
            detail("---\nsinks:\n  lake:\n    fs: { dir: data, prefix: lake/ }\n---\n\n```sql id=clean sink=lake\n…\n```"),
          );
          break;
        }
        this.heading.textContent = result.agree ? "✓ The pipeline agrees with DuckDB" : "✗ The pipeline differs from DuckDB";
        const samples = Object.entries(result.samples).map(([s, n]) => `${s}: ${counted(n, "event")}`).join(", ");
        this.verdict.append(para(`${result.comparisons} comparisons on the sample (${samples}), edge cases and random events; ${result.steps.filter((s) => !s.agree).length} differ.`));
        const differing = result.steps.filter((x) => !x.agree);
        for (const s of differing.slice(0, 3)) this.verdict.append(para(`${s.cell} → ${s.sink} · ${s.step}`, "pipeline-step"), detail(s.detail ?? "answers differ"));
        if (differing[0] !== undefined) this.offerShowCell(differing[0].cell, null);
        this.offerLateness("check", differing);
        break;
      }
      case "published":
        this.heading.textContent = result.forced ? "Published with --force" : `✓ Published ${result.name}`;
        {
          // The runner's code-split chunks are many hashed names; count them rather than list them.
          const chunks = result.files.filter((f) => /^runner-chunk-/.test(f)).length;
          const files = [...result.files.filter((f) => !/^runner-chunk-/.test(f)), ...(chunks > 0 ? [`${chunks} runner chunks`] : [])];
          this.verdict.append(para(`Bundle: ${result.dir}/ (${files.join(", ")}). The plan ${result.forced ? "differs from" : "agrees with"} DuckDB on ${result.comparisons} comparisons.`));
        }
        if (result.difference) this.verdict.append(detail(result.difference));
        this.verdict.append(para("Next:"), detail(result.next.join("\n")));
        {
          const local = button("Run locally", "pipeline-run-local");
          local.title = "Run this pipeline inside the gateway on the events the notebook shows, then on the live stream, writing Parquet to a local folder";
          local.addEventListener("click", () => {
            local.disabled = true;
            startLocalRun(this.path).then(
              (run) => {
                this.onLocalRun(run);
                this.element.remove();
              },
              (error: unknown) => {
                local.disabled = false;
                this.fail(error instanceof Error ? error.message : String(error));
              },
            );
          });
          this.actions.prepend(local);
        }
        break;
      case "refused": {
        this.heading.textContent = "✗ Not published: the pipeline differs from DuckDB";
        this.verdict.append(para(`${result.failed} of ${result.comparisons} comparisons differ. First:`), detail(result.difference));
        const first = result.steps.find((x) => !x.agree);
        if (first !== undefined) this.offerShowCell(first.cell, null);
        this.offerLateness("publish", result.steps.filter((x) => !x.agree));
        const force = button("Publish anyway", "pipeline-force");
        force.title = "Publish with --force; the bundle records the difference";
        force.addEventListener("click", () => void this.run("publish", true));
        this.actions.prepend(force);
        break;
      }
      case "compile-error":
        this.heading.textContent = verb === "check" ? "✗ The sink cells do not compile" : "✗ Not published: the sink cells do not compile";
        this.verdict.append(detail(result.message));
        {
          // The compiler names the cell and the notebook line: "... in cell per_minute (turnstile.md line 65)".
          const at = /\bin cell (\S+) \([^()]* line (\d+)\)/.exec(result.message);
          if (at !== null) this.offerShowCell(at[1]!, Number(at[2]));
        }
        break;
      case "invalid":
        this.heading.textContent = "✗ The notebook has problems";
        this.verdict.append(detail(result.issues.join("\n")));
        break;
    }
  }

  private opener: HTMLElement | null = null;

  /**
   * The check read each source's sample as the gateway holds it now, typed from every event in it; the page's
   * table was typed from the sample it read when it opened. Once live events stopped fitting that table (a
   * number field that got "n/a", a new key), the check could pass while the cells showed other types and
   * columns than the pipeline writes (`amount` DOUBLE with ∅ on the page, JSON `"n/a"` in the lake). Said
   * above the verdict, with the reload that shows what the pipeline reads.
   */
  private warnStale(result: Result): void {
    if (result.kind !== "check" && result.kind !== "published" && result.kind !== "refused") return;
    const stale = this.staleSources();
    if (stale.length === 0) return;
    const p = document.createElement("p");
    p.className = "pipeline-stale";
    p.setAttribute("role", "note");
    p.textContent =
      `The cells show ${stale.map((s) => s.source).join(", ")} typed as ${stale.length === 1 ? "its" : "their"} sample was when the page opened, and live events since did not fit: ` +
      stale.map((s) => `${s.source}: ${s.why}`).join("; ") +
      `. This ${verbName(result)} read the gateway's sample as it is now, typed from those events too, so the pipeline's types and columns can differ from the cells'. Reload the page to see what it writes.`;
    this.verdict.before(p);
    const reload = button("Reload the page", "pipeline-reload");
    reload.title = "Open the notebook again: its sources are typed from the gateway's sample as it is now";
    reload.addEventListener("click", () => location.reload());
    this.actions.prepend(reload);
  }

  private close(): void {
    const hadFocus = this.element.contains(document.activeElement);
    this.element.remove();
    if (hadFocus && this.opener?.isConnected) this.opener.focus();
  }

  /** A "Go to cell" button in the actions, for a verdict that names a cell of this notebook. */
  private offerShowCell(cell: string, fileLine: number | null): void {
    const go = button(`Go to ${cell}${fileLine === null ? "" : ` (line ${fileLine})`}`, "pipeline-show-cell");
    go.title = "Scroll to the cell and put the cursor where the problem is";
    go.addEventListener("click", () => {
      if (this.showCell(cell, fileLine)) this.element.remove();
    });
    this.actions.prepend(go);
  }

  /**
   * For each sink whose late events the check says a larger lateness would keep (the step's `lateness`,
   * or its sentence from a gateway without that field), a button that writes that lateness into the
   * sink's entry; once written, it becomes "Check again" / "Publish again".
   */
  private offerLateness(verb: "check" | "publish", steps: readonly LateStep[]): void {
    const setLateness = this.setLateness;
    if (setLateness === null) return;
    for (const [sink, lateness] of latenessOffers(steps)) {
      const set = button(`Set ${sink}'s lateness to ${lateness}`, "pipeline-set-lateness");
      set.title = `Write lateness: ${lateness} into sink ${sink}'s entry in the front matter`;
      set.addEventListener("click", () => {
        set.disabled = true;
        setLateness(sink, lateness).then(
          (refused) => {
            if (refused !== null) {
              set.disabled = false;
              this.verdict.append(this.note(`Lateness not set: ${refused}`, "pipeline-lateness-refused"));
              return;
            }
            this.verdict.append(this.note(`Sink ${sink}'s lateness is now ${lateness} (written to the front matter).`, "pipeline-lateness-set"));
            const again = button(verb === "check" ? "Check again" : "Publish again", "pipeline-again");
            again.addEventListener("click", () => void this.run(verb));
            set.replaceWith(again);
            again.focus();
          },
          (error: unknown) => {
            set.disabled = false;
            this.verdict.append(this.note(`Lateness not set: ${error instanceof Error ? error.message : String(error)}`, "pipeline-lateness-refused"));
          },
        );
      });
      this.actions.prepend(set);
    }
  }

  private note(text: string, className: string): HTMLElement {
    const p = document.createElement("p");
    p.className = className;
    p.setAttribute("role", "status");
    p.textContent = text;
    return p;
  }

  private fail(message: string): void {
    this.element.dataset.state = "failed";
    this.heading.textContent = "✗ Failed";
    this.verdict.replaceChildren();
    const pre = document.createElement("pre");
    pre.className = "pipeline-detail";
    pre.textContent = message;
    this.verdict.append(pre);
  }
}

/** A source whose table's types no longer fit its live events (`SourceStats.misfits`, `newKeys`), in words. */
export interface StaleSource {
  source: string;
  /** `2 events held a value its column cannot hold (amount: "n/a" into DOUBLE); a key it has no column for: extra` */
  why: string;
}

function verbName(result: Result): string {
  return result.kind === "check" ? "check" : "publish";
}
