/**
 * One `runnel` verb. Each verb lives in its own file in this folder and is
 * listed in `main.ts`. `run` returns the process exit code: 0 success,
 * 1 the work failed (a check differed, a notebook has errors), 2 bad usage.
 */
export interface Verb {
  name: string;
  /** One line for the verb list in `runnel --help`. */
  summary: string;
  /** The whole `runnel <verb> --help` text. */
  usage: string;
  run(args: string[]): Promise<number>;
}

/** Thrown by a verb for bad arguments; main prints the message and the verb's usage and exits 2. */
export class UsageError extends Error {
  override name = "UsageError";
}

/**
 * Thrown for a file the command line names that holds what the verb cannot read (a line that is not
 * JSON, a record DuckDB refuses): the arguments were right, so main prints the reason without the
 * usage text, and exits 2 as for bad arguments.
 */
export class InputError extends UsageError {
  override name = "InputError";
}
