/**
 * DuckDB's comparison simplification, which its optimizer applies before any
 * row is read, and which changes answers where a cast would fail: a
 * comparison of `CAST(x AS T)` with a constant compares `x` with the constant
 * cast back to x's type, when the cast is one DuckDB counts as invertible
 * (integer to integer of any width, DECIMAL to a DECIMAL of no smaller scale)
 * and the constant survives the trip exactly. So over a BIGINT column,
 * `CAST(q AS INTEGER) > 5` is `q > 5`: 2147483648 is simply greater, not a
 * Conversion Error, and a TRY_CAST there is not NULL. The same holds for IN
 * over constants and BETWEEN constants, and for the implicit casts DuckDB's
 * binder puts around the comparison's sides. A comparison with a constant
 * NULL (other than IS [NOT] DISTINCT FROM) is NULL without evaluating the
 * other side. Measured against DuckDB 1.4 (tests/conformance).
 */
import type { Expr } from "../plan/types.ts";
import type { Value } from "../plan/values.ts";
import { parseType } from "../plan/type-text.ts";
import { castValue } from "../exec/functions/cast.ts";
import { decodeValue, encodeValue } from "../plan/value-json.ts";

const INTEGERS = new Set(["TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT", "UINTEGER", "UBIGINT", "UHUGEINT"]);

function castIsInvertible(source: string, target: string): boolean {
  if (INTEGERS.has(source) && INTEGERS.has(target)) return true;
  const s = parseType(source), t = parseType(target);
  return s.kind === "decimal" && t.kind === "decimal" && t.scale >= s.scale;
}

/** `v` (of `from`) as `to` when it converts there and back unchanged, else undefined. */
function exactly(v: Value, from: string, to: string): Value | undefined {
  try {
    const there = castValue(v, from, to);
    const back = castValue(there, to, from);
    return typeof back === typeof v && back === v ? there : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The side and constants with the invertible casts around the side removed: `constants` (of
 * `type`) each cast back. Null when no cast comes off.
 */
function stripCasts(side: Expr, constants: Value[], type: string): { side: Expr; constants: Value[]; type: string } | null {
  let cur = side;
  let curType = type;
  let values = constants;
  for (;;) {
    // First the binder's implicit cast of the side to the comparison's type, then explicit ones.
    const implicit = cur.type !== curType;
    if (!implicit && cur.kind !== "cast") break;
    const source = implicit ? cur.type : (cur as Extract<Expr, { kind: "cast" }>).arg.type;
    if (!castIsInvertible(source, curType)) break;
    const back = values.map((v) => (v === null ? null : exactly(v, curType, source)));
    if (back.some((v) => v === undefined)) break;
    values = back as Value[];
    curType = source;
    if (!implicit) cur = (cur as Extract<Expr, { kind: "cast" }>).arg;
  }
  return curType === type ? null : { side: cur, constants: values, type: curType };
}

/** The constant's value as the comparison's type sees it, or undefined when the binder's cast would fail. */
function constantAs(e: Expr, type: string): Value | undefined {
  if (e.kind !== "constant") return undefined;
  if (e.value === null) return null;
  try {
    const v = decodeValue(e.value, e.type);
    return e.type === type ? v : castValue(v, e.type, type);
  } catch {
    return undefined;
  }
}

const constant = (v: Value, type: string): Expr => ({ kind: "constant", value: encodeValue(v, type), type });

const FLIP: Record<string, Extract<Expr, { kind: "compare" }>["op"]> = { "<": ">", ">": "<", "<=": ">=", ">=": "<=" };

/** `v` when `child` is not NULL, NULL when it is (DuckDB's ConstantOrNull; the child is still evaluated). */
function constantOrNull(child: Expr, v: boolean): Expr {
  return { kind: "case", whens: [{ when: { kind: "is_null", arg: child, negated: false, type: "BOOLEAN" }, then: { kind: "constant", value: null, type: "BOOLEAN" } }], else: { kind: "constant", value: v, type: "BOOLEAN" }, type: "BOOLEAN" };
}

/** Whether `v` fits integer type `type`. */
function fits(v: bigint, type: string): boolean {
  try {
    castValue(v, "HUGEINT", type);
    return true;
  } catch {
    return false;
  }
}

/**
 * DuckDB's MoveConstantsRule: `x + k op c` is `x op c - k`, `x - k op c` is `x op c + k`, `k - x op c`
 * is `x (flipped op) k - c`, and `x * k op c` is `x op c / k` (flipped for a negative k) when k
 * divides c, all over integers; a new constant outside the type decides `=` (false) and, for `*`,
 * `<>` (true), or leaves the comparison alone. So `q + 1 > 5` cannot overflow.
 */
function moveConstants(e: Extract<Expr, { kind: "compare" }>): Expr | null {
  const rightConst = e.right.kind === "constant";
  const [side, k] = rightConst ? [e.left, e.right] : [e.right, e.left];
  if (side.kind !== "function" || !["+", "-", "*"].includes(side.name) || side.args.length !== 2 || !INTEGERS.has(side.type) || side.type !== e.compareType) return null;
  const [a, b] = side.args as [Expr, Expr];
  if (!INTEGERS.has(a.type) || !INTEGERS.has(b.type) || (a.kind === "constant") === (b.kind === "constant")) return null;
  const outerValue = constantAs(k, e.compareType);
  const innerConst = (a.kind === "constant" ? a : b) as Extract<Expr, { kind: "constant" }>;
  const inner = constantAs(innerConst, innerConst.type);
  if (outerValue === undefined || inner === undefined) return null;
  if (outerValue === null || inner === null) return e.op === "IS DISTINCT FROM" || e.op === "IS NOT DISTINCT FROM" ? null : { kind: "constant", value: null, type: "BOOLEAN" };
  const outer = BigInt(outerValue as number | bigint), innerV = BigInt(inner as number | bigint);
  const child = a.kind === "constant" ? b : a;
  const childFirst = a.kind !== "constant";
  // The comparison read with the arithmetic on the left.
  let op = rightConst ? e.op : (FLIP[e.op] ?? e.op);
  let next: bigint;
  if (side.name === "+") next = outer - innerV;
  else if (side.name === "-" && childFirst) next = outer + innerV;
  else if (side.name === "-") {
    next = innerV - outer;
    op = FLIP[op] ?? op;
  } else {
    if (innerV === 0n) return null;
    if (outer % innerV !== 0n) return op === "=" || op === "<>" ? constantOrNull(child, op === "<>") : null;
    next = outer / innerV;
    if (innerV < 0n) op = FLIP[op] ?? op;
  }
  if (!fits(next, e.compareType)) {
    if (op === "=") return constantOrNull(child, false);
    if (side.name === "*" && op === "<>") return constantOrNull(child, true);
    return null;
  }
  return { kind: "compare", op, left: child, right: constant(castValue(next, "HUGEINT", e.compareType), e.compareType), compareType: e.compareType, type: "BOOLEAN" };
}

export function simplifyComparison(e: Expr): Expr {
  // DuckDB's rewriter applies its rules until none changes anything.
  for (let i = 0; i < 8; i++) {
    const next = simplifyOnce(e);
    if (next === e) return e;
    e = next;
  }
  return e;
}

function simplifyOnce(e: Expr): Expr {
  if (e.kind === "between" && !e.negated && e.lower.kind === "constant" && e.upper.kind === "constant" && e.arg.kind === "function") {
    // BETWEEN constants around arithmetic is its two comparisons, each simplified.
    const ge = simplifyComparison({ kind: "compare", op: ">=", left: e.arg, right: e.lower, compareType: e.compareType, type: "BOOLEAN" });
    const le = simplifyComparison({ kind: "compare", op: "<=", left: e.arg, right: e.upper, compareType: e.compareType, type: "BOOLEAN" });
    if (ge.kind !== "compare" || ge.left !== e.arg || le.kind !== "compare" || le.left !== e.arg) return { kind: "and", args: [ge, le], type: "BOOLEAN" };
  }
  if (e.kind === "compare") {
    const moved = moveConstants(e);
    if (moved) return moved;
    const rightConst = e.right.kind === "constant";
    const leftConst = e.left.kind === "constant";
    if (rightConst === leftConst) return e;
    const [side, k] = rightConst ? [e.left, e.right] : [e.right, e.left];
    const value = constantAs(k, e.compareType);
    if (value === undefined) return e;
    if (value === null) {
      // IS [NOT] DISTINCT FROM NULL is IS [NOT] NULL, of the side without its invertible casts.
      if (e.op === "IS DISTINCT FROM" || e.op === "IS NOT DISTINCT FROM") return { kind: "is_null", arg: stripCasts(side, [], e.compareType)?.side ?? side, negated: e.op === "IS DISTINCT FROM", type: "BOOLEAN" };
      return { kind: "constant", value: null, type: "BOOLEAN" };
    }
    const s = stripCasts(side, [value], e.compareType);
    if (!s) return e;
    const c = constant(s.constants[0]!, s.type);
    return rightConst ? { ...e, left: s.side, right: c, compareType: s.type } : { ...e, left: c, right: s.side, compareType: s.type };
  }
  // NOT IN keeps its casts (DuckDB simplifies IN only).
  if ((e.kind === "in" && !e.negated) || e.kind === "between") {
    const bounds = e.kind === "in" ? e.list : [e.lower, e.upper];
    const values = bounds.map((b) => constantAs(b, e.compareType));
    if (values.some((v) => v === undefined || v === null)) return e;
    const s = stripCasts(e.arg, values as Value[], e.compareType);
    if (!s) return e;
    const consts = s.constants.map((v) => constant(v, s.type));
    return e.kind === "in" ? { ...e, arg: s.side, list: consts, compareType: s.type } : { ...e, arg: s.side, lower: consts[0]!, upper: consts[1]!, compareType: s.type };
  }
  return e;
}
