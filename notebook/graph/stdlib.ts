/**
 * Names a JavaScript cell may use without defining them: Observable's standard
 * library and the notebook runtime's own values. A reference to one of these
 * is not an unknown name.
 */
export const STANDARD_LIBRARY: ReadonlySet<string> = new Set([
  // Observable standard library
  "DOM", "FileAttachment", "Files", "Generators", "Inputs", "Mutable", "Promises",
  "require", "resolve", "html", "svg", "md", "tex", "katex", "htl", "now", "width",
  "invalidation", "visibility", "display", "view", "input",
  // recommended libraries it provides
  "Plot", "d3", "_", "aq", "Arrow", "dot", "duckdb", "DuckDBClient", "echarts", "L", "mapboxgl",
  "mermaid", "SQLite", "SQLiteDatabaseClient", "topojson", "vl", "XLSX", "ZipArchive", "sql",
  // Observable's sample datasets
  "aapl", "alphabet", "cars", "citywater", "diamonds", "flare", "industries", "miserables",
  "olympians", "penguins", "pizza", "weather",
]);
