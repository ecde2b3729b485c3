import { withoutJson } from "../retype.ts";
import { quoteIdent } from "../sql.ts";
import { formatCount, formatValue } from "./format-value.ts";

/** One column's profile: what DuckDB's SUMMARIZE gives (counted here, not by SUMMARIZE), plus a small histogram. */
export interface ColumnProfile {
  name: string;
  type: string;
  count: number;
  /** How many of the `count` rows hold NULL, counted exactly. */
  nulls: number;
  nullShare: number;
  distinct: number;
  /** Whether `distinct` is counted (`count(DISTINCT)`) or a HyperLogLog estimate (`approx_count_distinct`). */
  exactDistinct: boolean;
  min: string | null;
  max: string | null;
  /** Equal-width bins for numbers and times, top values otherwise. */
  histogram: { label: string; n: number }[];
  /** The type to show when it is not `type` (a JSON column this DuckDB holds as VARCHAR), and what that means. */
  shown?: { type: string; note: string };
}

/**
 * Gives each profile of a column DuckDB reads as JSON (`json`: name → its type; VARCHAR here, where
 * there is no json extension) DuckDB's type, and how to read it.
 */
export function showJson(profiles: ColumnProfile[], json: ReadonlyMap<string, string>): void {
  for (const p of profiles) {
    const wanted = json.get(p.name);
    if (wanted === undefined || withoutJson(wanted) !== p.type) continue;
    const text = wanted === "JSON" ? `${quoteIdent(p.name)}->>'$' gives a string's text` : "read its parts with ->> or json_extract_string";
    p.shown = { type: wanted, note: `DuckDB reads this column as ${wanted}: cast to text, a string keeps its quotes; ${text}` };
  }
}

const NUMERIC = /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT|FLOAT|DOUBLE|REAL|DECIMAL)/;
const TEMPORAL = /^(TIMESTAMP|DATE)/;
/** Types profiled by their most common values rather than a range (a VARCHAR's min and max say little). */
const CATEGORICAL = /^(VARCHAR|BOOLEAN|UUID|ENUM)/;
const BINS = 16;
/**
 * Up to this many rows, distinct values are counted exactly: HyperLogLog's estimate is off by one
 * or more even for a handful of values (≈9 distinct stations where there are 10), and counting is
 * cheap at a notebook window's size. Nested types keep the estimate.
 */
const EXACT_DISTINCT_ROWS = 200_000;
const NESTED = /^(STRUCT|MAP|UNION)|\]$/;

/**
 * Profiles a relation (a quoted table or view name, or a parenthesised query): its columns from
 * DESCRIBE, then one aggregate query for every column's count, NULLs, range and distinct estimate
 * (what SUMMARIZE gives, without SUMMARIZE: its standard deviation fails the whole profile, every
 * column of it, on a DOUBLE holding NaN or infinity, "STDDEV_SAMP is out of range!", and its null
 * percentage is rounded to two decimals, so one NULL in 10,000 rows read "null 0.0%"), and one
 * GROUP BY per column for its histogram.
 */
/** What the profile asks of DuckDB: `query` of a connection, or a pending query's rows (`sendAll`). */
export interface ProfileQueries {
  query(sql: string): Promise<{ toArray(): { toJSON(): unknown }[] }>;
}

export async function profileRelation(conn: ProfileQueries, relation: string, maxColumns = 24): Promise<ColumnProfile[]> {
  const described = await conn.query(`DESCRIBE SELECT * FROM ${relation}`);
  const columns = described
    .toArray()
    .slice(0, maxColumns)
    .map((row) => {
      const r = row.toJSON() as { column_name: unknown; column_type: unknown };
      return { name: String(r.column_name), type: String(r.column_type) };
    });
  if (columns.length === 0) return [];
  const aggregates = columns.map((c, i) => {
    const q = quoteIdent(c.name);
    return `count(${q})::DOUBLE AS v${i}, min(${q})::VARCHAR AS lo${i}, max(${q})::VARCHAR AS hi${i}, approx_count_distinct(${q})::DOUBLE AS a${i}`;
  });
  const stats = ((await conn.query(`SELECT count(*)::DOUBLE AS n, ${aggregates.join(", ")} FROM ${relation}`)).toArray()[0]?.toJSON() ?? {}) as Record<string, unknown>;
  const count = Number(stats.n ?? 0);
  const exact = await exactDistinct(conn, relation, columns, count);
  const profiles: ColumnProfile[] = [];
  for (const [i, { name, type }] of columns.entries()) {
    const values = Number(stats[`v${i}`] ?? 0);
    const nulls = count - values;
    const min = stats[`lo${i}`];
    const max = stats[`hi${i}`];
    profiles.push({
      name,
      type,
      count,
      nulls,
      nullShare: count === 0 ? 0 : nulls / count,
      // approx_count_distinct is a HyperLogLog estimate, which can exceed the values there are (1,378 distinct in 1,032 rows).
      distinct: exact.get(name) ?? Math.min(Number(stats[`a${i}`] ?? 0), values),
      exactDistinct: exact.has(name),
      min: min === null || min === undefined ? null : String(min),
      max: max === null || max === undefined ? null : String(max),
      histogram: await histogram(conn, relation, name, type),
    });
  }
  return profiles;
}

/** Each scalar column's exact number of distinct values, in one query, when the relation is small enough. */
async function exactDistinct(conn: ProfileQueries, relation: string, columns: { name: string; type: string }[], count: number): Promise<Map<string, number>> {
  const counted = new Map<string, number>();
  const scalar = columns.filter((c) => !NESTED.test(c.type));
  if (scalar.length === 0 || count > EXACT_DISTINCT_ROWS) return counted;
  const result = await conn.query(`SELECT ${scalar.map((c, i) => `count(DISTINCT ${quoteIdent(c.name)})::DOUBLE AS d${i}`).join(", ")} FROM ${relation}`);
  const row = (result.toArray()[0]?.toJSON() ?? {}) as Record<string, number>;
  scalar.forEach((c, i) => counted.set(c.name, Number(row[`d${i}`])));
  return counted;
}

async function histogram(conn: ProfileQueries, relation: string, column: string, type: string): Promise<{ label: string; n: number }[]> {
  const c = quoteIdent(column);
  if (NUMERIC.test(type) || TEMPORAL.test(type)) {
    const x = TEMPORAL.test(type) ? `epoch(${c})` : `CAST(${c} AS DOUBLE)`;
    const result = await conn.query(`
      WITH v AS (SELECT x FROM (SELECT ${x} AS x FROM ${relation}) WHERE isfinite(x)),
           b AS (SELECT min(x) AS lo, max(x) AS hi FROM v)
      SELECT (CASE WHEN hi = lo THEN 0 ELSE least(floor((x - lo) / (hi - lo) * ${BINS}), ${BINS - 1}) END)::INTEGER AS bin, count(*)::DOUBLE AS n
      FROM v, b GROUP BY bin ORDER BY bin`);
    const counts = new Array<number>(BINS).fill(0);
    for (const row of result.toArray()) {
      const r = row.toJSON() as { bin: number; n: number };
      counts[r.bin] = r.n;
    }
    return counts.map((n, i) => ({ label: `bin ${i + 1}`, n }));
  }
  if (CATEGORICAL.test(type)) {
    const result = await conn.query(`SELECT CAST(${c} AS VARCHAR) AS v, count(*)::DOUBLE AS n FROM ${relation} GROUP BY ALL ORDER BY n DESC, v LIMIT 6`);
    return result.toArray().map((row) => {
      const r = row.toJSON() as { v: string | null; n: number };
      return { label: r.v === null ? "∅" : r.v === "" ? "''" : r.v, n: r.n };
    });
  }
  return [];
}

/**
 * The profile as a list, one entry per column: name and type beside the
 * histogram, then null share, distinct count and range. A list rather than a
 * wide table, so it reads in the narrow source panel as well as under a cell.
 */
export function renderProfile(profiles: ColumnProfile[]): HTMLElement {
  const list = document.createElement("ul");
  list.className = "profile";
  for (const p of profiles) {
    const item = document.createElement("li");
    item.dataset.column = p.name;
    const head = document.createElement("div");
    head.className = "profile-head";
    const name = document.createElement("span");
    name.className = "profile-name";
    name.textContent = p.name;
    const type = document.createElement("span");
    type.className = "profile-type";
    type.textContent = p.shown?.type ?? p.type;
    // A STRUCT's type runs to hundreds of characters; cut to one line, whole on hover (as the result table's).
    type.title = p.shown ? `${p.shown.type} (${p.shown.note})` : p.type;
    head.append(name, type, bars(p.histogram));
    const stats = document.createElement("div");
    stats.className = "profile-stats";
    // Each value is isolated (`<bdi>`): an Arabic or Hebrew value took the share after it into its
    // own right-to-left run ("top 67 12 مرحبا%" for "مرحبا 12" at 67%).
    const range: (string | Node)[] =
      p.min === null
        ? ["no values"]
        : p.min === p.max
          ? [bdi(formatValue(p.min, p.type))]
          : CATEGORICAL.test(p.type) && p.histogram.length > 0
            ? mostCommon(p)
            : [bdi(formatValue(p.min, p.type)), " … ", bdi(formatValue(p.max, p.type))];
    stats.replaceChildren(`null ${nullText(p)} · ${p.exactDistinct ? "" : "≈"}${formatCount(p.distinct)} distinct · `, ...range);
    stats.title = stats.textContent ?? "";
    item.append(head, stats);
    if (p.shown) {
      const note = document.createElement("div");
      note.className = "profile-note";
      note.textContent = p.shown.note;
      item.append(note);
    }
    list.append(item);
  }
  return list;
}

/**
 * The NULLs' share of the rows, to a tenth of a percent; where that would round a NULL away (one in
 * 10,000 read "0.0%") or round the last value away ("100.0%"), the count itself.
 */
function nullText(p: ColumnProfile): string {
  const percent = (p.nullShare * 100).toFixed(1);
  if ((p.nulls > 0 && percent === "0.0") || (p.nulls < p.count && percent === "100.0")) return `${formatCount(p.nulls)} of ${formatCount(p.count)}`;
  return `${percent}%`;
}

/** "top REGULAR 91%": the most common value and its share of the rows. */
function mostCommon(p: ColumnProfile): (string | Node)[] {
  const top = p.histogram[0]!;
  const share = p.count === 0 ? 0 : (top.n / p.count) * 100;
  return ["top ", bdi(top.label), ` ${share < 1 ? "<1" : Math.round(share)}%`];
}

/** A value set apart from the text around it for the bidirectional algorithm, its direction its own. */
function bdi(text: string): HTMLElement {
  const element = document.createElement("bdi");
  element.textContent = text;
  return element;
}

function bars(histogram: { label: string; n: number }[]): SVGSVGElement {
  const ns = "http://www.w3.org/2000/svg";
  const svg = document.createElementNS(ns, "svg");
  const width = 96;
  const height = 22;
  svg.setAttribute("width", String(width));
  svg.setAttribute("height", String(height));
  svg.setAttribute("class", "histogram");
  const max = Math.max(1, ...histogram.map((b) => b.n));
  const w = histogram.length === 0 ? 0 : width / histogram.length;
  histogram.forEach((bin, i) => {
    const h = bin.n === 0 ? 0 : Math.max(1, (bin.n / max) * height);
    const rect = document.createElementNS(ns, "rect");
    rect.setAttribute("x", String(i * w + 0.5));
    rect.setAttribute("y", String(height - h));
    rect.setAttribute("width", String(Math.max(1, w - 1)));
    rect.setAttribute("height", String(h));
    const title = document.createElementNS(ns, "title");
    title.textContent = `${bin.label}: ${formatCount(bin.n)}`;
    rect.append(title);
    svg.append(rect);
  });
  return svg;
}
