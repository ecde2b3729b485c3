import { uniqueColumnNames } from "../plan/column-names.ts";

/**
 * A CSV header line's field names as DuckDB's read_csv makes them: spaces around a name trimmed
 * (a tab kept), an empty name `column<i>` (zero-padded to the widest index: `column04` of 12
 * columns), and a repeated name, compared without case, renamed with a counter per name
 * (`id,ID,id,id_1` → `id, ID_1, id_2, id_1_1`, `uniqueColumnNames`). The gateway's decoder, which types the sample,
 * and the Worker's body parser both name fields so; with the last duplicate winning, a value
 * was silently lost.
 */
export function csvHeaderNames(fields: readonly string[]): string[] {
  const width = String(Math.max(fields.length - 1, 0)).length;
  return uniqueColumnNames(fields.map((field, i) => field.replace(/^ +| +$/g, "") || `column${String(i).padStart(width, "0")}`));
}
