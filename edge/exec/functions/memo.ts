/**
 * Get-or-build from a bounded Map: the library's per-pattern / per-format /
 * per-type caches. The map is cleared when it reaches `limit`, so a stream of
 * distinct keys (a pattern taken from a column) cannot grow it without end.
 * Pass a module-level `build` so a cache hit allocates nothing.
 */
export function memo<K, V>(map: Map<K, V>, key: K, build: (key: K) => V, limit = 256): V {
  let v = map.get(key);
  if (v === undefined) {
    v = build(key);
    if (map.size >= limit) map.clear();
    map.set(key, v);
  }
  return v;
}

/** A new empty Map (a `build` for nested caches). */
export function newMap<K, V>(): Map<K, V> {
  return new Map<K, V>();
}
