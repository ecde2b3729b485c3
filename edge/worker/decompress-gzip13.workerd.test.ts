import { describe, expect, test } from "vitest";
import { decodeCase, decodeCases } from "./decompress-gzip13.cases.ts";

describe("decodeBody in workerd (the Worker's runtime)", async () => {
  for (const c of await decodeCases()) {
    test(c.name, async () => {
      expect(await decodeCase(c.coding, c.body, c.contentType)).toEqual(c.want);
    });
  }
});
