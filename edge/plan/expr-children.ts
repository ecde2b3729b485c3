import type { Expr } from "./types.ts";

/** The direct sub-expressions of a plan expression. */
export function exprChildren(e: Expr): Expr[] {
  switch (e.kind) {
    case "column":
    case "constant":
      return [];
    case "function":
    case "and":
    case "or":
    case "coalesce":
      return e.args;
    case "cast":
    case "not":
    case "is_null":
    case "field":
      return [e.arg];
    case "compare":
      return [e.left, e.right];
    case "in":
      return [e.arg, ...e.list];
    case "between":
      return [e.arg, e.lower, e.upper];
    case "case":
      return [...e.whens.flatMap((w) => [w.when, w.then]), e.else];
    case "lambda":
      return [e.list, e.body];
  }
}
