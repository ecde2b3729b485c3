import type { SourceSpec } from "../../notebook/format/model.ts";
import { GatewayError } from "../http/error.ts";
import type { NotebookStore } from "../notebooks/store.ts";

/** `turnstile` and `turnstile.md` name the same notebook in source and hook URLs. */
export function notebookPathOf(given: string): string {
  return given.endsWith(".md") ? given : `${given}.md`;
}

/** The spec of source `name` in the notebook at `path`, as the file says now; 404 when either is missing. */
export async function resolveSource(store: NotebookStore, path: string, name: string): Promise<SourceSpec> {
  const notebook = await store.notebook(path);
  // Own names only: `__proto__`, `constructor` or `toString` would find Object's (an http source polling "undefined", a 500).
  const spec = Object.hasOwn(notebook.sources, name) ? notebook.sources[name] : undefined;
  if (!spec) {
    const known = Object.keys(notebook.sources);
    throw new GatewayError(404, "not_found", `sources: ${path} has no source ${JSON.stringify(name)}; it has ${known.length > 0 ? known.join(", ") : "none"}`);
  }
  return spec;
}
