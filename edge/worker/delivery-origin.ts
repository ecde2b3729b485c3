/**
 * What a webhook delivery's dead letters keep of it (`origin.webhook`, dead-letter.ts), so that
 * `runnel run --replay` gives the replayed events the `_received_at`, `_delivery_id` and `_headers`
 * columns the Worker gave them (webhook-metadata.ts). Only what the source selects: the received
 * time and the delivery id when `metadata:` names them, and the headers `headers:` names — never
 * the signature or Authorization headers a notebook does not name.
 */
import type { LetterOrigin } from "../sinks/dead-letter.ts";
import { deliveryIdOf } from "../verify/verify.ts";
import { wantsDeliveryColumns, type DeliveryColumnsSpec, type DeliveryFacts } from "./webhook-metadata.ts";

/** The origin of a delivery's dead letters, or undefined when the source adds no column. */
export function deliveryOrigin(spec: DeliveryColumnsSpec, delivery: DeliveryFacts): LetterOrigin | undefined {
  if (!wantsDeliveryColumns(spec)) return undefined;
  const webhook: NonNullable<LetterOrigin["webhook"]> = {};
  if (spec.metadata?.includes("received_at")) webhook.receivedAt = delivery.receivedAt;
  if (spec.metadata?.includes("delivery_id")) webhook.deliveryId = deliveryIdOf(spec, delivery.headers);
  if (spec.headers?.length) webhook.headers = Object.fromEntries(spec.headers.map((name) => [name, delivery.headers.get(name)]));
  return { v: 1, webhook };
}
