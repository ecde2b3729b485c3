import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { compareKeys } from "./keys.ts";
import { objectKey, partitionPath } from "./layout.ts";
import type { Sink } from "./sink.ts";

/** Byte equality without Node's Buffer, so the suite can also run inside workerd. */
function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * The behaviour every Sink implementation shares, run against each real
 * backend: `describeSink("fs", async () => ({ sink, close }))`. `open` gives
 * a sink over an empty namespace (a fresh folder, bucket or prefix).
 */
export function describeSink(name: string, open: () => Promise<{ sink: Sink; close?: () => Promise<void> }>, options: { largeBytes?: number } = {}): void {
  describe(`sink ${name}`, () => {
    let sink: Sink;
    let close: (() => Promise<void>) | undefined;
    beforeAll(async () => {
      ({ sink, close } = await open());
    });
    afterAll(async () => {
      await close?.();
    });

    const text = (s: string) => new TextEncoder().encode(s);
    const str = (b: Uint8Array | null) => (b === null ? null : new TextDecoder().decode(b));

    test("get returns what put stored, and null for a key never written", async () => {
      await sink.put("basic/a.txt", text("hello"), { contentType: "text/plain" });
      expect(str(await sink.get("basic/a.txt"))).toBe("hello");
      expect(await sink.get("basic/missing.txt")).toBeNull();
      expect(await sink.get("basic")).toBeNull();
    });

    test("put replaces an existing object", async () => {
      await sink.put("over/x", text("first, longer body"));
      await sink.put("over/x", text("second"));
      expect(str(await sink.get("over/x"))).toBe("second");
    });

    test("putIfAbsent writes once and then returns false without changing the object", async () => {
      expect(await sink.putIfAbsent("once/file", text("one"))).toBe(true);
      expect(await sink.putIfAbsent("once/file", text("two"))).toBe(false);
      expect(str(await sink.get("once/file"))).toBe("one");
      await sink.put("once/other", text("x"));
      expect(await sink.putIfAbsent("once/other", text("y"))).toBe(false);
      expect(str(await sink.get("once/other"))).toBe("x");
    });

    test("of concurrent putIfAbsent calls on one key exactly one wins", async () => {
      const results = await Promise.all([0, 1, 2, 3, 4].map((i) => sink.putIfAbsent("race/key", text(`writer ${i}`))));
      expect(results.filter(Boolean)).toHaveLength(1);
      const winner = results.indexOf(true);
      expect(str(await sink.get("race/key"))).toBe(`writer ${winner}`);
    });

    test("list returns every key under a prefix in byte order, and nothing outside it", async () => {
      const keys = ["ls/b/2.parquet", "ls/a/1.parquet", "ls/a/0.parquet", "ls/a/b/deep.parquet", "lsx/no.parquet", "ls/a0/z.parquet"];
      for (const key of keys) await sink.put(key, text(key));
      expect(await sink.list("ls/a/")).toEqual(["ls/a/0.parquet", "ls/a/1.parquet", "ls/a/b/deep.parquet"]);
      expect(await sink.list("ls/a")).toEqual(["ls/a/0.parquet", "ls/a/1.parquet", "ls/a/b/deep.parquet", "ls/a0/z.parquet"]);
      expect(await sink.list("ls/")).toEqual(["ls/a/0.parquet", "ls/a/1.parquet", "ls/a/b/deep.parquet", "ls/a0/z.parquet", "ls/b/2.parquet"]);
      expect(await sink.list("nothing-here/")).toEqual([]);
    });

    test("list pages through more keys than one response holds", async () => {
      const keys = Array.from({ length: 23 }, (_, i) => `many/k${String(i).padStart(3, "0")}`);
      await Promise.all(keys.map((key) => sink.put(key, text(key))));
      expect(await sink.list("many/")).toEqual(keys);
    });

    test("delete removes the object, and deleting a missing key is not an error", async () => {
      await sink.put("del/a/b/c", text("x"));
      await sink.put("del/keep", text("y"));
      await sink.delete("del/a/b/c");
      expect(await sink.get("del/a/b/c")).toBeNull();
      expect(await sink.list("del/")).toEqual(["del/keep"]);
      await sink.delete("del/a/b/c");
      await sink.delete("del/never");
      expect(await sink.putIfAbsent("del/a/b/c", text("again"))).toBe(true);
    });

    test("unicode and Hive-escaped keys round-trip through put, get and list", async () => {
      const keys = [
        "uni/day=2026-11-22/ünïcødé 🦆 ファイル.parquet",
        "uni/city=S%C3%A3o Paulo/a+b=c&d.parquet",
        "uni/q=it's (100%)*!/x.parquet",
        "uni/\u{e000}private.txt",
        "uni/\u{1f600}astral.txt",
      ];
      for (const key of keys) await sink.put(key, text(key));
      for (const key of keys) expect(str(await sink.get(key))).toBe(key);
      expect(await sink.list("uni/")).toEqual([keys[1], keys[0], keys[2], keys[3], keys[4]]);
    });

    // XML 1.0 has no U+FFFE or U+FFFF: versitygw listed such a key with U+FFFD, so the object could not be found by its listed key.
    test("the layout's keys for partition values an S3 listing cannot carry as text (U+FFFF, U+FFFE) list back as written", async () => {
      const columns = [{ name: "k", type: "VARCHAR" }];
      const keys = ["a\uFFFFb", "\uFFFE"].map((k) => objectKey({ sink: "lay", partition: partitionPath(columns, { k }), writer: "w", first: 0, last: 0 }));
      for (const key of keys) await sink.put(key, text(key));
      expect(await sink.list("lay/")).toEqual([...keys].sort(compareKeys));
      for (const key of keys) expect(str(await sink.get(key))).toBe(key);
    });

    test("an empty body is stored as an empty object", async () => {
      await sink.put("empty/zero", new Uint8Array(0));
      expect((await sink.get("empty/zero"))?.length).toBe(0);
      expect(await sink.putIfAbsent("empty/zero2", new Uint8Array(0))).toBe(true);
      expect(await sink.list("empty/")).toEqual(["empty/zero", "empty/zero2"]);
    });

    test("a large body round-trips byte for byte", async () => {
      const n = options.largeBytes ?? 20 * 1024 * 1024 + 123;
      const body = new Uint8Array(n);
      for (let i = 0; i < n; i += 4096) body[i] = (i * 31 + 7) & 0xff;
      body[n - 1] = 42;
      await sink.put("large/blob", body);
      const back = await sink.get("large/blob");
      expect(back?.length).toBe(n);
      expect(sameBytes(back!, body)).toBe(true);
      expect(await sink.putIfAbsent("large/blob", body.subarray(1))).toBe(false);
      expect(await sink.putIfAbsent("large/blob2", body)).toBe(true);
      expect((await sink.get("large/blob2"))?.length).toBe(n);
    });

    test("keys that could escape the namespace are refused with the sink's name", async () => {
      for (const key of ["../outside", "a/../../b", "/etc/passwd", "", "a//b", "a/./b", "trailing/", "bad\u0000nul", "back\\slash", "not\uFFFFxml"]) {
        await expect(sink.put(key, text("x")), key).rejects.toThrow(new RegExp(`^sink ${name}: invalid key`));
        await expect(sink.get(key), key).rejects.toThrow(/invalid key/);
      }
    });
  });
}
