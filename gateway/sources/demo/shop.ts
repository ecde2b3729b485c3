import { demoIso } from "./clock.ts";
import { compact, LARGE_INTEGERS, personName, uuid } from "./messy.ts";
import { hash32, type Random, randomFor } from "./random.ts";

const ACTIONS = ["enter_shop", "view_item", "view_item", "view_item", "add_to_cart", "purchase", "exit_shop"] as const;
const ITEMS = [
  { sku: "SWD-001", name: "Iron Sword", category: "weapon", rarity: "common", price: 120 },
  { sku: "SWD-077", name: "Dragonfang ⚔️", category: "weapon", rarity: "legendary", price: 9800 },
  { sku: "SHD-010", name: "Oak Shield", category: "armor", rarity: "common", price: 90 },
  { sku: "POT-002", name: "Health Potion", category: "consumable", rarity: "common", price: 15 },
  { sku: "POT-404", name: "Élixir de Vie", category: "consumable", rarity: "rare", price: 450 },
  { sku: "SKN-888", name: "桜 Skin", category: "cosmetic", rarity: "epic", price: 1500 },
  { sku: "PET-013", name: "Baby Dragon 🐉", category: "pet", rarity: "epic", price: 2400 },
  { sku: "GEM-100", name: "100 Gems", category: "currency", rarity: "common", price: 99 },
] as const;
const ENTRANCES = ["main_gate", "portal", "npc_merchant", "deep_link", "push_notification"] as const;
const SCENES = ["lobby", "arena", "dungeon_3", "guild_hall", "world_map"] as const;
const PLATFORMS = ["ios", "android", "pc", "switch"] as const;
const PLAYERS = 800;

/** What a game client puts in `payload`: a nested object whose shape depends on the action. */
function payloadFor(action: string, r: Random): Record<string, unknown> {
  const device = { os: r.pick(["iOS 18.1", "Android 15", "Windows 11", "HorizonOS"]), fps: r.int(24, 144), low_memory: r.chance(0.05) };
  switch (action) {
    case "enter_shop":
      return compact({
        entrance: r.pick(ENTRANCES),
        from_scene: r.chance(0.02) ? "" : r.pick(SCENES),
        party_size: r.chance(0.01) ? -1 : r.int(1, 4),
        promo: r.chance(0.3) ? { id: `PROMO-${r.int(1, 20)}`, banner: r.pick(["Winter Sale ❄️", "冬のセール", "Soldes d'hiver"]) } : undefined,
        device,
        ab_bucket: r.chance(0.02) ? null : r.pick(["A", "B"]),
      });
    case "purchase":
      return { currency: r.pick(["gold", "gems"]), discount: r.pick([0, 0, 0.1, 0.25]), receipt: r.hex(16), device };
    case "add_to_cart":
      return { cart_size: r.int(1, 6), device };
    default:
      return { device };
  }
}

/**
 * In-game shop telemetry: a player enters a shop, views items, adds to cart,
 * buys, leaves. `payload` is a nested object whose keys depend on the action
 * (DuckDB's inference merges every shape into one STRUCT). Messy shares: player names in other scripts (8%),
 * `item` null on item actions (1%), negative quantity (0.5%), session ids at
 * and beyond 2^53 (1%), empty `from_scene` (2%), `party_size` -1 (1%).
 */
export function shopEvent(seed: number, i: number, rate: number): unknown {
  const r = randomFor(seed, i);
  const action = r.pick(ACTIONS);
  const playerId = r.int(1, PLAYERS);
  const player = randomFor(seed, playerId, hash32(11));
  const item = action === "enter_shop" || action === "exit_shop" || r.chance(0.01) ? null : r.pick(ITEMS);
  const hasPrice = action === "purchase" || action === "add_to_cart";
  return {
    event_id: uuid(r),
    ts: demoIso(i, rate),
    action,
    session_id: r.chance(0.01) ? r.pick(LARGE_INTEGERS) : hash32(seed, playerId, Math.floor(i / 500)),
    player: { id: playerId, name: personName(player), level: player.int(1, 80), platform: player.pick(PLATFORMS) },
    shop: { id: `shop-${r.int(1, 5)}`, region: r.pick(["eu", "na", "apac"]) },
    item: item === null ? null : { sku: item.sku, name: item.name, category: item.category, rarity: item.rarity },
    price: hasPrice && item !== null ? item.price : null,
    quantity: hasPrice ? (r.chance(0.005) ? -r.int(1, 3) : r.int(1, 5)) : null,
    payload: payloadFor(action, r),
  };
}
