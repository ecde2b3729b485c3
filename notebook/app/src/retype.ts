import { type Schema, Type } from "apache-arrow";
import { formatType, parseType, type TypeNode } from "../../../edge/plan/type-text.ts";
import { quoteIdent } from "./sql.ts";

/** What `retypeSampleTable` needs of a DuckDB-WASM connection. */
export interface QueryConnection {
  query(sql: string): Promise<{ toArray(): unknown[] }>;
}

/**
 * Gives a table loaded from the gateway's Arrow sample the types the gateway's DuckDB read.
 * Arrow has no HUGEINT, UUID, JSON, INTERVAL or ENUM, so the gateway sends them as text, at
 * any depth (`STRUCT(h HUGEINT)` arrives as a struct of text), with DuckDB's type in each
 * field's `duckdb.type` metadata; a MAP arrives as a list of key/value structs. Every column
 * whose type here differs from that one is altered to it, so a query in the notebook sees the
 * types the published pipeline reads (`s.h + 1` on a HUGEINT, a UUID's order), and the live
 * tail's text is cast on insert. This DuckDB has no JSON type (no json extension): a nested
 * type is tried again with its JSON parts as VARCHAR, and a column that is already the wanted
 * type with JSON as VARCHAR stays so quietly. Any other type it cannot take stays as loaded, with a
 * warning. Answers the columns it could not retype.
 */
export async function retypeSampleTable(conn: QueryConnection, table: string, schema: Schema): Promise<string[]> {
  const loaded = new Map<string, string>();
  for (const row of (await conn.query(`DESCRIBE ${quoteIdent(table)}`)).toArray()) {
    const r = (row as { toJSON?: () => unknown }).toJSON ? ((row as { toJSON(): unknown }).toJSON() as Record<string, unknown>) : (row as Record<string, unknown>);
    loaded.set(String(r.column_name), String(r.column_type));
  }
  const failed: string[] = [];
  for (const field of schema.fields) {
    const wanted = field.metadata.get("duckdb.type");
    const current = loaded.get(field.name);
    if (!wanted || current === undefined) continue;
    const targets = retypeTargets(current, wanted, field.typeId === Type.Utf8);
    let cause: unknown = null;
    for (const target of targets) {
      try {
        await conn.query(`ALTER TABLE ${quoteIdent(table)} ALTER COLUMN ${quoteIdent(field.name)} SET DATA TYPE ${target}`);
        cause = null;
        break;
      } catch (error) {
        cause = error;
      }
    }
    if (cause !== null) {
      // A column whose only difference is JSON held as VARCHAR (this DuckDB has no json extension) is
      // as close as it can be: not a failure to warn of on every page open.
      if (withoutJson(wanted) === current) continue;
      failed.push(field.name);
      console.warn(new Error(`source ${table}: column ${field.name} stays ${current}, not ${wanted}`, { cause }));
    }
  }
  return failed;
}

/** The types to try for a column loaded as `current` that the gateway's DuckDB typed `wanted`, best first. */
export function retypeTargets(current: string, wanted: string, loadedAsText: boolean): string[] {
  if (current === wanted || /^(VARCHAR|TEXT|STRING)$/i.test(wanted)) return [];
  let node: TypeNode;
  try {
    node = parseType(wanted);
  } catch {
    return loadedAsText ? [wanted] : [];
  }
  // A scalar other than text comes typed from Arrow already (its metadata only says the same).
  if (!loadedAsText && !carriesText(node)) return [];
  const targets = [wanted];
  const withoutJson = formatType(jsonAsVarchar(node));
  if (withoutJson !== wanted && withoutJson !== current && node.kind !== "scalar") targets.push(withoutJson);
  return targets;
}

/** The scalar types the gateway's Arrow sends as text, and MAP, which it sends as a list. */
function carriesText(t: TypeNode): boolean {
  switch (t.kind) {
    case "scalar":
      return /^(HUGEINT|UHUGEINT|UUID|JSON|INTERVAL)$/.test(t.name);
    case "other":
      return true;
    case "decimal":
      return false;
    case "list":
    case "array":
      return carriesText(t.child);
    case "struct":
      return t.fields.some((f) => carriesText(f.type));
    case "map":
      return true;
  }
}

/**
 * The columns of a sample the gateway's DuckDB read as JSON (at any depth) that this DuckDB, which has
 * no JSON type, holds as VARCHAR: name → DuckDB's type. A person reading "VARCHAR" writes
 * `CAST(ts AS VARCHAR)` or `try_strptime(ts, …)` and gets a string's JSON text, quotes and all (DuckDB does
 * the same to a JSON value), so the rows quietly go NULL; the profile says JSON instead.
 */
export function jsonColumns(schema: Schema | null): Map<string, string> {
  const found = new Map<string, string>();
  for (const field of schema?.fields ?? []) {
    const wanted = field.metadata.get("duckdb.type");
    if (wanted && /\bJSON\b/.test(wanted) && withoutJson(wanted) !== wanted) found.set(field.name, wanted);
  }
  return found;
}

/** `wanted` with its JSON parts as VARCHAR, in DuckDB's spelling; null when it does not parse. */
export function withoutJson(wanted: string): string | null {
  try {
    return formatType(jsonAsVarchar(parseType(wanted)));
  } catch (error) {
    if (error instanceof Error) return null;
    throw error;
  }
}

function jsonAsVarchar(t: TypeNode): TypeNode {
  return replaceJson(t, { kind: "scalar", name: "VARCHAR" });
}

/** `t` with every JSON in it, at any depth (list, array, struct field, map key or value), made `by`. */
export function replaceJson(t: TypeNode, by: TypeNode): TypeNode {
  switch (t.kind) {
    case "scalar":
      return t.name === "JSON" ? by : t;
    case "list":
    case "array":
      return { ...t, child: replaceJson(t.child, by) };
    case "struct":
      return { kind: "struct", fields: t.fields.map((f) => ({ name: f.name, type: replaceJson(f.type, by) })) };
    case "map":
      return { kind: "map", key: replaceJson(t.key, by), value: replaceJson(t.value, by) };
    default:
      return t;
  }
}
