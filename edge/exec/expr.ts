/**
 * Plan expressions → closures over a row (an array of values in the
 * operator's input order). Built once at start-up; no eval, no new Function.
 * NULL and three-valued logic follow DuckDB.
 */
import { exprChildren } from "../plan/expr-children.ts";
import type { Expr } from "../plan/types.ts";
import type { Value } from "../plan/values.ts";
import { decodeValue } from "../plan/value-json.ts";
import type { CallContext, FunctionLibrary, ScalarFn } from "./functions/contract.ts";
import { MAX_REMEMBERED_TEXT, ownCopy, Recall } from "./functions/recall.ts";

export type Eval = (row: Value[]) => Value;

/** How often each function, cast or CASE node occurs in `exprs`, keyed by its JSON. */
export function countSubexpressions(exprs: Expr[]): Map<string, { e: Expr; n: number }> {
  const counts = new Map<string, { e: Expr; n: number }>();
  const visit = (e: Expr, times: number): void => {
    if (e.kind === "function" || e.kind === "cast" || e.kind === "case") {
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
  return counts;
}

/**
 * The sub-expressions DuckDB's common-subexpression optimizer would compute for every row of a
 * projection, counted as its `CountExpressions` counts them: only the first operand of AND, OR
 * and CASE (its first WHEN) always runs, so an expression met first in a later operand (a THEN,
 * an ELSE, a later WHEN, AND's second operand) starts no count; met there after a count exists,
 * it adds to it. Two CASEs guarding the same CAST with different conditions therefore share
 * nothing, and the CAST fails for no row its CASE skips; an AND repeated whole is computed
 * ahead, every operand for every row, as DuckDB does.
 */
export function sharedSubexpressions(exprs: Expr[]): Expr[] {
  const counts = new Map<string, { e: Expr; n: number }>();
  const visit = (e: Expr, times: number, shortCircuited: boolean): void => {
    if (e.kind === "function" || e.kind === "cast" || e.kind === "case" || e.kind === "and" || e.kind === "or") {
      const key = JSON.stringify(e);
      const hit = counts.get(key);
      if (hit) hit.n += times;
      else if (!shortCircuited) counts.set(key, { e, n: times });
    }
    switch (e.kind) {
      case "column":
      case "constant":
        return;
      case "between":
        // DuckDB binds BETWEEN as two comparisons: its operand occurs twice.
        visit(e.arg, times * 2, shortCircuited);
        visit(e.lower, times, shortCircuited);
        visit(e.upper, times, shortCircuited);
        return;
      case "and":
      case "or":
      case "case":
        exprChildren(e).forEach((c, i) => visit(c, times, shortCircuited || i > 0));
        return;
      default:
        for (const c of exprChildren(e)) visit(c, times, shortCircuited);
    }
  };
  for (const e of exprs) visit(e, 1, false);
  return [...counts.values()].filter((x) => x.n >= 2 && x.e.kind !== "case").map((x) => x.e);
}

/** Text functions that answer every text (no error, whatever the input). */
const INFALLIBLE_TEXT = new Set(["trim", "ltrim", "rtrim", "lower", "upper", "lcase", "ucase", "md5", "sha256"]);

/**
 * Whether evaluating `e` can never raise an error: columns, constants, and the text functions
 * above (and `||`) over text. Computing such a shared sub-expression ahead of its uses shows
 * nothing (DuckDB does it so that its errors surface first), so a projection may leave it to its
 * first use, which a remembered expression around it often skips.
 */
export function infallible(e: Expr): boolean {
  switch (e.kind) {
    case "column":
    case "constant":
      return true;
    case "function":
      return (INFALLIBLE_TEXT.has(e.name) || (e.name === "||" && isTextConcat(e))) && e.type === "VARCHAR" && e.args.every((a) => a.type === "VARCHAR" && infallible(a));
    default:
      return false;
  }
}

/**
 * Shared sub-expressions of one pipeline: an expression that appears twice
 * (`TRY_CAST(ts AS TIMESTAMP)` in WHERE and SELECT) is computed once per
 * input row. Keyed by the expression's JSON; a closure remembers the last row
 * array it saw, and operators that keep the row (filter) pass the same array on.
 */
export class Memo extends Map<string, Eval> {
  /** The keys of the sub-expressions that answer from a memory of their own (see `remembered`). */
  readonly recalled = new Set<string>();

  /**
   * A batch's converted rows (null for an event that did not convert) while they are run one by
   * one, and the index of the row running: remembered sub-expressions look up the whole batch's
   * keys first (`prefetch`), so the lookups' cache misses overlap instead of coming one a row.
   */
  batchRows: readonly (Value[] | null)[] | null = null;
  rowIndex = 0;
  batch = 0;
  readonly prefetchers: ((rows: readonly (Value[] | null)[]) => void)[] = [];

  /** Looks up, for every remembered sub-expression over the scan row, the keys of all `rows`. */
  prefetch(rows: readonly (Value[] | null)[]): void {
    this.batch++;
    this.batchRows = rows;
    for (const p of this.prefetchers) p(rows);
  }

  /** The keys worth a cache (they occur more than once); null caches every function, cast and CASE. */
  constructor(readonly repeated: ReadonlySet<string> | null = null) {
    super();
  }

  /** A memo for a pipeline whose expressions are `exprs`: only their repeated sub-expressions get a cache. */
  static of(exprs: Expr[]): Memo {
    return new Memo(new Set([...countSubexpressions(exprs)].filter(([, x]) => x.n >= 2).map(([k]) => k)));
  }
}

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
  // The largest sub-expression worth remembering is remembered; none inside it is.
  const keys = recalling === 0 ? recallKeys(e, memo.recalled) : null;
  let f: Eval;
  if (keys === null) {
    f = buildExpr(e, lib, memo, false);
  } else {
    recalling++;
    try {
      f = remembered(buildExpr(e, lib, memo, false), keys, ownAnswers(e), memo);
      memo.recalled.add(key);
    } finally {
      recalling--;
    }
  }
  if (memo.repeated !== null && !memo.repeated.has(key)) {
    // Computed in one place only: a cache would cost more than it saves.
    memo.set(key, f);
    return f;
  }
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
    case "column":
      return columnEval(e.index);
    case "constant":
      return constantEval(decodeValue(e.value, e.type));
    case "cast": {
      const arg = c(e.arg);
      const from = e.arg.type;
      const to = e.type;
      if (from === to) return arg;
      const k = constantOf(arg);
      if (k !== NOT_CONSTANT) {
        // Folded once; a cast that fails keeps failing per row, as before folding.
        const folded = foldCast(k.value, from, to, e.try, lib);
        if (folded !== NOT_CONSTANT) return constantEval(folded.value);
      }
      if (e.try) {
        const tc = castResolved(lib, from, to, true);
        if (tc) return (row) => tc(arg(row));
        return (row) => lib.tryCastValue(arg(row), from, to);
      }
      const cast = castResolved(lib, from, to, false);
      if (cast) return (row) => cast(arg(row));
      return (row) => {
        const v = arg(row);
        return v === null ? null : lib.castValue(v, from, to);
      };
    }
    case "function": {
      const general = lib.scalars[e.name];
      if (!general) throw new Error(`exec: the function library has no scalar function ${e.name}()`);
      if (e.name === "||" && isTextConcat(e)) return concatEval(textConcatParts(e).map(c));
      const args = e.args.map(c);
      const ctx: CallContext = { argTypes: e.args.map((a) => a.type), resultType: e.type, argStats: e.args.map(carriesStats) };
      if (recalling > 0) ctx.remembered = true;
      const fn = bound(general, args, ctx);
      // One argument array per call site, refilled for every row: a scalar keeps no
      // reference to it (contract.ts), and a site is never re-entered while it fills.
      const n = args.length;
      const values = new Array<Value>(n).fill(null);
      const body = (fn as ScalarFn).strictBody;
      if (body && n >= 1 && n <= 2) {
        // NULL for any NULL argument: every argument is still evaluated first (its errors
        // surface as DuckDB's do), then the body runs without the library's NULL wrapper.
        const a0 = args[0]!;
        if (n === 1) {
          return (row) => {
            const v0 = a0(row);
            if (v0 === null) return null;
            values[0] = v0;
            return body(values, ctx);
          };
        }
        const a1 = args[1]!;
        return (row) => {
          const v0 = a0(row);
          const v1 = a1(row);
          if (v0 === null || v1 === null) return null;
          values[0] = v0;
          values[1] = v1;
          return body(values, ctx);
        };
      }
      if (n === 1) {
        const a0 = args[0]!;
        return (row) => {
          values[0] = a0(row);
          return fn(values, ctx);
        };
      }
      if (n === 2) {
        const a0 = args[0]!;
        const a1 = args[1]!;
        return (row) => {
          values[0] = a0(row);
          values[1] = a1(row);
          return fn(values, ctx);
        };
      }
      if (n === 3) {
        const [a0, a1, a2] = args as [Eval, Eval, Eval];
        return (row) => {
          values[0] = a0(row);
          values[1] = a1(row);
          values[2] = a2(row);
          return fn(values, ctx);
        };
      }
      return (row) => {
        for (let i = 0; i < n; i++) values[i] = args[i]!(row);
        return fn(values, ctx);
      };
    }
    case "compare": {
      const l = coerced(e.left, e.compareType, lib, memo);
      const r = coerced(e.right, e.compareType, lib, memo);
      const t = e.compareType;
      const cmp = comparator(t, lib);
      const eq = equality(t, lib);
      // Both sides are evaluated for every row, as DuckDB does: an error on the right surfaces even
      // where the left is NULL.
      switch (e.op) {
        case "=": {
          const col = columnOf(l), k = constantOf(r);
          if (col >= 0 && k !== NOT_CONSTANT && k.value !== null) {
            // The commonest predicate shape: a column equal to a constant.
            const v = k.value;
            return (row) => { const a = row[col] ?? null; return a === null ? null : eq(a, v); };
          }
          return (row) => { const a = l(row); const b = r(row); return a === null || b === null ? null : eq(a, b); };
        }
        case "<>": return (row) => { const a = l(row); const b = r(row); return a === null || b === null ? null : !eq(a, b); };
        case "<": return (row) => { const a = l(row); const b = r(row); return a === null || b === null ? null : cmp(a, b) < 0; };
        case "<=": return (row) => { const a = l(row); const b = r(row); return a === null || b === null ? null : cmp(a, b) <= 0; };
        case ">": return (row) => { const a = l(row); const b = r(row); return a === null || b === null ? null : cmp(a, b) > 0; };
        case ">=": return (row) => { const a = l(row); const b = r(row); return a === null || b === null ? null : cmp(a, b) >= 0; };
        case "IS DISTINCT FROM":
        case "IS NOT DISTINCT FROM": {
          const want = e.op === "IS DISTINCT FROM";
          return (row) => {
            const a = l(row);
            const b = r(row);
            const same = a === null || b === null ? a === b : eq(a, b);
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
        if (args.length <= 6) return filterAnd(args);
        return (row) => {
          for (const a of args) {
            const v = a(row);
            if (v !== true) return v === null ? null : false;
          }
          return true;
        };
      }
      // Outside a filter (a select item, an argument) DuckDB evaluates every operand for every row and
      // combines the vectors, so an operand's error surfaces even where another is FALSE.
      return (row) => {
        let sawNull = false;
        let sawFalse = false;
        for (const a of args) {
          const v = a(row);
          if (v === false) sawFalse = true;
          else if (v === null) sawNull = true;
        }
        return sawFalse ? false : sawNull ? null : true;
      };
    }
    case "or": {
      const args = e.args.map(cf);
      if (filter) {
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
      return (row) => {
        let sawNull = false;
        let sawTrue = false;
        for (const a of args) {
          const v = a(row);
          if (v === true) sawTrue = true;
          else if (v === null) sawNull = true;
        }
        return sawTrue ? true : sawNull ? null : false;
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
      const col = columnOf(a);
      if (col >= 0) return e.negated ? (row) => (row[col] ?? null) !== null : (row) => (row[col] ?? null) === null;
      return e.negated ? (row) => a(row) !== null : (row) => a(row) === null;
    }
    case "in": {
      const a = coerced(e.arg, e.compareType, lib, memo);
      const list = e.list.map((x) => coerced(x, e.compareType, lib, memo));
      const eq = equality(e.compareType, lib);
      const neg = e.negated;
      // A list of constants held as primitives (an IN over a static table's values can hold thousands):
      // a Set, whose SameValueZero is `equality` for them (-0 = 0, NaN = NaN, text by code units).
      const constants = list.map(constantOf);
      if (constants.length > 4 && constants.every((k) => k !== NOT_CONSTANT && (k.value === null || PRIMITIVE.has(typeof k.value)))) {
        const set = new Set<Value>();
        let hasNull = false;
        for (const k of constants as { value: Value }[]) {
          if (k.value === null) hasNull = true;
          else set.add(k.value);
        }
        return (row) => {
          const v = a(row);
          if (v === null) return null;
          return set.has(v) ? !neg : hasNull ? null : neg;
        };
      }
      // DuckDB evaluates every list item (no short cut), so their errors surface like DuckDB's.
      const values = new Array<Value>(list.length);
      return (row) => {
        const v = a(row);
        for (let i = 0; i < list.length; i++) values[i] = list[i]!(row);
        if (v === null) return null;
        let sawNull = false;
        for (const w of values) {
          if (w === null) sawNull = true;
          else if (eq(v, w)) return !neg;
        }
        return sawNull ? null : neg;
      };
    }
    case "between": {
      const a = coerced(e.arg, e.compareType, lib, memo);
      const lo = coerced(e.lower, e.compareType, lib, memo);
      const hi = coerced(e.upper, e.compareType, lib, memo);
      const cmp = comparator(e.compareType, lib);
      const neg = e.negated;
      if (filter && !neg) {
        // DuckDB selects on `arg >= lower` first and computes the upper bound only for the rows left.
        // A column between two integer constants (a range check on a counter) compares bigints inline.
        const col = columnOf(a), kl = constantOf(lo), kh = constantOf(hi);
        if (col >= 0 && kl !== NOT_CONSTANT && kh !== NOT_CONSTANT && typeof kl.value === "bigint" && typeof kh.value === "bigint") {
          const low = kl.value, high = kh.value;
          return (row) => {
            const v = row[col] ?? null;
            if (v === null) return false;
            if (typeof v === "bigint") return v >= low && v <= high;
            return cmp(v, low) >= 0 && cmp(v, high) <= 0;
          };
        }
        return (row) => {
          const v = a(row);
          const l = lo(row);
          if (v === null || l === null || cmp(v, l) < 0) return false;
          const h = hi(row);
          if (h === null) return null;
          return cmp(v, h) <= 0;
        };
      }
      return (row) => {
        const v = a(row);
        const l = lo(row);
        const h = hi(row);
        const ge = v === null || l === null ? null : cmp(v, l) >= 0;
        const le = v === null || h === null ? null : cmp(v, h) <= 0;
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
      // V8's own copy of the name (a property key): a load site knows its key by identity, and
      // the plan's equal but other string made every load a generic lookup (see `internedNames`
      // in pipeline.ts).
      const f = Object.keys({ [e.field]: null })[0] ?? e.field;
      return (row) => {
        const v = a(row);
        return v === null ? null : ((v as { [k: string]: Value })[f] ?? null);
      };
    }
    case "lambda": {
      const list = c(e.list);
      const body = c(e.body);
      const slot = e.slot;
      const filter = e.fn === "filter";
      const indexed = e.indexed === true;
      return (row) => {
        const l = list(row) as Value[] | null;
        if (l === null) return null;
        const out: Value[] = [];
        for (let i = 0; i < l.length; i++) {
          // A fresh row per element: memoised sub-expressions key on the row array.
          const r = row.slice(0, slot);
          r[slot] = l[i] ?? null;
          if (indexed) r[slot + 1] = BigInt(i + 1);
          const v = body(r);
          if (!filter) out.push(v ?? null);
          else if (v === true) out.push(l[i] ?? null);
        }
        return out;
      };
    }
  }
  throw new Error(`exec: unknown expression kind ${(e as { kind: string }).kind}`);
}

/*
 * Remembered sub-expressions. A function, cast or CASE over one to three
 * columns that costs several calls (a digest, string functions) answers from a
 * memory keyed by those columns' values while they repeat (`Recall` decides):
 * `md5(lower(trim(email)))` of an address seen before is one Map lookup.
 * Every library function is deterministic (no random(), no now()), so equal
 * inputs give equal answers. Keys are text, BIGINT-held values and booleans
 * (a number is not: the Map takes -0 for 0); an error is not remembered (the
 * row fails again), and only primitive answers are kept (a list or struct is
 * built anew for each row).
 */
let recalling = 0;

const DIGESTS = new Set(["md5", "sha256", "sha1"]);
const PATTERNS = /^(regexp_|strptime$|try_strptime$|~~|!~~)/;
const TEXT_WORK = /^(lower|upper|lcase|ucase|trim|ltrim|rtrim|replace|strip_accents)$/;

/**
 * Roughly what evaluating `e` costs, in calls of a cheap function; 4 and more is worth a Map lookup.
 * A sub-expression in `recalled` (a shared one, built first and remembered on its own) costs
 * nothing here: its answer is already one lookup for the row.
 */
function recallWeight(e: Expr, recalled: ReadonlySet<string>): number {
  if (recalled.size > 0 && (e.kind === "function" || e.kind === "cast" || e.kind === "case") && recalled.has(JSON.stringify(e))) return 0;
  let w = 0;
  if (e.kind === "function") w = DIGESTS.has(e.name) ? 8 : PATTERNS.test(e.name) ? 4 : TEXT_WORK.test(e.name) ? 2 : 1;
  else if (e.kind === "cast") w = 1;
  for (const c of exprChildren(e)) w += recallWeight(c, recalled);
  return w;
}

/** The columns `e` reads when it is worth remembering by them, else null. */
function recallKeys(e: Expr, recalled: ReadonlySet<string>): number[] | null {
  const columns = new Set<number>();
  let lambda = false;
  const visit = (x: Expr): void => {
    if (x.kind === "column") columns.add(x.index);
    else if (x.kind === "lambda") lambda = true;
    for (const c of exprChildren(x)) visit(c);
  };
  visit(e);
  if (lambda || columns.size === 0 || columns.size > 3 || recallWeight(e, recalled) < 4) return null;
  return [...columns].sort((a, b) => a - b);
}

/** A key the memory can hold: equal keys mean equal inputs. */
function recallable(v: Value): boolean {
  const t = typeof v;
  return (t === "string" && (v as string).length <= MAX_REMEMBERED_TEXT) || t === "bigint" || t === "boolean";
}

/**
 * What the memory keeps of a key or an answer: a short text copied (it may be a view of a large
 * event body), another primitive as it is; undefined for what it must not keep (a list, a
 * struct, a long text), which counts as a miss that stores nothing.
 */
function keepable(v: Value): Value | undefined {
  if (typeof v === "string") return v.length <= MAX_REMEMBERED_TEXT ? ownCopy(v) : undefined;
  return keepableAsIs(v);
}

function keepableAsIs(v: Value): Value | undefined {
  return v === null || typeof v !== "object" ? v : undefined;
}

/**
 * Whether `e`'s text answers are always new strings of their own (a digest's hex, a constant),
 * so the memory can keep them without a copy; any other text may be a view of its input.
 */
function ownAnswers(e: Expr): boolean {
  switch (e.kind) {
    case "constant":
      return true;
    case "function":
      return DIGESTS.has(e.name);
    case "case":
      return e.whens.every((w) => ownAnswers(w.then)) && ownAnswers(e.else);
    case "coalesce":
      return e.args.every(ownAnswers);
    default:
      return false;
  }
}

/** `f` answering from a memory keyed by the values of `keys` (row indexes); `own`: see ownAnswers. */
function remembered(f: Eval, keys: number[], own: boolean, memo: Memo): Eval {
  const keepAnswer = own ? (v: Value): Value | undefined => (typeof v === "string" && v.length > MAX_REMEMBERED_TEXT ? undefined : keepableAsIs(v)) : keepable;
  const recall = new Recall();
  if (keys.length === 1) {
    const k0 = keys[0]!;
    const memory = new Map<unknown, Value>();
    // The answers found for a chunk's rows before they run (`Memo.prefetch`; undefined: look
    // again, or compute), when the previous chunk called this site for most of its rows (one
    // inside a CASE branch that few rows take would look up keys no one asks for).
    const found: (Value | undefined)[] = [];
    let foundFor = 0;
    let called = 0;
    let rowsBefore = 0;
    memo.prefetchers.push((rows) => {
      const wanted = called * 2 >= rowsBefore;
      called = 0;
      rowsBefore = rows.length;
      if (!wanted || !recall.active) return;
      foundFor = memo.batch;
      for (let i = 0; i < rows.length; i++) {
        const r = rows[i];
        const k = r === null || r === undefined ? null : (r[k0] ?? null);
        found[i] = recallable(k) ? memory.get(k) : undefined;
      }
    });
    return (row) => {
      called++;
      const k = row[k0] ?? null;
      if (!recallable(k) || !recall.use()) return f(row);
      let known: Value | undefined;
      // A row of the batch looked up ahead (the same row array: the scan row the keys index).
      if (foundFor === memo.batch && memo.batchRows !== null && memo.batchRows[memo.rowIndex] === row) known = found[memo.rowIndex];
      if (known === undefined) known = memory.get(k);
      if (known !== undefined) {
        recall.hit();
        return known;
      }
      const v = f(row);
      const kept = keepAnswer(v);
      if (recall.missed(memory.size)) memory.clear();
      if (kept !== undefined) memory.set(keepable(k), kept);
      return v;
    };
  }
  // Several columns: one Map level per column, the answers in the last; `size` counts them.
  const root = new Map<unknown, unknown>();
  let size = 0;
  const last = keys.length - 1;
  return (row) => {
    for (const i of keys) if (!recallable(row[i] ?? null)) return f(row);
    if (!recall.use()) return f(row);
    let level: Map<unknown, unknown> | undefined = root;
    for (let j = 0; j < last && level !== undefined; j++) level = level.get(row[keys[j]!]) as Map<unknown, unknown> | undefined;
    const known = level === undefined ? undefined : (level.get(row[keys[last]!]) as Value | undefined);
    if (known !== undefined) {
      recall.hit();
      return known;
    }
    const v = f(row);
    const kept = keepAnswer(v);
    if (recall.missed(size)) {
      root.clear();
      size = 0;
    }
    if (kept === undefined) return v;
    let at = root;
    for (let j = 0; j < last; j++) {
      const k = row[keys[j]!];
      let next = at.get(k) as Map<unknown, unknown> | undefined;
      if (next === undefined) {
        next = new Map();
        at.set(keepable(k ?? null), next);
      }
      at = next;
    }
    at.set(keepable(row[keys[last]!] ?? null), kept);
    size++;
    return v;
  };
}

/** `x` evaluated and implicitly cast to `type`, as DuckDB binds it; a constant is cast once, here. */
function coerced(x: Expr, type: string, lib: FunctionLibrary, memo?: Memo): Eval {
  const f = compileExpr(x, lib, memo);
  if (x.type === type || x.type === "NULL" || x.type === '"NULL"') return f;
  const from = x.type;
  const k = constantOf(f);
  if (k !== NOT_CONSTANT) {
    const folded = foldCast(k.value, from, type, false, lib);
    if (folded !== NOT_CONSTANT) return constantEval(folded.value);
  }
  const cast = castResolved(lib, from, type, false);
  if (cast) return (row) => cast(f(row));
  return (row) => {
    const v = f(row);
    return v === null ? null : lib.castValue(v, from, type);
  };
}

/*
 * Build-time shapes. A parent specialises on a child that is a column
 * reference or a constant (`station IS NOT NULL`, `"desc" = 'REGULAR'`,
 * `entries BETWEEN 0 AND 4294967295`), and casts of constants are folded.
 */
const NOT_CONSTANT = Symbol("not constant");
const constants = new WeakMap<Eval, { value: Value }>();
const columns = new WeakMap<Eval, number>();

function constantEval(v: Value): Eval {
  const f: Eval = () => v;
  constants.set(f, { value: v });
  return f;
}

function columnEval(i: number): Eval {
  const f: Eval = (row) => row[i] ?? null;
  columns.set(f, i);
  return f;
}

function constantOf(f: Eval): { value: Value } | typeof NOT_CONSTANT {
  return constants.get(f) ?? NOT_CONSTANT;
}

/** The column a closure reads as is, or -1. */
function columnOf(f: Eval): number {
  return columns.get(f) ?? -1;
}

/** `fn` specialised for this call site and the arguments that are constants there (`ScalarFn.specialize`), or `fn` itself. */
function bound(fn: ScalarFn, args: Eval[], ctx: CallContext): (args: Value[], ctx: CallContext) => Value {
  if (!fn.specialize) return fn;
  const constants = args.map((a) => {
    const k = constantOf(a);
    return k === NOT_CONSTANT ? null : k;
  });
  return fn.specialize(constants, ctx) ?? fn;
}

/**
 * The library's cast between two fixed types resolved once (`castFor` /
 * `tryCastFor`), or null when it has none or cannot resolve the pair at
 * build time; the caller then casts per row, where any error surfaces as before.
 */
function castResolved(lib: FunctionLibrary, from: string, to: string, isTry: boolean): ((v: Value) => Value) | null {
  const resolve = isTry ? lib.tryCastFor : lib.castFor;
  if (!resolve) return null;
  try {
    return resolve.call(lib, from, to);
  } catch (error) {
    if (error instanceof Error) return null;
    throw error;
  }
}

/** The constant cast at build time, or NOT_CONSTANT when the cast fails (it then fails per row, as unfolded). */
function foldCast(v: Value, from: string, to: string, isTry: boolean, lib: FunctionLibrary): { value: Value } | typeof NOT_CONSTANT {
  if (v === null) return { value: null };
  try {
    return { value: isTry ? lib.tryCastValue(v, from, to) : lib.castValue(v, from, to) };
  } catch (error) {
    if (error instanceof Error) return NOT_CONSTANT;
    throw error;
  }
}

/**
 * AND in a filter (only TRUE keeps a row: the first operand that is not TRUE decides), up to six
 * operands each called from a site of its own, where a loop called them all from one.
 */
function filterAnd(args: Eval[]): Eval {
  const n = args.length;
  const yes: Eval = () => true;
  const [a0 = yes, a1 = yes, a2 = yes, a3 = yes, a4 = yes, a5 = yes] = args;
  const no = (v: Value): Value => (v === null ? null : false);
  return (row) => {
    let v = a0(row);
    if (v !== true) return no(v);
    if (n < 2) return true;
    v = a1(row);
    if (v !== true) return no(v);
    if (n < 3) return true;
    v = a2(row);
    if (v !== true) return no(v);
    if (n < 4) return true;
    v = a3(row);
    if (v !== true) return no(v);
    if (n < 5) return true;
    v = a4(row);
    if (v !== true) return no(v);
    if (n < 6) return true;
    v = a5(row);
    return v !== true ? no(v) : true;
  };
}

/**
 * Ordering of two non-NULL values of `type`. Values held as bigint, as a
 * number other than NaN, or as a boolean are ordered here, as the library
 * orders them (their natural order); everything else (text by UTF-8 bytes,
 * NaN, nested values, intervals) by the library's `compareValues`.
 */
function comparator(type: string, lib: FunctionLibrary): (a: Value, b: Value) => number {
  return (a, b) => {
    const ta = typeof a;
    if (ta === typeof b && (ta === "bigint" || (ta === "number" && a === a && b === b) || ta === "boolean")) {
      return (a as number) < (b as number) ? -1 : (a as number) > (b as number) ? 1 : 0;
    }
    return lib.compareValues(a, b, type);
  };
}

const PRIMITIVE = new Set(["string", "number", "bigint", "boolean"]);

/** Equality of two non-NULL values of `type` (DuckDB's `=`): primitives here, the rest by `compareValues`. */
function equality(type: string, lib: FunctionLibrary): (a: Value, b: Value) => boolean {
  return (a, b) => {
    const ta = typeof a;
    if (ta === typeof b) {
      // Text is equal exactly when its code units are (the library orders it by code point).
      if (ta === "string" || ta === "bigint" || ta === "boolean") return a === b;
      // -0 = 0 and NaN = NaN, as DuckDB compares floats.
      if (ta === "number") return a === b || (a !== a && b !== b);
    }
    return lib.compareValues(a, b, type) === 0;
  };
}

/** `a || b` over text: NULL when either is NULL, else the two strings joined (no cast, no error). */
function isTextConcat(e: Expr & { kind: "function" }): boolean {
  return e.type === "VARCHAR" && e.args.length === 2 && e.args.every((a) => a.type === "VARCHAR");
}

/** The operands of a chain `a || b || c ...` of text concatenations, left to right. */
function textConcatParts(e: Expr): Expr[] {
  if (e.kind === "function" && e.name === "||" && isTextConcat(e)) return e.args.flatMap(textConcatParts);
  return [e];
}

/** Every part is evaluated (so their errors surface), then NULL if any part is NULL. */
function concatEval(parts: Eval[]): Eval {
  const n = parts.length;
  return (row) => {
    let out = "";
    let sawNull = false;
    for (let i = 0; i < n; i++) {
      const v = parts[i]!(row);
      if (v === null) sawNull = true;
      else if (!sawNull) out += v as string;
    }
    return sawNull ? null : out;
  };
}

/** While an operator's expressions are built: whether DuckDB may know statistics of each input column (see `withColumnStats`). */
let columnStats: readonly boolean[] | null = null;

/**
 * Builds an operator's expressions knowing which input columns DuckDB has statistics for: a
 * column that an earlier projection computed (`WITH x AS (SELECT lower(s) AS v ...)`) has none.
 */
export function withColumnStats<T>(stats: readonly boolean[] | undefined, build: () => T): T {
  const before = columnStats;
  columnStats = stats ?? null;
  try {
    return build();
  } finally {
    columnStats = before;
  }
}

/**
 * Whether DuckDB may know statistics of `e`'s values when it binds the function around it (see
 * `CallContext.argStats`): a column's propagate through a field, a same-type cast, CASE and
 * COALESCE (a constant branch adds its own); a function's result and other casts have none.
 */
export function carriesStats(e: Expr): boolean {
  switch (e.kind) {
    case "column":
      return columnStats?.[e.index] ?? true;
    case "field":
      return carriesStats(e.arg);
    case "cast":
      return e.arg.type === e.type && carriesStats(e.arg);
    case "case":
      return [...e.whens.map((w) => w.then), e.else].every((x) => x.kind === "constant" || carriesStats(x)) && [...e.whens.map((w) => w.then), e.else].some(carriesStats);
    case "coalesce":
      return e.args.every((x) => x.kind === "constant" || carriesStats(x)) && e.args.some(carriesStats);
    case "function":
      // DuckDB passes a list's element statistics through l[i] (list_extract) and nullif, and builds a list's from its items.
      if (STATS_THROUGH_FIRST.has(e.name)) return e.args.length > 0 && carriesStats(e.args[0]!);
      if (e.name === "list_value" || e.name === "list_pack") return e.args.every((x) => x.kind === "constant" || carriesStats(x)) && e.args.some(carriesStats);
      return false;
    default:
      return false;
  }
}

const STATS_THROUGH_FIRST = new Set(["array_extract", "list_extract", "list_element", "nullif"]);
