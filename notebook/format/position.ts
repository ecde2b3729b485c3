import type { Position } from "./model.ts";

/** Maps offsets in one text to 1-based line and column (UTF-16 code units, as editors count). */
export interface LineIndex {
  at(offset: number): Position;
}

/** Indexes the starts of `text`'s lines once so each lookup is a binary search. */
export function indexLines(text: string): LineIndex {
  const starts = [0];
  for (let i = 0; i < text.length; i++) {
    if (text.charCodeAt(i) === 10) starts.push(i + 1);
  }
  return {
    at(offset) {
      const clamped = Math.max(0, Math.min(offset, text.length));
      let lo = 0;
      let hi = starts.length - 1;
      while (lo < hi) {
        const mid = (lo + hi + 1) >> 1;
        if (starts[mid]! <= clamped) lo = mid;
        else hi = mid - 1;
      }
      return { line: lo + 1, column: clamped - starts[lo]! + 1, offset: clamped };
    },
  };
}

/**
 * The file position of `offset` within a cell's code, given where the code
 * starts. Code lines are stored without the fence's indentation, so `indent`
 * puts the columns back where the file has them.
 */
export function positionInCode(code: string, start: Position, offset: number, indent = 0): Position {
  const end = Math.max(0, Math.min(offset, code.length));
  let lines = 0;
  let lineStart = 0;
  for (let i = 0; i < end; i++) {
    if (code.charCodeAt(i) === 10) {
      lines++;
      lineStart = i + 1;
    }
  }
  return {
    line: start.line + lines,
    column: end - lineStart + 1 + indent,
    offset: start.offset + end + (lines + 1) * indent,
  };
}
