/**
 * A call's outcome as the tests compare it: a value, or the error as DuckDB
 * prints it (first line). Web-standard, so workerd tests can use it too.
 */
import type { Value } from "../../plan/values.ts";
import { SqlError } from "./contract.ts";

export type Answer = { ok: true; value: Value } | { ok: false; error: string };

/** Runs `f`, turning a SqlError into an Answer the way DuckDB reports it. */
export function answerOf(f: () => Value): Answer {
  try {
    return { ok: true, value: f() };
  } catch (e) {
    if (e instanceof SqlError) return { ok: false, error: e.duckdbText.split("\n")[0]! };
    throw e;
  }
}
