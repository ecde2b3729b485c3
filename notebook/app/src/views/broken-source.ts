import type { NotebookIssue } from "../../../format/index.ts";
import { manageButtons, type SourceManagement } from "./source-card.ts";

/**
 * The front matter's problems with source `name`'s entry, as the issues box shows them
 * (`line 5:75 sources.github.webhook.metadata: ...`).
 */
export function sourceProblems(issues: readonly NotebookIssue[], name: string): string[] {
  const prefix = `sources.${name}`;
  const own = issues.filter((i) => i.message.startsWith(`${prefix}.`) || i.message.startsWith(`${prefix}:`));
  // Front matter that is not valid YAML names no source, yet opens none: its error is every source's
  // problem (the cells said "its entry has a problem" over an empty line).
  const problems = own.length > 0 ? own : issues.filter((i) => i.message.startsWith("front matter "));
  return problems.map((i) => `line ${i.line}:${i.column} ${i.message}`);
}

/**
 * What a cell reading a source whose entry has a problem shows instead of DuckDB's "Table with
 * name … does not exist": the source is declared, the notebook just could not open it.
 */
export function brokenSourceMessage(name: string, problems: readonly string[]): string {
  const listed = problems.length > 0 ? problems.join("\n") : "(listed above the notebook)";
  return `source ${name} is declared under sources:, but its entry has a problem, so the notebook has no table for it:\n${listed}\nFix it in the file's front matter and reload the page.`;
}

/**
 * What a cell reading a source whose sample could not be read shows (the gateway's `reason`: a
 * broker that does not answer, a topic that is not there), rather than DuckDB's "Table with name …
 * does not exist! Did you mean "pg_prepared_statements"?".
 */
export function sampleFailureMessage(name: string, reason: string): string {
  return `source ${name} could not be read, so the notebook has no table for it:\n${reason}\nReload the page once that is fixed.`;
}

/** A source in the side panel that could not be opened because its entry has a problem. */
export function brokenSourceCard(name: string, problems: readonly string[], manage: SourceManagement | null = null): HTMLElement {
  const element = document.createElement("section");
  element.className = "source source-broken";
  element.dataset.source = name;
  const title = document.createElement("h3");
  title.innerHTML = `<span class="source-name"></span> <span class="source-kind">not opened</span>`;
  title.querySelector(".source-name")!.textContent = name;
  const why = document.createElement("pre");
  why.className = "source-error";
  why.textContent = problems.join("\n");
  element.append(title, why);
  if (manage !== null) {
    const actions = document.createElement("div");
    actions.className = "source-actions";
    actions.append(...manageButtons(name, manage));
    element.append(actions);
  }
  return element;
}
