export { describeQuery, expectOneStatement } from "./describe.node.ts";
export { loadEvents, loadJsonTexts, type LoadOptions } from "./load-events.node.ts";
export { type JsonValue, parseJsonLossless, stringifyJsonLossless } from "./lossless-json.ts";
export { type DuckDB, duckdbError, type OpenOptions, openDuckDB } from "./open.node.ts";
export { parseSql, SqlError, type SqlStatement, type SqlTree } from "./parse-sql.node.ts";
export { NO_QUERY_LOCATION, positionFromCodePoint, positionFromQueryLocation, type SqlPosition } from "./position.ts";
export { type QueryResult, queryRows } from "./query-rows.node.ts";
export { quoteIdent, quoteString } from "./quote.ts";
export { DATE_INFINITY, DATE_NEG_INFINITY, TIMESTAMP_INFINITY, TIMESTAMP_NEG_INFINITY, toValue } from "./to-value.node.ts";
