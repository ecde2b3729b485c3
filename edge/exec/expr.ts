/**
 * Plan expressions → closures over a row (an array of values in the
 * operator's input order). Built once at start-up; no eval, no new Function.
 * NULL and three-valued logic follow DuckDB.
 */
import { exprChildren } from "../plan/expr-children.ts";
import type { Expr } from "../plan/types.ts";
import type { Value } from "../plan/values.ts";
import { decodeValue } from "../plan/value-json.ts";
import type { FunctionLibrary } from "./functions/contract.ts";

export type Eval = (row: Value[]) => Value;

/** The sub-expressions DuckDB's common-subexpression optimizer would compute for every row of a projection. */
export function sharedSubexpressions(exprs: Expr[]): Expr[] {
  const counts = new Map<string, { e: Expr; n: number }>();
  const visit = (e: Expr, times: number): void => {
    if (e.kind === "function" || e.kind === "cast") {
      const key = JSON.stringify(e);
      const hit = counts.get(key);
      if (hit) hit.n += times;
      else counts.set(key, { e, n: times });
    }
    switch (e.kind) {
      case "column":
      case "constant":
        return;
      case "between":
        // DuckDB binds BETWEEN as two comparisons: its operand occurs twice.
        visit(e.arg, times * 2);
        visit(e.lower, times);
        visit(e.upper, times);
        return;
      default:
        for (const c of exprChildren(e)) visit(c, times);
    }
  };
  for (const e of exprs) visit(e, 1);
  return [...counts.values()].filter((x) => x.n >= 2).map((x) => x.e);
}


/**
 * Shared sub-expressions of one pipeline: an expression that appears twice
 * (`TRY_CAST(ts AS TIMESTAMP)` in WHERE and SELECT) is computed once per
 * input row. Keyed by the expression's JSON; a closure remembers the last row
 * array it saw, and operators that keep the row (filter) pass the same array on.
 */
export type Memo = Map<string, Eval>;

/**
 * Builds the closure for `e`. Throws at build time for a function the library lacks.
 *
 * Which operands run decides which errors surface, so evaluation follows
 * DuckDB's: AND stops at FALSE, OR at TRUE, CASE and COALESCE are lazy, IN
 * evaluates every item. `filter` is DuckDB's selection context (a WHERE /
 * HAVING / FILTER predicate, a CASE condition): there AND also stops at NULL
 * and BETWEEN computes its upper bound only for rows at or above the lower,
 * as DuckDB's selection vectors do.
 */
export function compileExpr(e: Expr, lib: FunctionLibrary, memo?: Memo, filter = false): Eval {
  if (!memo || (e.kind !== "function" && e.kind !== "cast" && e.kind !== "case")) return buildExpr(e, lib, memo, filter);
  const key = JSON.stringify(e);
  const hit = memo.get(key);
  if (hit) return hit;
  const f = buildExpr(e, lib, memo, false);
  let lastRow: Value[] | null = null;
  let lastValue: Value = null;
  const cached: Eval = (row) => {
    if (row !== lastRow) {
      lastValue = f(row);
      lastRow = row;
    }
    return lastValue;
  };
  memo.set(key, cached);
  return cached;
}

function buildExpr(e: Expr, lib: FunctionLibrary, memo: Memo | undefined, filter: boolean): Eval {
  const c = (x: Expr): Eval => compileExpr(x, lib, memo);
  const cf = (x: Expr): Eval => compileExpr(x, lib, memo, filter);
  switch (e.kind) {
    case "column": {
      const i = e.index;
      return (row) => row[i] ?? null;
    }
    case "constant": {
      const v = decodeValue(e.value, e.type);
      return () => v;
    }
    case "cast": {
      const arg = c(e.arg);
      const from = e.arg.type;
      const to = e.type;
      if (from === to) return arg;
      if (e.try) return (row) => lib.tryCastValue(arg(row), from, to);
      return (row) => {
        const v = arg(row);
        return v === null ? null : lib.castValue(v, from, to);
      };
    }
    case "function": {
      const fn = lib.scalars[e.name];
      if (!fn) throw new Error(`exec: the function library has no scalar function ${e.name}()`);
      const args = e.args.map(c);
      const ctx = { argTypes: e.args.map((a) => a.type), resultType: e.type };
      if (args.length === 1) {
        const a0 = args[0]!;
        return (row) => fn([a0(row)], ctx);
      }
      if (args.length === 2) {
        const a0 = args[0]!;
        const a1 = args[1]!;
        return (row) => fn([a0(row), a1(row)], ctx);
      }
      return (row) => fn(args.map((a) => a(row)), ctx);
    }
    case "compare": {
      const l = coerced(e.left, e.compareType, lib, memo);
      const r = coerced(e.right, e.compareType, lib, memo);
      const t = e.compareType;
      const cmp = lib.compareValues;
      switch (e.op) {
        case "=": return (row) => { const a = l(row); if (a === null) return null; const b = r(row); return b === null ? null : cmp(a, b, t) === 0; };
        case "<>": return (row) => { const a = l(row); if (a === null) return null; const b = r(row); return b === null ? null : cmp(a, b, t) !== 0; };
        case "<": return (row) => { const a = l(row); if (a === null) return null; const b = r(row); return b === null ? null : cmp(a, b, t) < 0; };
        case "<=": return (row) => { const a = l(row); if (a === null) return null; const b = r(row); return b === null ? null : cmp(a, b, t) <= 0; };
        case ">": return (row) => { const a = l(row); if (a === null) return null; const b = r(row); return b === null ? null : cmp(a, b, t) > 0; };
        case ">=": return (row) => { const a = l(row); if (a === null) return null; const b = r(row); return b === null ? null : cmp(a, b, t) >= 0; };
        case "IS DISTINCT FROM":
        case "IS NOT DISTINCT FROM": {
          const want = e.op === "IS DISTINCT FROM";
          return (row) => {
            const a = l(row);
            const b = r(row);
            const same = a === null || b === null ? a === b : cmp(a, b, t) === 0;
            return same !== want;
          };
        }
      }
      break;
    }
    case "and": {
      const args = e.args.map(cf);
      if (filter) {
        // Only TRUE keeps a row, so the first operand that is not TRUE decides.
        return (row) => {
          for (const a of args) {
            const v = a(row);
            if (v !== true) return v === null ? null : false;
          }
          return true;
        };
      }
      // Outside a filter DuckDB still skips the other operands of a row already FALSE.
      return (row) => {
        let sawNull = false;
        for (const a of args) {
          const v = a(row);
          if (v === false) return false;
          if (v === null) sawNull = true;
        }
        return sawNull ? null : true;
      };
    }
    case "or": {
      const args = e.args.map(cf);
      return (row) => {
        let sawNull = false;
        for (const a of args) {
          const v = a(row);
          if (v === true) return true;
          if (v === null) sawNull = true;
        }
        return sawNull ? null : false;
      };
    }
    case "not": {
      const a = c(e.arg);
      return (row) => {
        const v = a(row);
        return v === null ? null : !v;
      };
    }
    case "is_null": {
      const a = c(e.arg);
      return e.negated ? (row) => a(row) !== null : (row) => a(row) === null;
    }
    case "in": {
      const a = coerced(e.arg, e.compareType, lib, memo);
      const list = e.list.map((x) => coerced(x, e.compareType, lib, memo));
      const t = e.compareType;
      const neg = e.negated;
      // DuckDB evaluates every list item (no short cut), so their errors surface like DuckDB's.
      const values = new Array<Value>(list.length);
      return (row) => {
        const v = a(row);
        for (let i = 0; i < list.length; i++) values[i] = list[i]!(row);
        if (v === null) return null;
        let sawNull = false;
        for (const w of values) {
          if (w === null) sawNull = true;
          else if (lib.compareValues(v, w, t) === 0) return !neg;
        }
        return sawNull ? null : neg;
      };
    }
    case "between": {
      const a = coerced(e.arg, e.compareType, lib, memo);
      const lo = coerced(e.lower, e.compareType, lib, memo);
      const hi = coerced(e.upper, e.compareType, lib, memo);
      const t = e.compareType;
      const neg = e.negated;
      if (filter && !neg) {
        // DuckDB selects on `arg >= lower` first and computes the upper bound only for the rows left.
        return (row) => {
          const v = a(row);
          const l = lo(row);
          if (v === null || l === null || lib.compareValues(v, l, t) < 0) return false;
          const h = hi(row);
          if (h === null) return null;
          return lib.compareValues(v, h, t) <= 0;
        };
      }
      return (row) => {
        const v = a(row);
        const l = lo(row);
        const h = hi(row);
        const ge = v === null || l === null ? null : lib.compareValues(v, l, t) >= 0;
        const le = v === null || h === null ? null : lib.compareValues(v, h, t) <= 0;
        const r = ge === false || le === false ? false : ge === null || le === null ? null : true;
        return r === null ? null : neg ? !r : r;
      };
    }
    case "case": {
      const whens = e.whens.map((w) => ({ when: compileExpr(w.when, lib, memo, true), then: coerced(w.then, e.type, lib, memo) }));
      const otherwise = coerced(e.else, e.type, lib, memo);
      return (row) => {
        for (const w of whens) if (w.when(row) === true) return w.then(row);
        return otherwise(row);
      };
    }
    case "coalesce": {
      const args = e.args.map((x) => coerced(x, e.type, lib, memo));
      return (row) => {
        for (const a of args) {
          const v = a(row);
          if (v !== null) return v;
        }
        return null;
      };
    }
    case "field": {
      const a = c(e.arg);
      const f = e.field;
      return (row) => {
        const v = a(row);
        return v === null ? null : ((v as { [k: string]: Value })[f] ?? null);
      };
    }
  }
  throw new Error(`exec: unknown expression kind ${(e as { kind: string }).kind}`);
}

/** `x` evaluated and implicitly cast to `type`, as DuckDB binds it. */
function coerced(x: Expr, type: string, lib: FunctionLibrary, memo?: Memo): Eval {
  const f = compileExpr(x, lib, memo);
  if (x.type === type || x.type === "NULL" || x.type === '"NULL"') return f;
  const from = x.type;
  return (row) => {
    const v = f(row);
    return v === null ? null : lib.castValue(v, from, type);
  };
}
