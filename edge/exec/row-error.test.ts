import { expect, test } from "vitest";
import { ConvertError } from "./convert.ts";
import { SqlError } from "./functions/contract.ts";

// A row's error becomes a dead letter told by its message; a stack per row made dead letters ~3.5× as slow.
test("a row's errors carry their message and no stack frames, and other errors keep theirs", () => {
  const limit = Error.stackTraceLimit;
  const errors = [new ConvertError('field n: Failed to cast value to numerical: "x"'), new SqlError("conversion", "Could not convert string 'x' to INT32")];
  expect(errors.map((e) => e.message)).toEqual(['field n: Failed to cast value to numerical: "x"', "Could not convert string 'x' to INT32"]);
  expect(errors.map((e) => e instanceof Error)).toEqual([true, true]);
  for (const e of errors) expect(e.stack ?? "").not.toMatch(/\n\s+at /);
  expect((errors[1] as SqlError).duckdbText).toBe("Conversion Error: Could not convert string 'x' to INT32");
  expect(Error.stackTraceLimit).toBe(limit);
  expect(new Error("other").stack).toMatch(/\n\s+at /);
});
