/**
 * A JSON encoding for executor state (window groups, aggregate states) that
 * keeps what JSON loses: bigint, NaN, ±Infinity, -0, Uint8Array, Set, Map,
 * undefined. The Kafka runner stores it beside the output at every flush, so
 * a restarted runner resumes with exactly the state the flush left.
 */
type Tagged = null | boolean | number | string | Tagged[] | { [k: string]: Tagged };

export function encodeState(value: unknown): Tagged {
  if (value === null || typeof value === "boolean" || typeof value === "string") return value;
  if (value === undefined) return { $u: 1 };
  if (typeof value === "bigint") return { $b: value.toString() };
  if (typeof value === "number") {
    if (Number.isNaN(value)) return { $n: "NaN" };
    if (!Number.isFinite(value)) return { $n: value > 0 ? "Infinity" : "-Infinity" };
    if (Object.is(value, -0)) return { $n: "-0" };
    return value;
  }
  if (value instanceof Uint8Array) return { $y: [...value] };
  if (Array.isArray(value)) return value.map(encodeState);
  if (value instanceof Set) return { $s: [...value].map(encodeState) };
  if (value instanceof Map) return { $m: [...value].map(([k, v]) => [encodeState(k), encodeState(v)]) };
  if (typeof value === "object" && Object.getPrototypeOf(value) === Object.prototype) {
    const out: { [k: string]: Tagged } = {};
    for (const [k, v] of Object.entries(value)) out[k.startsWith("$") ? `$${k}` : k] = encodeState(v);
    return out;
  }
  throw new Error(`exec: cannot snapshot a ${Object.prototype.toString.call(value)} in executor state`);
}

export function decodeState(tagged: Tagged): unknown {
  if (tagged === null || typeof tagged !== "object") return tagged;
  if (Array.isArray(tagged)) return tagged.map(decodeState);
  if ("$u" in tagged) return undefined;
  if ("$b" in tagged) return BigInt(tagged.$b as string);
  if ("$n" in tagged) return tagged.$n === "-0" ? -0 : Number(tagged.$n);
  if ("$y" in tagged) return Uint8Array.from(tagged.$y as number[]);
  if ("$s" in tagged) return new Set((tagged.$s as Tagged[]).map(decodeState));
  if ("$m" in tagged) return new Map((tagged.$m as Tagged[][]).map(([k, v]) => [decodeState(k!), decodeState(v!)]));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(tagged)) out[k.startsWith("$$") ? k.slice(1) : k] = decodeState(v);
  return out;
}
