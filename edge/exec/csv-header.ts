/**
 * A CSV header line's field names as DuckDB's read_csv makes them: spaces around a name trimmed
 * (a tab kept), an empty name `column<i>` (zero-padded to the widest index: `column04` of 12
 * columns), and a repeated name, compared without case, renamed with a counter per name
 * (`id,ID,id,id_1` → `id, ID_1, id_2, id_1_1`). The gateway's decoder, which types the sample,
 * and the Worker's body parser both name fields so; with the last duplicate winning, a value
 * was silently lost.
 */
export function csvHeaderNames(fields: readonly string[]): string[] {
  const width = String(Math.max(fields.length - 1, 0)).length;
  const seen = new Map<string, number>();
  return fields.map((field, i) => {
    let name = field.replace(/^ +| +$/g, "");
    if (name === "") name = `column${String(i).padStart(width, "0")}`;
    for (let n = seen.get(name.toLowerCase()); n !== undefined; n = seen.get(name.toLowerCase())) {
      seen.set(name.toLowerCase(), n + 1);
      name = `${name}_${n + 1}`;
    }
    seen.set(name.toLowerCase(), 0);
    return name;
  });
}
