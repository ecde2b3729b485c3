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

/**
 * A record's fields against a header of `columns` names, as read_csv with the dialect pinned reads
 * them: fields past the header's that are all empty (`1,2,` under `a,b`, a trailing delimiter some
 * exporters write on every record but the header; `""` counts as empty) are dropped, where the
 * Worker and the sample's decoder made each such record a dead letter that `runnel run --input`
 * (DuckDB) read. One that holds anything (`1,2,x`, `1,2, `) is kept whole, and refused.
 */
export function csvRecordFields(fields: readonly string[], columns: number): readonly string[] {
  if (fields.length <= columns) return fields;
  for (let i = columns; i < fields.length; i++) if (fields[i] !== "") return fields;
  return fields.slice(0, columns);
}

/** The delimiters DuckDB's CSV sniffer tries, in its order. */
const DELIMITERS = [",", "|", ";", "\t"] as const;

/**
 * The field delimiter of a CSV text with a header line, as DuckDB's sniffer finds it for a file with
 * a header: of `,` `|` `;` and tab, the one that cuts the header line (quotes respected) into the most
 * fields, a tie going to the earlier one. A `;` or tab file (spreadsheets in many locales export so)
 * was read with `,`: its header was one column named `id;amount;name`, every value was lost in the
 * sample, and rows of `runnel run --input` (read by DuckDB, which sniffs) were all NULL. Only the
 * header decides, so one ragged record is a dead letter rather than a change of dialect.
 */
export function csvDelimiter(text: string): string {
  let best: string = ",";
  let most = 1;
  for (const delimiter of DELIMITERS) {
    const n = headerFieldCount(text, delimiter);
    if (n > most) [best, most] = [delimiter, n];
  }
  return best;
}

/** How many fields the first record of `text` has when cut at `delimiter` (RFC 4180 quotes, `""` inside them). */
function headerFieldCount(text: string, delimiter: string): number {
  return csvHeaderFields(text, delimiter).length;
}

/**
 * The fields of the first record of `text` (its header line) cut at `delimiter`: RFC 4180 quotes,
 * `""` inside them, a quoted field running over lines; blank lines before it skipped, as the readers
 * skip them. A header cut off inside a quote ends where the text ends.
 */
export function csvHeaderFields(text: string, delimiter: string): string[] {
  const fields: string[] = [];
  let field = "";
  let quoted = false;
  let atFieldStart = true;
  let i = 0;
  while (text[i] === "\n" || text[i] === "\r") i++;
  for (; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"' && atFieldStart) {
      quoted = true;
      atFieldStart = false;
    } else if (ch === delimiter) {
      fields.push(field);
      field = "";
      atFieldStart = true;
    } else if (ch === "\n" || ch === "\r") {
      break;
    } else {
      field += ch;
      atFieldStart = false;
    }
  }
  fields.push(field);
  return fields;
}
