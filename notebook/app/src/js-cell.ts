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
    throw syntaxError(label, code, cause);
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

/** What a person who wrote `const x = …; x * 2` (a Jupyter or Framework habit) needs to read. */
export const STATEMENTS_HINT = "A JavaScript cell is one expression or one { … } block: put these statements in { … } and `return` what the cell shows.";

/**
 * A cell that does not parse, at its line and column (1-based). Several statements are not a cell,
 * and the parser gives up after the first (at line 1, column 1 for a `const`), whatever is wrong
 * further on; the same code in a block says whether the statements parse and, if not, where they
 * really break.
 */
function syntaxError(label: string, code: string, cause: unknown): CellError {
  const first = placeOf(cause, 0);
  if (first !== null && !code.trimStart().startsWith("{")) {
    // `{` opens the same first line, so lines stay where they are and line 1 moves one column right.
    let inBlock: unknown = null;
    try {
      parseCell(`{${code}\n}`);
    } catch (error) {
      inBlock = error;
    }
    if (inBlock === null) return new CellError(label, `SyntaxError: ${messageOf(cause)} (line ${first.line}, column ${first.column})\n${STATEMENTS_HINT}`, first.line, { cause, column: first.column });
    const there = placeOf(inBlock, 1);
    // A failure at the closing `}` added on the last line is the cell's own unfinished code, which the first error says better.
    const inCode = there !== null && there.line <= code.split("\n").length;
    if (inCode && (there.line > first.line || (there.line === first.line && there.column > first.column))) {
      return new CellError(label, `SyntaxError: ${messageOf(inBlock)} (line ${there.line}, column ${there.column})\n${STATEMENTS_HINT}`, there.line, { cause: inBlock, column: there.column });
    }
  }
  const where = first === null ? "" : ` (line ${first.line}, column ${first.column})`;
  return new CellError(label, `SyntaxError: ${messageOf(cause)}${where}`, first?.line ?? null, { cause, column: first?.column ?? null });
}

/** The parser's message without its `(line:column)`, which the cell shows its own way. */
function messageOf(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).replace(/ \(\d+:\d+\)$/, "");
}

/** Where the parser failed, 1-based; `shift` columns of line 1 were added in front of the cell's code. */
function placeOf(error: unknown, shift: number): { line: number; column: number } | null {
  const loc = (error as { loc?: { line: number; column: number } }).loc;
  if (loc === undefined) return null;
  return { line: loc.line, column: loc.column + 1 - (loc.line === 1 ? shift : 0) };
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
