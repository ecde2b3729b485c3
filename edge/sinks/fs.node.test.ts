import { mkdtempSync, readdirSync, rmSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, test } from "vitest";
import { fsSink } from "./fs.node.ts";
import { describeSink } from "./sink.case.ts";

describeSink("fs", async () => {
  const root = mkdtempSync(join(tmpdir(), "runnel-fs-sink-"));
  return { sink: fsSink(root), close: async () => rmSync(root, { recursive: true, force: true }) };
});

test("fs sink keeps files under its root, leaves no staging files, and removes emptied folders", async () => {
  const parent = mkdtempSync(join(tmpdir(), "runnel-fs-root-"));
  try {
    const root = join(parent, "lake");
    const sink = fsSink(root);
    writeFileSync(join(parent, "secret"), "outside");
    await expect(sink.get("../secret")).rejects.toThrow('sink fs: invalid key "../secret": has a .. segment');
    await expect(sink.put(".runnel-staging/x", new Uint8Array(1))).rejects.toThrow("is reserved");
    await sink.put("day=2026-11-22/a.parquet", new Uint8Array([1, 2, 3]));
    expect(await sink.putIfAbsent("day=2026-11-22/a.parquet", new Uint8Array([9]))).toBe(false);
    expect(readdirSync(join(root, "day=2026-11-22"))).toEqual(["a.parquet"]);
    expect(readdirSync(join(root, ".runnel-staging"))).toEqual([]);
    expect(sink.describe).toBe(`file://${root}/`);
    await sink.delete("day=2026-11-22/a.parquet");
    expect(existsSync(join(root, "day=2026-11-22"))).toBe(false);
  } finally {
    rmSync(parent, { recursive: true, force: true });
  }
});
