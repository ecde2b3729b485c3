/**
 * Aborted transactions in a read-committed Fetch answer. The broker still
 * returns the messages of aborted transactions, with the list of those
 * transactions (producer id, first offset); the client leaves them out.
 * kafkajs does it in its Batch, but activates at most one listed
 * transaction per message: when a fetch starts after two aborted
 * transactions of different producers began, the second one's first
 * messages were handed over as committed (and a transaction activated late,
 * after its own abort marker, would drop the producer's next, committed,
 * messages). Both readers use this instead: the runner (kafka.ts, on each
 * Fetch answer before kafkajs sees it) and the notebook's sample reader
 * (gateway/sources/kafka-source.ts).
 */

/** A record of a Fetch answer, as kafkajs decodes it. */
export interface FetchedRecord {
  offset: string;
  key: Buffer | null;
  isControlRecord?: boolean;
  /** The record batch it came in (magic v2 batches only). */
  batchContext?: { producerId: string; inTransaction: boolean };
}

/** An aborted transaction a Fetch answer lists: its producer and first offset. */
export interface AbortedTransaction {
  producerId: string;
  firstOffset: string;
}

/**
 * The data records (not markers) of `records`, in offset order, that belong to an aborted transaction:
 * a producer's records from a listed transaction's first offset until that producer's next abort marker
 * (a control record whose key, a version and a type, both int16, has type 0).
 */
export function abortedRecords<T extends FetchedRecord>(records: readonly T[], aborted: readonly AbortedTransaction[]): Set<T> {
  const found = new Set<T>();
  if (aborted.length === 0) return found;
  const starts = [...aborted].sort((a, b) => {
    const x = BigInt(a.firstOffset);
    const y = BigInt(b.firstOffset);
    return x < y ? -1 : x > y ? 1 : 0;
  });
  const open = new Set<string>();
  let next = 0;
  for (const record of records) {
    const offset = BigInt(record.offset);
    // Every listed transaction begun by now is open (not one per record).
    while (next < starts.length && BigInt(starts[next]!.firstOffset) <= offset) open.add(starts[next++]!.producerId);
    const batch = record.batchContext;
    if (!batch || !open.has(batch.producerId)) continue;
    if (record.isControlRecord) {
      if (record.key && record.key.length >= 4 && record.key.readInt16BE(2) === 0) open.delete(batch.producerId);
    } else if (batch.inTransaction) found.add(record);
  }
  return found;
}

/**
 * kafkajs's private cluster factory (the one `consumer()` uses), found on a client by its symbol's
 * description: the notebook's sample calls it (a Cluster that fetches without joining a group) and
 * the runner wraps it (to filter each Fetch answer). Both depend on kafkajs 2.2.x internals.
 */
export function clusterFactory<C>(kafka: object): { slot: symbol; create: (options: unknown) => C } {
  const slot = Object.getOwnPropertySymbols(kafka).find((s) => s.description === "private:Kafka:createCluster");
  const create = slot && (kafka as Record<symbol, unknown>)[slot];
  if (typeof create !== "function") throw new Error("kafka: this kafkajs version has no cluster factory; pin kafkajs 2.2.x");
  return { slot: slot!, create: create as (options: unknown) => C };
}
