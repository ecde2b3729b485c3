/**
 * The types of the columns a source's own options add (`kafka: { metadata }`, `webhook: {
 * metadata, headers }`), whatever the sample holds. DuckDB types a column from its values: a
 * sample where no record has a key types `_key` JSON, where every delivery id is a GUID types
 * `_delivery_id` UUID, where no delivery carried a named header types that field JSON. The
 * published plan takes the sample's types, so a later key, a Stripe-style id or the header would
 * then be refused or read as something else. Every place that types a sample (the sample route,
 * `runnel check`/`publish`, a cell run on the gateway) loads it again with these types when
 * inference gave others, so the notebook and the pipeline see the same stable types.
 */
import type { SourceSpec } from "../../notebook/format/model.ts";
import type { Schema } from "../../edge/plan/values.ts";
import { pinnedMetadataSchema } from "../../edge/runner/kafka-metadata.ts";
import { quoteIdent } from "../../edge/duckdb/quote.ts";

/** The types the webhook columns always have (`_headers` is built from the source's header names). */
const WEBHOOK_TYPES: Record<string, string> = { _received_at: "TIMESTAMP", _delivery_id: "VARCHAR" };

/** `loaded` (DuckDB's inference over a sample of `spec`) with the option columns' own types, or null when it has them already. */
export function pinnedSourceSchema(spec: SourceSpec | undefined, loaded: Schema): Schema | null {
  if (spec?.kind === "kafka") return spec.metadata?.length ? pinnedMetadataSchema(loaded, spec.metadata) : null;
  if (spec?.kind !== "webhook" || (!spec.metadata?.length && !spec.headers?.length)) return null;
  const types: Record<string, string> = {};
  for (const field of spec.metadata ?? []) types[`_${field}`] = WEBHOOK_TYPES[`_${field}`]!;
  if (spec.headers?.length) types._headers = `STRUCT(${spec.headers.map((h) => `${quoteIdent(h.toLowerCase())} VARCHAR`).join(", ")})`;
  let changed = false;
  const pinned = loaded.map((column) => {
    const type = types[column.name];
    if (type === undefined || sameType(column.type, type)) return column;
    changed = true;
    return { ...column, type };
  });
  return changed ? pinned : null;
}

/** Type texts equal but for how DuckDB quotes a struct's field names. */
function sameType(a: string, b: string): boolean {
  return a.replaceAll('"', "") === b.replaceAll('"', "");
}
