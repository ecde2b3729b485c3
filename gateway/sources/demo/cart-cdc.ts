import { demoIso } from "./clock.ts";
import { compact, uuid } from "./messy.ts";
import { hash32, randomFor } from "./random.ts";

const PRODUCTS = [
  { sku: "TEA-01", name: "Sencha 緑茶", unit_price_cents: 1299 },
  { sku: "MUG-02", name: "Mug", unit_price_cents: 899 },
  { sku: "BAG-03", name: "Tote bag", unit_price_cents: 1500 },
  { sku: "CHO-04", name: "Chocolat noir", unit_price_cents: 450 },
  { sku: "KIT-05", name: "Brewing kit ☕", unit_price_cents: 4999 },
  { sku: "GFT-06", name: "Gift card", unit_price_cents: 2500 },
] as const;

/** Carts open at once; each lives through insert, updates, delete. */
const OPEN_CARTS = 25;
const LIFE = 6;

/**
 * Change events of a `carts` table, as a CDC connector emits them: `op` I
 * (insert), U (update) or D (delete), a gap-free `seq`, the cart id and the
 * row after the change (`items` is null after a delete). Each cart goes
 * I, U, U, U, U, D; carts interleave. Messy shares: lowercase `op` (0.5%),
 * negative quantity (0.5%), an empty `items` list (3% of updates),
 * null `customer` (1%).
 */
export function cartCdcEvent(seed: number, i: number, rate: number): unknown {
  const slot = i % OPEN_CARTS;
  const round = Math.floor(i / OPEN_CARTS);
  const step = round % LIFE;
  const generation = Math.floor(round / LIFE);
  // Everything about the cart itself is drawn in a fixed order, so every change event of it agrees.
  const cart = randomFor(seed, generation, hash32(slot, 13));
  const firstProduct = cart.int(0, PRODUCTS.length - 1);
  const extra = cart.int(0, 2);
  const customer = { id: uuid(cart), tier: cart.pick(["guest", "member", "gold"]) };
  const cartId = `cart-${hash32(seed, slot, generation).toString(36)}`;
  const r = randomFor(seed, i);
  const op = step === 0 ? "I" : step === LIFE - 1 ? "D" : "U";
  const items =
    op === "D"
      ? null
      : op === "U" && r.chance(0.03)
        ? []
        : Array.from({ length: 1 + ((step + extra) % 4) }, (_, n) => {
            const product = PRODUCTS[(firstProduct + n) % PRODUCTS.length]!;
            return { sku: product.sku, name: product.name, qty: r.chance(0.005) ? -1 : 1 + ((step + n) % 3), unit_price_cents: product.unit_price_cents };
          });
  return compact({
    op: r.chance(0.005) ? op.toLowerCase() : op,
    seq: i + 1,
    cart_id: cartId,
    ts: demoIso(i, rate),
    customer: r.chance(0.01) ? null : customer,
    items,
    currency: "EUR",
  });
}
