export type * from "./model.ts";
export { parseNotebook, cellLabel, isCellLanguage, type ParseResult } from "./parse.ts";
export { serializeNotebook } from "./serialize.ts";
export { updateCell, insertCell, removeCell, moveCell, type CellPatch, type NewCell } from "./edit.ts";
export { formatIssue, issueAt } from "./issue.ts";
export { positionInCode, indexLines, type LineIndex } from "./position.ts";
export { parseDuration, parseBytes } from "./units.ts";
export { DEFAULTS, NAME, ENV_NAME } from "./schema.ts";
export { closest, didYouMean } from "./suggest.ts";
