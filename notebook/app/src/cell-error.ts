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
    options: { cause?: unknown; waitingOn?: string; column?: number | null } = {},
  ) {
    super(message, { cause: options.cause });
    this.waitingOn = options.waitingOn ?? null;
    this.column = options.column ?? null;
  }
  readonly waitingOn: string | null;
  /** The 1-based column on `line` where DuckDB places the error, when it says. */
  readonly column: number | null;
}

/** The runtime's error for a cell whose input rejected; the input's name is in `input`. */
export interface UpstreamFailure {
  name: "RuntimeError";
  message: string;
  input?: string;
}

/** Reads what went wrong for cell `label` from whatever the runtime rejected with. */
export function describeFailure(label: string, error: unknown, isCell: (name: string) => boolean): CellError {
  if (error instanceof CellError) {
    return error.cell === label ? error : new CellError(label, error.message, null, { cause: error, waitingOn: error.cell });
  }
  if (error instanceof Error && error.name === "RuntimeError") {
    const input = (error as Error & { input?: string }).input;
    if (input !== undefined && input !== label && isCell(input)) {
      return new CellError(label, error.message, null, { cause: error, waitingOn: input });
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
