/**
 * Where the check / publish panel's bar stands, from the progress lines as they arrive: publish's
 * four numbered steps (`[2/4] …`: the start of step 2 is a quarter done), and inside the check
 * (a check, or publish's step 2) the `✓`/`✗` comparison lines counted against the number the
 * check announces (`comparing 24 times: …`). Null while there is nothing to measure by.
 */
export class PipelineProgress {
  private expected = 0;
  private done = 0;
  private step = 0;

  constructor(private readonly verb: "check" | "publish") {}

  /** The bar's value after `line` (0–1), or null for an indeterminate bar. */
  line(line: string): number | null {
    const text = line.trim();
    const numbered = /^\[(\d)\/4\]/.exec(text);
    if (numbered) this.step = Number(numbered[1]);
    const announced = /^comparing (\d+) times/.exec(text);
    if (announced) this.expected = Number(announced[1]);
    if (/^[✓✗] /.test(text) && !text.includes(", one event at a time:")) this.done++;
    const checked = this.expected > 0 ? Math.min(0.95, this.done / this.expected) : null;
    if (this.verb === "check") return checked;
    if (this.step === 0) return null;
    return (this.step - 1) / 4 + (this.step === 2 && checked !== null ? checked / 4 : 0);
  }
}
