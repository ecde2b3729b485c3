import { describe, expect, it } from "vitest";
import golden from "./fixtures/golden.json";
import { decodeGolden } from "./golden.ts";
import { castValue, scalars } from "./index.ts";
import { answerOf } from "./answer.ts";

/**
 * Inside workerd: the library gives DuckDB's answers (recorded in
 * fixtures/golden.json, re-verified against DuckDB by golden.test.ts).
 */
describe("the function library inside workerd", () => {
  for (const c of decodeGolden(JSON.stringify(golden))) {
    it(`answers ${c.sql} as DuckDB does`, () => {
      const ours = c.fn.startsWith("cast:")
        ? answerOf(() => castValue(c.args[0]!, c.argTypes[0]!, c.resultType))
        : answerOf(() => scalars[c.fn]!(c.args, { argTypes: c.argTypes, resultType: c.resultType }));
      expect(ours).toEqual(c.expected);
    });
  }
});
