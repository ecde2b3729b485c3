import { expect, test } from "vitest";
import { formatIssue, parseNotebook, sinkToYaml } from "./index.ts";

/** `sinks.<name>.max_ahead`: how far ahead of the pipeline's clock an event time may be (default a day, or off). */
const parse = (value: string | null) =>
  parseNotebook(["---", "sinks:", "  lake:", "    fs: {}", ...(value === null ? [] : [`    max_ahead: ${value}`]), "---", ""].join("\n"), "notebooks/t.md");

test("max_ahead takes a duration or off; absent is the default and leaves the model as it was", () => {
  expect(parse(null).notebook.sinks.lake!.maxAhead).toBeUndefined();
  expect(parse("6 hours").notebook.sinks.lake!.maxAhead).toBe(21600);
  expect(parse("1 day").notebook.sinks.lake!.maxAhead).toBeUndefined();
  expect(parse("off").notebook.sinks.lake!.maxAhead).toBeNull();
  expect(parse("90").notebook.sinks.lake!.maxAhead).toBe(90);
  expect(sinkToYaml(parse("off").notebook.sinks.lake!)).toEqual({ fs: {}, max_ahead: "off" });
  expect(sinkToYaml(parse("6 hours").notebook.sinks.lake!)).toEqual({ fs: {}, max_ahead: 21600 });
  expect(sinkToYaml(parse(null).notebook.sinks.lake!)).toEqual({ fs: {} });
});

test("a bad max_ahead is an issue at its value, and a misspelt key suggests it", () => {
  expect(parse("soon").issues.map(formatIssue)).toEqual([
    'format: notebooks/t.md:5:16: sinks.lake.max_ahead: expected a duration such as "1 day" or "6 hours" (how far ahead of the pipeline\'s clock an event time may be), or off, found "soon"',
  ]);
  expect(parse("-1 day").issues).toHaveLength(1);
  const misspelt = parseNotebook(["---", "sinks:", "  lake:", "    fs: {}", "    max_ahaed: 1 day", "---", ""].join("\n"), "notebooks/t.md");
  expect(misspelt.issues.map(formatIssue).join("\n")).toContain("did you mean 'max_ahead'");
});
