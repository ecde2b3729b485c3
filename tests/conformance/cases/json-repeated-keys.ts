/**
 * JSON text whose object writes a key twice (what a JSON or VARCHAR column holds when the sender
 * repeated a key: DuckDB's read_json keeps every member there). DuckDB's JSON functions read the
 * first member, list both, and a cast to MAP keeps both entries.
 */
import type { ConformanceCase } from "../case.ts";

const rows = [{ s: '{"x":1,"x":2,"y":{"z":"a","z":"b"}}' }, { s: '{"x":[1],"x":{"q":3}}' }, { s: '{"k":"v"}' }, { s: null }];
const schema = [{ name: "s", type: "VARCHAR" }];

export const cases: ConformanceCase[] = [
  { name: "->> and -> on JSON text with a key twice read the first member", sql: "SELECT s::JSON->>'x' AS a, s::JSON->'x' AS b, s::JSON->'$.y.z' AS c, json_extract_string(s, '$.x') AS d FROM t", rows, schema },
  { name: "json_keys lists a key written twice twice; the wildcard reads every member", sql: "SELECT json_keys(s) AS k, json_extract(s, '$.*') AS w FROM t", rows, schema },
  { name: "JSON text with a key twice cast to a MAP keeps both entries", sql: "SELECT TRY_CAST(s::JSON AS MAP(VARCHAR, JSON)) AS m FROM t", rows, schema },
  { name: "json_transform of an object with a key twice reads the first member", sql: "SELECT json_transform(s, '{\"x\":\"JSON\",\"k\":\"VARCHAR\"}') AS v FROM t", rows, schema },
];
