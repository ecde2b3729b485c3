/**
 * A replayed dead letter's stream columns: the `metadata:`/`headers:` columns (`_key`, `_offset`,
 * `_received_at`, `_headers`, ...) rebuilt from the letter's `origin` (dead-letter.ts) by the same
 * functions the live Kafka runner (kafka-metadata.ts) and the Worker (webhook-metadata.ts) use,
 * and added to the letter's payload text, so the replayed event is the event the live run had.
 */
import type { SourceSpec } from "../../notebook/format/model.ts";
import { stringifyJsonLossless } from "../duckdb/lossless-json.ts";
import type { LetterOrigin } from "../sinks/dead-letter.ts";
import { addDeliveryColumns } from "../worker/webhook-metadata.ts";
import { addMetadata, metadataColumns, metadataTime, originRecord } from "./kafka-metadata.ts";

/**
 * What a replay does with one letter: `none` when the source adds no column; `missing` when it
 * does but the letter does not hold what they need (written before letters kept their origin, or
 * under a notebook that selected fewer); `refused` when the live run would refuse the event again
 * (a key that is not UTF-8, a field of a column's name); else the payload with the columns.
 */
export type ReplayedPayload = { kind: "none" } | { kind: "missing" } | { kind: "refused"; reason: string } | { kind: "ok"; raw: string };

/** Whether `spec` (the bundle's source) adds columns from its records or deliveries. */
export function addsStreamColumns(spec: SourceSpec): boolean {
  if (spec.kind === "kafka") return (spec.metadata?.length ?? 0) > 0;
  if (spec.kind === "webhook") return (spec.metadata?.length ?? 0) > 0 || (spec.headers?.length ?? 0) > 0;
  return false;
}

/**
 * `raw` (one line of JSON text, or not JSON) with the columns `origin` rebuilds: those the bundle's
 * `spec` selects, or without a spec (a caller that has only the plan) those the origin holds,
 * which are the ones the live source selected.
 */
export function replayedPayload(raw: string, origin: LetterOrigin | undefined, spec: SourceSpec | undefined): ReplayedPayload {
  if (spec !== undefined && !addsStreamColumns(spec)) return { kind: "none" };
  if (origin === undefined) return spec === undefined ? { kind: "none" } : { kind: "missing" };
  const columns = originColumns(origin, spec);
  if (columns === null) return { kind: "missing" };
  if (!columns.ok) return { kind: "refused", reason: columns.error };
  if (columns.columns.length === 0) return { kind: "none" };
  let event: unknown;
  try {
    event = JSON.parse(raw);
  } catch (error) {
    if (!(error instanceof SyntaxError)) throw error;
    // Not JSON: no event to add columns to; the reader refuses it again, as the live run did.
    return { kind: "ok", raw };
  }
  // The clash check of the live run, on a parsed copy (the text is kept as sent: `10.0`, big integers).
  const added = columns.webhook ? addDeliveryColumns(event, columns.columns) : addMetadata(event, columns.columns);
  if (!added.ok) return { kind: "refused", reason: added.error };
  if (event !== null && (typeof event !== "object" || Array.isArray(event))) return { kind: "ok", raw };
  const text = columns.columns.map(([name, value]) => `${JSON.stringify(name)}:${stringifyJsonLossless(value)}`).join(",");
  if (event === null || Object.keys(event).length === 0) return { kind: "ok", raw: `{${text}}` };
  const trimmed = raw.trimEnd();
  return { kind: "ok", raw: `${trimmed.slice(0, -1)},${text}}` };
}

type OriginColumns = { ok: true; webhook: boolean; columns: [string, unknown][] } | { ok: false; error: string };

/** The columns `origin` gives under `spec`, or null when it lacks one `spec` selects. */
function originColumns(origin: LetterOrigin, spec: SourceSpec | undefined): OriginColumns | null {
  if (origin.kafka !== undefined && (spec === undefined || spec.kind === "kafka")) {
    const { fields, record } = originRecord(origin.kafka);
    const wanted = spec?.metadata ?? fields;
    if (wanted.some((f) => !fields.includes(f))) return null;
    const made = metadataColumns(wanted, record);
    return made.ok ? { ok: true, webhook: false, columns: made.columns } : made;
  }
  if (origin.webhook !== undefined && (spec === undefined || spec.kind === "webhook")) {
    const kept = origin.webhook;
    const columns: [string, unknown][] = [];
    const fields = spec?.metadata ?? [...(kept.receivedAt !== undefined ? ["received_at" as const] : []), ...(kept.deliveryId !== undefined ? ["delivery_id" as const] : [])];
    for (const field of fields) {
      if (field === "received_at") {
        if (kept.receivedAt === undefined) return null;
        columns.push(["_received_at", metadataTime(kept.receivedAt)]);
      } else {
        if (kept.deliveryId === undefined) return null;
        columns.push(["_delivery_id", kept.deliveryId]);
      }
    }
    const names = spec?.headers ?? Object.keys(kept.headers ?? {});
    if (names.length) {
      const struct: Record<string, string | null> = {};
      for (const name of names) {
        const value = kept.headers?.[name];
        if (value === undefined) return null;
        struct[name] = value;
      }
      columns.push(["_headers", struct]);
    }
    return { ok: true, webhook: true, columns };
  }
  return null;
}
