/** The words of front matter messages: how values, types and paths are named, and what a zod issue says. */
import type { z } from "zod";
import { didYouMean } from "./suggest.ts";

export type Path = readonly PropertyKey[];

export function typeName(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "a map";
  if (typeof value === "string") return `"${value}"`;
  return String(value);
}

function expectedName(expected: string): string {
  return ({ string: "a string", number: "a number", object: "a map", array: "a list", boolean: "true or false" } as Record<string, string>)[expected] ?? expected;
}

export function pathText(path: Path): string {
  return path.map((step, i) => (typeof step === "number" ? `[${step}]` : i === 0 ? String(step) : `.${String(step)}`)).join("");
}

/** The message for one zod issue at `full`; `missing` when the YAML has no node there. */
export function describeIssue(full: Path, issue: z.core.$ZodIssue, missing: boolean): string {
  if (missing && issue.code === "invalid_type") {
    return `${pathText(full.slice(0, -1))}: missing ${String(full[full.length - 1])}:, expected ${expectedName(issue.expected)}`;
  }
  if (issue.code === "invalid_type") {
    return `${pathText(full)}: expected ${expectedName(issue.expected)}, found ${typeName(issue.input)}`;
  }
  if (issue.code === "invalid_value") {
    const values = issue.values.map(String);
    const input = typeof issue.input === "string" ? didYouMean(issue.input, values) : "";
    return `${pathText(full)}: expected one of ${values.join(", ")}, found ${typeName(issue.input)}${input}`;
  }
  if (issue.code === "too_small") {
    return `${pathText(full)}: ${
      issue.origin === "array" ? "expected at least one item" : issue.origin === "string" ? "expected a non-empty string" : issue.inclusive ? `expected at least ${issue.minimum}` : `expected a number above ${issue.minimum}`
    }`;
  }
  return `${pathText(full)}: ${issue.message}`;
}
