import type { Connection } from "../duckdb.ts";
import { quoteIdent } from "../sql.ts";
import { formatCount, formatValue } from "./format-value.ts";

/** One column's profile: what DuckDB's SUMMARIZE gives, plus a small histogram. */
export interface ColumnProfile {
  name: string;
  type: string;
  count: number;
  nullShare: number;
  distinct: number;
  /** Whether `distinct` is counted (`count(DISTINCT)`) or SUMMARIZE's HyperLogLog estimate. */
  exactDistinct: boolean;
  min: string | null;
  max: string | null;
  /** Equal-width bins for numbers and times, top values otherwise. */
  histogram: { label: string; n: number }[];
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
 * Profiles a relation (a quoted table or view name, or a parenthesised query)
 * with SUMMARIZE, which DuckDB-WASM has built in, and one GROUP BY per column
 * for its histogram.
 */
export async function profileRelation(conn: Connection, relation: string, maxColumns = 24): Promise<ColumnProfile[]> {
  // null_percentage is a DECIMAL(9,2), which DuckDB-WASM hands out unscaled (0.29% as 29): read it as a DOUBLE.
  const summary = await conn.query(
    `SELECT column_name, column_type, count, null_percentage::DOUBLE AS null_percentage, approx_unique, min, max FROM (SUMMARIZE SELECT * FROM ${relation})`,
  );
  const rows = summary.toArray().slice(0, maxColumns).map((row) => row.toJSON() as Record<string, unknown>);
  const exact = await exactDistinct(conn, relation, rows.map((r) => ({ name: String(r.column_name), type: String(r.column_type), count: Number(r.count ?? 0) })));
  const profiles: ColumnProfile[] = [];
  for (const r of rows) {
    const name = String(r.column_name);
    const type = String(r.column_type);
    const count = Number(r.count ?? 0);
    const nullShare = Number(r.null_percentage ?? 0) / 100;
    profiles.push({
      name,
      type,
      count,
      nullShare,
      // approx_unique is a HyperLogLog estimate, which can exceed the values there are (1,378 distinct in 1,032 rows).
      distinct: exact.get(name) ?? Math.min(Number(r.approx_unique ?? 0), Math.round(count * (1 - nullShare))),
      exactDistinct: exact.has(name),
      min: r.min === null || r.min === undefined ? null : String(r.min),
      max: r.max === null || r.max === undefined ? null : String(r.max),
      histogram: await histogram(conn, relation, name, type),
    });
  }
  return profiles;
}

/** Each scalar column's exact number of distinct values, in one query, when the relation is small enough. */
async function exactDistinct(conn: Connection, relation: string, columns: { name: string; type: string; count: number }[]): Promise<Map<string, number>> {
  const counted = new Map<string, number>();
  const scalar = columns.filter((c) => !NESTED.test(c.type));
  if (scalar.length === 0 || columns.some((c) => c.count > EXACT_DISTINCT_ROWS)) return counted;
  const result = await conn.query(`SELECT ${scalar.map((c, i) => `count(DISTINCT ${quoteIdent(c.name)})::DOUBLE AS d${i}`).join(", ")} FROM ${relation}`);
  const row = (result.toArray()[0]?.toJSON() ?? {}) as Record<string, number>;
  scalar.forEach((c, i) => counted.set(c.name, Number(row[`d${i}`])));
  return counted;
}

async function histogram(conn: Connection, relation: string, column: string, type: string): Promise<{ label: string; n: number }[]> {
  const c = quoteIdent(column);
  if (NUMERIC.test(type) || TEMPORAL.test(type)) {
    const x = TEMPORAL.test(type) ? `epoch(${c})` : `CAST(${c} AS DOUBLE)`;
    const result = await conn.query(`
      WITH v AS (SELECT ${x} AS x FROM ${relation} WHERE ${c} IS NOT NULL),
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
      return { label: r.v ?? "∅", n: r.n };
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
    type.textContent = p.type;
    // A STRUCT's type runs to hundreds of characters; cut to one line, whole on hover (as the result table's).
    type.title = p.type;
    head.append(name, type, bars(p.histogram));
    const stats = document.createElement("div");
    stats.className = "profile-stats";
    const range = p.min === null ? "no values" : p.min === p.max ? formatValue(p.min, p.type) : CATEGORICAL.test(p.type) && p.histogram.length > 0 ? mostCommon(p) : `${formatValue(p.min, p.type)} … ${formatValue(p.max, p.type)}`;
    stats.textContent = `null ${(p.nullShare * 100).toFixed(1)}% · ${p.exactDistinct ? "" : "≈"}${formatCount(p.distinct)} distinct · ${range}`;
    stats.title = stats.textContent;
    item.append(head, stats);
    list.append(item);
  }
  return list;
}

/** "top REGULAR 91%": the most common value and its share of the rows. */
function mostCommon(p: ColumnProfile): string {
  const top = p.histogram[0]!;
  const share = p.count === 0 ? 0 : (top.n / p.count) * 100;
  return `top ${top.label} ${share < 1 ? "<1" : Math.round(share)}%`;
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
