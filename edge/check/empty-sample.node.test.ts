import { readFile } from "node:fs/promises";
import { describe, expect, test } from "vitest";
import { parseNotebook } from "../../notebook/format/parse.ts";
import { defaultLibrary } from "../exec/library.ts";
import { checkNotebook } from "./check.node.ts";

describe("checkNotebook with an empty sample", () => {
  test("a source whose sample has no events is refused with what to pass, not DuckDB's loader error", async () => {
    const { notebook } = parseNotebook(await readFile("notebooks/turnstile.md", "utf8"), "notebooks/turnstile.md");
    await expect(checkNotebook(notebook, { samples: { turnstile: [] }, library: defaultLibrary })).rejects.toThrow(
      "check: the sample of source turnstile has no events, and its columns are typed from the sample: pass a file of events with --sample turnstile=<file>",
    );
  });
});
