import { formatType, parseType, type TypeNode } from "../plan/type-text.ts";
import type { Schema } from "../plan/values.ts";
import { DuckDBError } from "./error.ts";
import type { DuckDB } from "./open.node.ts";
import { quoteIdent, quoteString } from "./quote.ts";

/** The types `read_json` infers from text by a format it detects, one format per type for the whole file. */
const DETECTED = new Set(["DATE", "TIMESTAMP", "TIME"]);

function holdsDetected(t: TypeNode): boolean {
  switch (t.kind) {
    case "scalar": return DETECTED.has(t.name);
    case "list":
    case "array": return holdsDetected(t.child);
    case "struct": return t.fields.some((f) => holdsDetected(f.type));
    case "map": return holdsDetected(t.key) || holdsDetected(t.value);
    default: return false;
  }
}

function detectedAsText(t: TypeNode): TypeNode {
  switch (t.kind) {
    case "scalar": return DETECTED.has(t.name) ? { kind: "scalar", name: "VARCHAR" } : t;
    case "list": return { kind: "list", child: detectedAsText(t.child) };
    case "array": return { kind: "array", child: detectedAsText(t.child), size: t.size };
    case "struct": return { kind: "struct", fields: t.fields.map((f) => ({ name: f.name, type: detectedAsText(f.type) })) };
    case "map": return { kind: "map", key: detectedAsText(t.key), value: detectedAsText(t.value) };
    default: return t;
  }
}

/** The event key a column reads: its own name unless DuckDB renamed it. */
function keyOf(c: Schema[number]): string {
  return c.key ?? c.name;
}

/** Numbers the temporary tables of the texts, so loads into one database never share one. */
let textTables = 0;

/** Whether a column of `schema` holds a DATE, TIMESTAMP or TIME at any depth (see `castReadableSchema`). */
export function holdsDetectedTimes(schema: Schema): boolean {
  return schema.some((c) => holdsDetected(parseType(c.type)));
}

/**
 * `read_json` infers DATE, TIMESTAMP and TIME from text with a format it detects over the whole
 * file, and some of its candidates are not how a cast reads text: `25-12-2024` (`%d-%m-%Y`) and
 * `12-25-2024 01:00:00 PM` are dates to the inference and a Conversion Error to the cast, and
 * `25-12-24` is 2025-12-24 to the inference (`%y-%m-%d`) and 0025-12-24 to the cast. A pinned
 * schema keeps the type, not the format, so the pipeline (and `read_json(columns = ...)`) would read
 * those values otherwise than the notebook showed them: every event a dead letter, or a silently
 * different day. Compares each column of `table` (loaded from `file` by inference) holding such a
 * type with the file's text cast to it, and returns the schema with those types VARCHAR in every
 * column where they differ (the notebook then parses the text with `strptime` and its own format),
 * or undefined when the cast reads every value as the inference did. Without `table` (the inference
 * itself failed, and `inferred` is DESCRIBE's types) a column is text where the cast fails.
 *
 * `file` holds the events as sent: each column's text is read under its key (`Column.key`), since a
 * column DuckDB renamed for case (`D_1` for `D` beside `d`) is no key of the events, and read by
 * its name it was all NULL, so a European date there stayed DATE and the pipeline could not read it.
 */
export async function castReadableSchema(db: DuckDB, file: string, inferred: Schema, table?: string): Promise<Schema | undefined> {
  const timed = inferred.filter((c) => holdsDetected(parseType(c.type)));
  if (timed.length === 0) return undefined;
  const asText = (c: Schema[number]): Schema[number] => ({ ...c, type: formatType(detectedAsText(parseType(c.type))) });
  const texts = `runnel_times_${++textTables}`;
  // read_json takes no two columns whose keys differ only in case (`d`, `D`): those are read by scans of their own, side by side.
  const scans: Schema[] = [];
  for (const c of timed) {
    const fits = keyOf(c) === "" ? undefined : scans.find((scan) => !scan.some((o) => keyOf(o) === "" || keyOf(o).toLowerCase() === keyOf(c).toLowerCase()));
    if (fits) fits.push(c);
    else scans.push([c]);
  }
  const scan = (columns: Schema): string => {
    // The empty key (DuckDB's column `C<place>`) is no column read_json can pin, nor an identifier: its texts are the
    // JSON pointer `/` of each record, read by the same JSON transform (before, the sample failed to load: "zero-length
    // delimited identifier").
    if (columns.length === 1 && keyOf(columns[0]!) === "") {
      const c = columns[0]!;
      return `(SELECT from_json(json_extract(json, '/'), ${quoteString(JSON.stringify(asText(c).type))}) AS ${quoteIdent(c.name)} FROM read_ndjson_objects(${quoteString(file)}))`;
    }
    const pinned = `columns = {${columns.map((c) => `${quoteString(keyOf(c))}: ${quoteString(asText(c).type)}`).join(", ")}}`;
    const picked = columns.map((c) => `${quoteIdent(keyOf(c))} AS ${quoteIdent(c.name)}`).join(", ");
    return `(SELECT ${picked} FROM read_json(${quoteString(file)}, format = 'newline_delimited', records = 'true', ${pinned}))`;
  };
  await db.run(`CREATE OR REPLACE TEMP TABLE ${quoteIdent(texts)} AS SELECT ${timed.map((c) => quoteIdent(c.name)).join(", ")} FROM ${scans.map(scan).join(" POSITIONAL JOIN ")}`);
  try {
    const bad = new Set<Schema[number]>();
    if (table !== undefined) {
      const differs = timed.map((c) => `count(*) FILTER (WHERE TRY_CAST(t.${quoteIdent(c.name)} AS ${c.type}) IS DISTINCT FROM i.${quoteIdent(c.name)})`);
      const counts = (await db.read(`SELECT ${differs.join(", ")} FROM ${quoteIdent(table)} AS i POSITIONAL JOIN ${quoteIdent(texts)} AS t`)).getRows()[0]!;
      timed.forEach((c, i) => Number(counts[i]) > 0 && bad.add(c));
    } else {
      for (const c of timed) {
        try {
          await db.read(`SELECT count(CAST(${quoteIdent(c.name)} AS ${c.type})) FROM ${quoteIdent(texts)}`);
        } catch (error) {
          if (!(error instanceof DuckDBError) || error.kind !== "Conversion") throw error;
          bad.add(c);
        }
      }
    }
    if (bad.size === 0) return undefined;
    return inferred.map((c) => (bad.has(c) ? asText(c) : c));
  } finally {
    await db.run(`DROP TABLE IF EXISTS ${quoteIdent(texts)}`);
  }
}
