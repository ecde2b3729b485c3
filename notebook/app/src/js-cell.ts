import { parseCell } from "@observablehq/parser";
import { CellError } from "./cell-error.ts";

/** A JavaScript cell after parsing: what it defines, what it reads, and how to run it. */
export interface CompiledJs {
  /** `name = ...` in the cell itself, when the fence carries no id. */
  name: string | null;
  references: string[];
  /** The function's parameters are `references`, in order. */
  body: string;
  async: boolean;
  generator: boolean;
}

/**
 * Parses a cell with Observable's parser (expressions, `{ ... }` blocks with
 * `return`, `yield` for generators, `await`). A syntax error becomes a
 * CellError carrying the line inside the cell.
 */
export function compileJs(label: string, code: string): CompiledJs {
  let cell;
  try {
    cell = parseCell(code);
  } catch (cause) {
    const loc = (cause as { loc?: { line: number } }).loc;
    const message = cause instanceof Error ? cause.message : String(cause);
    throw new CellError(label, `SyntaxError: ${message}`, loc?.line ?? null, { cause });
  }
  const references = [...new Set(cell.references.map((node) => node.name ?? code.slice(node.start, node.end)))];
  let body = "return undefined;";
  if (cell.body !== null) {
    const text = code.slice(cell.body.start, cell.body.end);
    body = cell.body.type === "BlockStatement" ? text.slice(1, -1) : `return (${text}\n);`;
  }
  const name = cell.id?.type === "Identifier" ? (cell.id.name ?? null) : null;
  return { name, references, body, async: cell.async, generator: cell.generator };
}

const AsyncFunction = Object.getPrototypeOf(async function () {}).constructor as FunctionConstructor;
const GeneratorFunction = Object.getPrototypeOf(function* () {}).constructor as FunctionConstructor;
const AsyncGeneratorFunction = Object.getPrototypeOf(async function* () {}).constructor as FunctionConstructor;

/**
 * Makes the cell's function. The engine puts the body on the function's
 * third line (after `function anonymous(...\n) {`), which `jsErrorLine`
 * undoes when it reports where a thrown error came from.
 */
export function instantiateJs(compiled: CompiledJs): (...inputs: unknown[]) => unknown {
  const Maker = compiled.async ? (compiled.generator ? AsyncGeneratorFunction : AsyncFunction) : compiled.generator ? GeneratorFunction : Function;
  return new Maker(...compiled.references, compiled.body) as (...inputs: unknown[]) => unknown;
}
