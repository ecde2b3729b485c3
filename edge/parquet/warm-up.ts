import type { Row, Schema, Value } from "../plan/values.ts";
import type { ParquetWriter } from "./writer.ts";

/**
 * Encodes throwaway rows of a sink's schema once, so the encoder's code is
 * compiled and optimised before the first real flush. A runner's first flush
 * otherwise runs the encoder cold, at about 2.5× the time of later ones (a
 * backfill's whole output is often that one flush per partition); its worker
 * thread idles while the consumer joins the group, which is when this runs.
 * The values are typed as the executor gives them (values.ts): repeated text
 * takes the dictionary path, distinct text the plain one; nested columns are NULL.
 */
export function warmUp(writer: ParquetWriter, schema: Schema, rows = 500): void {
  const columns = schema.map((c) => ({ name: c.name, value: sampleOf(c.type) }));
  const batch: Row[] = [];
  for (let i = 0; i < rows; i++) {
    const row: Row = {};
    for (const c of columns) row[c.name] = i % 17 === 0 ? null : c.value(i);
    batch.push(row);
  }
  writer.write(schema, batch);
}

function sampleOf(type: string): (i: number) => Value {
  const t = type.toUpperCase();
  if (t === "BOOLEAN") return (i) => i % 3 === 0;
  if (t === "TINYINT" || t === "UTINYINT") return (i) => i % 100;
  if (t === "SMALLINT" || t === "USMALLINT" || t === "INTEGER" || t === "UINTEGER") return (i) => (i * 7919) % 30000;
  if (t === "BIGINT" || t === "UBIGINT" || t === "HUGEINT" || t === "UHUGEINT") return (i) => BigInt(i * 7919);
  if (t === "FLOAT" || t === "DOUBLE") return (i) => i / 7;
  if (t.startsWith("DECIMAL")) return (i) => BigInt(i);
  if (t === "VARCHAR" || t === "JSON" || t.startsWith("ENUM")) return (i) => (i % 2 === 0 ? `w${i % 40}` : `warm-up value ${i} ✓`);
  if (t === "UUID") return (i) => `00000000-0000-4000-8000-${i.toString(16).padStart(12, "0")}`;
  if (t === "DATE") return (i) => 20_000 + (i % 3);
  if (t === "TIME") return (i) => BigInt(i) * 1_000_000n;
  if (t === "TIMESTAMP" || t === "TIMESTAMP WITH TIME ZONE" || t === "TIMESTAMPTZ") return (i) => 1_700_000_000_000_000n + BigInt(i) * 1_000_000n;
  return () => null;
}
