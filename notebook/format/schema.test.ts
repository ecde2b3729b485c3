import { expect, test } from "vitest";
import { demoGenerators } from "../../gateway/sources/demo/generators.ts";
import { DEMO_GENERATORS } from "./schema.ts";

test("the format accepts exactly the demo generators the gateway has", () => {
  expect([...DEMO_GENERATORS].sort()).toEqual(Object.keys(demoGenerators).sort());
});
