/**
 * The `runnel` command line. Each verb is a module in this folder exporting
 * `verb`; this file dispatches to them, prints help and turns usage errors
 * into exit status 2.
 */
import { verb as check } from "./check.ts";
import { verb as dev } from "./dev.ts";
import { verb as graph } from "./graph.ts";
import { printErr, printOut } from "./output.ts";
import { verb as publish } from "./publish.ts";
import { verb as run } from "./run.ts";
import { verb as start } from "./start.ts";
import { UsageError, type Verb } from "./verb.ts";
import { didYouMean } from "../../notebook/format/suggest.ts";

export const verbs: readonly Verb[] = [start, dev, graph, check, publish, run];

function usage(): string {
  const width = Math.max(...verbs.map((verb) => verb.name.length));
  return [
    "usage: runnel <command> [options]",
    "",
    "A notebook for streams: shape live events with SQL and JS, publish the transform as an edge pipeline.",
    "",
    "commands:",
    ...verbs.map((verb) => `  ${verb.name.padEnd(width)}  ${verb.summary}`),
    "",
    "Run `runnel <command> --help` for a command's options.",
  ].join("\n");
}

/** Runs the CLI with `argv` (without node and the script) and returns the exit status. */
export async function main(argv: string[]): Promise<number> {
  const [name, ...args] = argv;
  if (name === "--help" || name === "-h" || name === "help") {
    printOut(usage());
    return 0;
  }
  if (name === undefined || name.startsWith("-")) {
    printErr(`${name === undefined ? "runnel: expected a command" : `runnel: unknown option '${name}'`}\n\n${usage()}`);
    return 2;
  }
  const verb = verbs.find((candidate) => candidate.name === name);
  if (!verb) {
    printErr(`runnel: unknown command '${name}'${didYouMean(name, verbs.map((candidate) => candidate.name))}\n\n${usage()}`);
    return 2;
  }
  if (args.includes("--help") || args.includes("-h")) {
    printOut(verb.usage);
    return 0;
  }
  try {
    return await verb.run(args);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    printErr(`runnel ${verb.name}: ${error.message}\n\n${verb.usage}`);
    return 2;
  }
}
