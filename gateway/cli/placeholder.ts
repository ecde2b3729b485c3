import { printErr } from "./output.ts";
import type { Verb } from "./verb.ts";

/** A verb whose work lands with a later issue: it says which, and fails. */
export function placeholderVerb(name: string, summary: string, usage: string, arrives: string): Verb {
  return {
    name,
    summary,
    usage,
    async run() {
      printErr(`runnel ${name}: not available yet; ${arrives}`);
      return 1;
    },
  };
}
