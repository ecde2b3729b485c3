/**
 * Test helper: call a registry function exactly as DuckDB would bind the
 * same SQL expression, and return both answers side by side.
 */
import type { Value } from "../../plan/values.ts";
import { scalars } from "./index.ts";
import { answerOf, duck, expected, lit, type Answer } from "./oracle.node.ts";

async function typeOf(expr: string): Promise<string> {
  // typeof() is folded at bind time, so it answers even when the value errors.
  const t = await duck(`typeof(${expr})`);
  return t.ok ? String(t.value) : "VARCHAR";
}

export interface Both { ours: Answer; theirs: Answer; sql: string }

/**
 * `sql` builds the expression from argument literals; `name` is the registry
 * key. The result type comes from DuckDB; argument types are the given ones.
 */
export async function callBoth(
  name: string,
  args: Value[],
  argTypes: string[],
  sql: (lits: string[]) => string = (l) => `${name}(${l.join(", ")})`,
): Promise<Both> {
  const lits = args.map((a, i) => lit(a, argTypes[i]!));
  const expr = sql(lits);
  const d = await duck(expr);
  const resultType = d.ok ? d.type : await typeOf(expr);
  const fn = scalars[name];
  if (!fn) throw new Error(`no scalar ${name}`);
  const ours = answerOf(() => fn(args, { argTypes, resultType }));
  return { ours, theirs: expected(d), sql: expr };
}
