import type { NotebookIssue, Position } from "./model.ts";

/** An issue at a position. */
export function issueAt(
  file: string,
  at: Pick<Position, "line" | "column">,
  message: string,
  extra: Pick<NotebookIssue, "cell" | "subsystem"> = {},
): NotebookIssue {
  return { file, line: at.line, column: at.column, message, ...extra };
}

/** The one-line form printed to people: `format: notebooks/t.md:14:1: message`. */
export function formatIssue(issue: NotebookIssue): string {
  return `${issue.subsystem ?? "format"}: ${issue.file}:${issue.line}:${issue.column}: ${issue.message}`;
}
