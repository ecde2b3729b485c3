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
  /**
   * Equal-width bins for numbers and times (the few far-out values, `outlier`, counted apart at either end),
   * top values otherwise (NULL among them, `isNull`). `count` is how a bar says its `n`.
   */
  histogram: { label: string; n: number; count?: string; isNull?: true; outlier?: true }[];
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
    // A cell's profile is handed all its columns' types: one without JSON has nothing to say (every
    // column of a cell over a JSON source read "DuckDB reads this column as BIGINT: … ->>").
    if (wanted === undefined || wanted === p.type || withoutJson(wanted) !== p.type) continue;
    const text = wanted === "JSON" ? `${quoteIdent(p.name)}->>'$' gives a string's text` : "read its parts with ->> or json_extract_string";
    p.shown = { type: wanted, note: `DuckDB reads this column as ${wanted}: cast to text, a string keeps its quotes; ${text}` };
  }
}

const NUMERIC = /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT|FLOAT|DOUBLE|REAL|DECIMAL)/;
const TEMPORAL = /^(TIMESTAMP|DATE)/;
/** Types profiled by their most common values rather than a range (a VARCHAR's min and max say little). */
const CATEGORICAL = /^(VARCHAR|BOOLEAN|UUID|ENUM)/;
const BINS = 16;
/** At most this share of a column's values may lie beyond the far fences for the bins to leave them out of their range. */
const OUTLIER_SHARE = 0.02;
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

async function histogram(conn: ProfileQueries, relation: string, column: string, type: string): Promise<ColumnProfile["histogram"]> {
  const c = quoteIdent(column);
  if (NUMERIC.test(type) || TEMPORAL.test(type)) {
    const temporal = TEMPORAL.test(type);
    const x = temporal ? `epoch(${c})` : `CAST(${c} AS DOUBLE)`;
    // Bins over the values between Tukey's far fences (3 IQR beyond the quartiles) when only a few (at most
    // OUTLIER_SHARE) lie outside them: one garbled counter of 2^53 among millions put every value in the first
    // of equal-width bins from min to max, a histogram of one bar. The few outside are counted at either end.
    const result = await conn.query(`
      WITH v AS (SELECT x FROM (SELECT ${x} AS x FROM ${relation}) WHERE isfinite(x)),
           q AS (SELECT quantile_cont(x, 0.25) AS q1, quantile_cont(x, 0.75) AS q3, count(*) AS n FROM v),
           f AS (SELECT q1 - 3 * (q3 - q1) AS flo, q3 + 3 * (q3 - q1) AS fhi, n FROM q),
           o AS (SELECT count(*) FILTER (WHERE x < flo OR x > fhi) AS outside, min(x) FILTER (WHERE x >= flo AND x <= fhi) AS ilo, max(x) FILTER (WHERE x >= flo AND x <= fhi) AS ihi, min(x) AS lo, max(x) AS hi, any_value(n) AS n FROM v, f),
           b AS (SELECT CASE WHEN outside > 0 AND outside <= ${OUTLIER_SHARE} * n AND ihi > ilo THEN ilo ELSE lo END AS lo,
                        CASE WHEN outside > 0 AND outside <= ${OUTLIER_SHARE} * n AND ihi > ilo THEN ihi ELSE hi END AS hi FROM o)
      SELECT (CASE WHEN x < lo THEN -1 WHEN x > hi THEN ${BINS} WHEN hi = lo THEN 0 ELSE least(floor((x - lo) / (hi - lo) * ${BINS}), ${BINS - 1}) END)::INTEGER AS bin,
             count(*)::DOUBLE AS n, any_value(lo)::DOUBLE AS lo, any_value(hi)::DOUBLE AS hi
      FROM v, b GROUP BY bin ORDER BY bin`);
    const counts = new Array<number>(BINS).fill(0);
    let below = 0;
    let above = 0;
    let lo = 0;
    let hi = 0;
    for (const row of result.toArray()) {
      const r = row.toJSON() as { bin: number; n: number; lo: number; hi: number };
      if (r.bin < 0) below = r.n;
      else if (r.bin >= BINS) above = r.n;
      else counts[r.bin] = r.n;
      lo = r.lo;
      hi = r.hi;
    }
    const at = (edge: number) => (temporal ? formatInstant(edge, type) : formatNumber(edge));
    const width = (hi - lo) / BINS;
    // Each bar says what it counts: "bin 3: 52" said neither which values nor, for a time, when.
    const what = temporal ? (n: number) => `${formatCount(n)} ${n === 1 ? "row" : "rows"}` : formatCount;
    const bins: ColumnProfile["histogram"] = counts.map((n, i) => ({ label: hi === lo ? at(lo) : `${at(lo + i * width)} – ${at(i === BINS - 1 ? hi : lo + (i + 1) * width)}`, n, count: what(n) }));
    if (below > 0) bins.unshift({ label: `below ${at(lo)} (far out)`, n: below, count: what(below), outlier: true });
    if (above > 0) bins.push({ label: `above ${at(hi)} (far out)`, n: above, count: what(above), outlier: true });
    return bins;
  }
  if (CATEGORICAL.test(type)) {
    const result = await conn.query(`SELECT CAST(${c} AS VARCHAR) AS v, count(*)::DOUBLE AS n FROM ${relation} GROUP BY ALL ORDER BY n DESC, v LIMIT 6`);
    return result.toArray().map((row) => {
      const r = row.toJSON() as { v: string | null; n: number };
      return r.v === null ? { label: "∅", n: r.n, isNull: true as const } : { label: r.v === "" ? "''" : r.v, n: r.n };
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
    head.append(name, type, bars(p.histogram, p.type));
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

/**
 * "top REGULAR 91%": the most common value and its share of the rows. NULL is not a value here (the
 * null share says it: a column 90% NULL read "null 90.0% · top ∅ 90%"), and where no value repeats
 * there is no top ("300 distinct · top c0 <1%" named the first id in sort order).
 */
function mostCommon(p: ColumnProfile): (string | Node)[] {
  const top = p.histogram.find((bin) => bin.isNull !== true);
  if (top === undefined) return ["no values"];
  if (top.n === 1) return ["no value repeats"];
  const share = p.count === 0 ? 0 : (top.n / p.count) * 100;
  return ["top ", bdi(top.label), ` ${share < 1 ? "<1" : Math.round(share)}%`];
}

/** A value set apart from the text around it for the bidirectional algorithm, its direction its own. */
function bdi(text: string): HTMLElement {
  const element = document.createElement("bdi");
  element.textContent = text;
  return element;
}

function bars(histogram: ColumnProfile["histogram"], type: string): SVGSVGElement {
  const ns = "http://www.w3.org/2000/svg";
  const svg = document.createElementNS(ns, "svg");
  const width = 96;
  const height = 22;
  svg.setAttribute("width", String(width));
  svg.setAttribute("height", String(height));
  // Scaled by CSS: wider under a cell than in the narrow source panel.
  svg.setAttribute("viewBox", `0 0 ${width} ${height}`);
  svg.setAttribute("preserveAspectRatio", "none");
  svg.setAttribute("class", "histogram");
  svg.setAttribute("role", "img");
  svg.setAttribute("aria-label", NUMERIC.test(type) ? "values by range" : TEMPORAL.test(type) ? "rows over time" : "most common values");
  const max = Math.max(1, ...histogram.map((b) => b.n));
  const w = histogram.length === 0 ? 0 : width / histogram.length;
  histogram.forEach((bin, i) => {
    // A far-out bar of one value among thousands is still seen.
    const h = bin.n === 0 ? 0 : Math.max(bin.outlier ? 4 : 1, (bin.n / max) * height);
    const rect = document.createElementNS(ns, "rect");
    rect.setAttribute("x", String(i * w + 0.5));
    rect.setAttribute("y", String(height - h));
    rect.setAttribute("width", String(Math.max(1, w - 1)));
    rect.setAttribute("height", String(h));
    if (bin.outlier) rect.setAttribute("class", "outlier");
    const title = document.createElementNS(ns, "title");
    title.textContent = `${bin.label}: ${bin.count ?? formatCount(bin.n)}`;
    rect.append(title);
    svg.append(rect);
  });
  return svg;
}

/** A bin's edge: four significant digits, grouped ("2,500,000", "0.1235"), so sixteen labels stay short. */
function formatNumber(n: number): string {
  return n.toLocaleString("en-US", { maximumSignificantDigits: Math.min(21, Math.max(4, Math.ceil(Math.log10(Math.abs(n) + 1)))) });
}

/** A time bin's edge (seconds since the epoch) as DuckDB prints the type, to the second (a DATE to the day). */
function formatInstant(seconds: number, type: string): string {
  const date = new Date(Math.round(seconds) * 1000);
  return formatValue(date, type.startsWith("DATE") ? "DATE" : type);
}
