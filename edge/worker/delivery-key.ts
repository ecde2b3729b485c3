/**
 * The id a webhook delivery is deduplicated by, on the Worker (`/ingest`) and in the gateway's
 * captures (`/hooks`) alike, first found of:
 *
 * 1. the sender's own event id in the signed body, for the two senders that put it there and sign
 *    each retry anew: Stripe's `id` (`evt_…`; Stripe's advice is to dedupe on it) and the `event_id`
 *    of Slack's Events API (`Ev…`). A retry, signed at its own time, is then the same delivery, as
 *    is a copy sent again; a different event, even with the same text, is not (Stripe events differ
 *    in `id` and `created`). Before, each retry was stored and written again.
 * 2. for Stripe and Slack without one (a Slack slash command, a test body), the digest of the signed
 *    timestamp and the body (`replayKey`): a copy sent again is a duplicate, a retry is new.
 * 3. the source's `delivery_header` (`deliveryIdOf`).
 *
 * Neither Stripe nor Slack signs a delivery-id header, so 1 and 2 come before it: a replay under a
 * new header value must not count as new. The body is signed, so its id cannot be forged.
 */
import { deliveryIdOf, replayKey, type VerifyInput, type VerifyScheme } from "../verify/verify.ts";

/** The longest event id taken from a body; a longer one (no sender's) falls back to the digest. */
const MAX_EVENT_ID = 255;

/**
 * See the module's doc: the sender's event id, else the signed digest, else the delivery header; null
 * when there is none. With `scope` (the Worker passes the source's name), the id is kept as
 * `<scope>/<id>`: Stripe sends one event, under one id, to every endpoint of an account that
 * subscribes to it (Svix one message, under one `webhook-id`), and one Durable Object remembers the
 * ids of every source its sink reads (a UNION ALL of two sources), so a bare id of one source would
 * make the other's delivery a duplicate. The gateway keeps a log per source and needs none.
 */
export async function deliveryKey(source: { signature: VerifyScheme | "none"; deliveryHeader: string | null }, headers: VerifyInput["headers"], body: Uint8Array, scope?: string): Promise<string | null> {
  let id = senderEventId(source.signature, body) ?? (await replayKey(source.signature, headers, body));
  if (id === null) {
    // An empty (or blank) delivery header is no id: taken as one, every later delivery with it was a
    // duplicate, answered 202 and its events never written.
    const header = deliveryIdOf(source, headers);
    id = header === null || header.trim() === "" ? null : header;
  }
  // Every kind of id is the source's own: a delivery header's too (one Svix message fanned out to two
  // endpoints has one `webhook-id`, two senders' counters meet), and the digest (one Stripe body signed
  // for two endpoints in the same second).
  return id === null || scope === undefined ? id : `${scope}/${id}`;
}

/** The event id the body of a Stripe or Slack delivery carries at its top level (`id`, `event_id`), or null. */
export function senderEventId(scheme: VerifyScheme | "none", body: Uint8Array): string | null {
  const field = scheme === "stripe" ? "id" : scheme === "slack" ? "event_id" : null;
  if (field === null) return null;
  let value: unknown;
  try {
    value = JSON.parse(utf8.decode(body));
  } catch (error) {
    // Not JSON (a Slack slash command is a form): no event id; the digest stands in.
    if (error instanceof SyntaxError || error instanceof TypeError) return null;
    throw error;
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) return null;
  const id = (value as Record<string, unknown>)[field];
  return typeof id === "string" && id.length > 0 && id.length <= MAX_EVENT_ID ? id : null;
}

const utf8 = new TextDecoder("utf-8", { fatal: true });
