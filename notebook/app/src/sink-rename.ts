import { parseNotebook } from "../../format/index.ts";
import { parseInfo } from "../../format/info.ts";
import { splitFrontMatter } from "../../format/parse.ts";
import { renameSinkKey } from "./source-entry-text.ts";

/**
 * The notebook's text with sink `from` called `to`: its key under `sinks:` and the `sink=` of every
 * cell fence that feeds it, each rewritten where it is written, every other byte as it was (an
 * attribute written `sink="lake"` keeps its quotes). Null when the front matter has no such sink to
 * rename (not YAML, not closed).
 */
export function renameSinkInText(text: string, file: string, from: string, to: string): string | null {
  const split = splitFrontMatter(text);
  if (split === null || split === "unclosed") return null;
  const yaml = renameSinkKey(text.slice(split.yamlStart, split.yamlEnd), from, to);
  if (yaml === null) return null;
  let out = text;
  // From the last fence back, so the offsets of the ones before stay true; the front matter is before them all.
  const { notebook } = parseNotebook(text, file);
  for (const cell of [...notebook.cells].reverse()) {
    if (cell.sink !== from || cell.infoStart === undefined) continue;
    for (const attribute of parseInfo(cell.info).attributes.reverse()) {
      if (attribute.key !== "sink" || attribute.value !== from) continue;
      const at = cell.infoStart.offset + attribute.valueOffset;
      if (out.slice(at, at + from.length) !== from) return null;
      out = out.slice(0, at) + to + out.slice(at + from.length);
    }
  }
  return out.slice(0, split.yamlStart) + yaml + out.slice(split.yamlEnd);
}
