import { expect, test } from "vitest";
import { parseNotebook } from "../../notebook/format/parse.ts";
import { readFileSync } from "node:fs";
import { demoSample } from "./demo-source.ts";

test("the github stand-in sends each payload with the X-GitHub-Event GitHub sends with it", () => {
  const { notebook } = parseNotebook(readFileSync("notebooks/github.md", "utf8"), "notebooks/github.md");
  const spec = notebook.sources.github!;
  const events = demoSample(spec, spec.demo!, 1000) as Record<string, unknown>[];
  const bySubject = (e: Record<string, unknown>) => (e.commits !== undefined ? "push" : e.pull_request !== undefined ? "pull_request" : e.issue !== undefined ? "issues" : "other");
  expect(events.every((e) => (e._headers as Record<string, string>)["x-github-event"] === bySubject(e))).toBe(true);
  expect(new Set(events.map((e) => (e._headers as Record<string, string>)["x-github-event"]))).toEqual(new Set(["push", "issues", "pull_request"]));
});
