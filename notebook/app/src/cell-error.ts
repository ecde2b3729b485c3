/**
 * A cell's failure as the page shows it: which cell, the message, and the
 * line inside the cell (1-based) when the parser or DuckDB names one.
 * `waitingOn` is set when the cell did not run because an input failed.
 */
export class CellError extends Error {
  override name = "CellError";
  constructor(
    readonly cell: string,
    message: string,
    readonly line: number | null,
    options: { cause?: unknown; waitingOn?: string; column?: number | null; key?: string; hint?: string } = {},
  ) {
    super(message, { cause: options.cause });
    this.hint = options.hint ?? null;
    this.waitingOn = options.waitingOn ?? null;
    this.column = options.column ?? null;
    this.key = options.key ?? null;
  }
  /**
   * The page's key of the cell that failed. An unnamed cell's label (`#2`) is its place in the
   * file, which the view does not know, so the view tells its own failure from an input's by key.
   */
  key: string | null;
  readonly waitingOn: string | null;
  /** The 1-based column on `line` where DuckDB places the error, when it says. */
  readonly column: number | null;
  /** What the page adds to DuckDB's words: what happened and what to write instead. */
  readonly hint: string | null;
}

/** What a source's variable rejects with while the source has no events (no table yet): its readers wait. */
export class SourceWaiting extends CellError {
  override name = "SourceWaiting";
  constructor(source: string) {
    super(source, SourceWaiting.messageOf(source), null);
  }

  static messageOf(source: string): string {
    return `source ${source} has no events yet`;
  }
}

/**
 * What a SQL cell rejects with once the person stopped its run (Stop in its bar, Escape in its
 * editor): not a failure of the query. It stays stopped, the live stream does not run it again,
 * until it is run (Run, Shift-Enter).
 */
export class CellCancelled extends CellError {
  override name = "CellCancelled";
  static readonly MESSAGE = "cancelled: the run was stopped before it finished; Run (Shift-Enter) runs it again";
  constructor(cell: string, key: string) {
    super(cell, CellCancelled.MESSAGE, null, { key });
  }
}

/** The runtime's error for a cell whose input rejected; the input's name is in `input`. */
export interface UpstreamFailure {
  name: "RuntimeError";
  message: string;
  input?: string;
}

/** Reads what went wrong for cell `label` (page key `key`) from whatever the runtime rejected with. */
export function describeFailure(label: string, error: unknown, isCell: (name: string) => boolean, key?: string): CellError {
  if (error instanceof CellError) {
    const own = error.key !== null && key !== undefined ? error.key === key : error.cell === label;
    return own ? error : new CellError(label, error.message, null, { cause: error, waitingOn: error.cell });
  }
  if (error instanceof Error && error.name === "RuntimeError") {
    const input = (error as Error & { input?: string }).input;
    // The runtime hands a reader its input's failure as a RuntimeError naming the input's variable,
    // which for a source is `source <name>` (reactive.ts sourceVariable).
    const source = input?.startsWith("source ") ? input.slice("source ".length) : null;
    if (source !== null && error.message === SourceWaiting.messageOf(source)) {
      return new CellError(label, error.message, null, { cause: new SourceWaiting(source), waitingOn: source });
    }
    if (input !== undefined && input !== label && isCell(input)) {
      // The input cell is itself waiting for a source's first event (the runtime passes the message on):
      // this one waits for the same, it did not fail.
      const waitingFor = /^source (\S+) has no events yet$/.exec(error.message)?.[1];
      const cause = waitingFor !== undefined && error.message === SourceWaiting.messageOf(waitingFor) ? new SourceWaiting(waitingFor) : error;
      return new CellError(label, error.message, null, { cause, waitingOn: input });
    }
    return new CellError(label, error.message, null, { cause: error });
  }
  if (error instanceof Error) return new CellError(label, error.message, jsErrorLine(error), { cause: error });
  return new CellError(label, String(error), null, { cause: error });
}

/**
 * The line of a JavaScript error inside a compiled cell. Cells are compiled
 * with `new Function`, whose body starts two lines into the generated source.
 */
export function jsErrorLine(error: Error): number | null {
  const match = /<anonymous>:(\d+):\d+/.exec(error.stack ?? "");
  return match === null ? null : Math.max(1, Number(match[1]) - 2);
}
