/**
 * Events refused for an object that writes a key twice (`{"a":1,"a":2}`), read again with every
 * member kept (`RepeatedKeys`). The decoder refuses every repeat, as no schema is known where it
 * runs; the notebook's sample and tail then judge such an event as DuckDB's `read_json` does
 * (`gateway/sample/load-sample.ts`, the page's `tail-repeats.ts`). A source that adds columns of
 * its own (Kafka `metadata:`, a webhook's `metadata:`/`headers:`) makes them from the record or
 * delivery, which only the source has: it keeps the event read again with them added beside the
 * error, as `kept`, and the sample and tail read that, as the Worker and the runner read the
 * record with its columns. Before, such an event stayed an error row in the sample and the tail.
 */
import { DuplicateKeyError, parseEventJson } from "../../edge/duckdb/lossless-json.ts";
import type { SourceEvent } from "./source.ts";

/** An error event; when it was refused only for a repeated key, `kept` is the event with every member and the source's columns. */
export type RefusedEvent = Extract<SourceEvent, { ok: false }> & { kept?: unknown };

/** The event `raw` holds with every member of each object kept, when the decoder refused it only for a repeated key; else undefined. */
export function rereadKeepingRepeats(raw: string): unknown {
  if (raw === "") return undefined;
  try {
    parseEventJson(raw);
    return undefined;
  } catch (error) {
    if (!(error instanceof DuplicateKeyError)) return undefined;
  }
  return parseEventJson(raw, undefined, "keep");
}

/**
 * `events` with each error event that a repeated key alone made one given `kept`: the event read
 * again, `add` giving it the source's columns. Where `add` refuses (the event has a field of a
 * column's name), the event stays an error saying that instead, as the Worker says it.
 */
export function keepRepeats(events: SourceEvent[], add: (value: unknown) => { ok: true; value: unknown } | { ok: false; error: string }): SourceEvent[] {
  return events.map((event): SourceEvent | RefusedEvent => {
    if (event.ok) return event;
    const value = rereadKeepingRepeats(event.raw);
    if (value === undefined) return event;
    const added = add(value);
    return added.ok ? { ...event, kept: added.value } : { ...event, error: added.error };
  });
}
