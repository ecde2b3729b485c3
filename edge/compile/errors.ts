import type { Origin } from "../plan/types.ts";

/**
 * A construct the compiler cannot turn into a plan, with its place and what
 * to write instead. The message reads
 * `plan: <what> in cell <id> (<file> line <n>): <suggestion>`.
 */
export class CompileError extends Error {
  override name = "CompileError";
  constructor(
    readonly what: string,
    readonly origin: Origin,
    readonly suggestion: string,
    options?: { cause?: unknown },
  ) {
    super(`plan: ${what} in cell ${origin.cell} (${origin.file} line ${origin.line})${suggestion ? `: ${suggestion}` : ""}`, options);
  }
}
