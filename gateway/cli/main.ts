/**
 * The `runnel` command line. Each verb is a module in this folder exporting
 * `verb`; this file dispatches to them, prints help and turns usage errors
 * into exit status 2.
 */
import { didYouMean } from "../../notebook/format/suggest.ts";
import { causeChain, printErr, printOut } from "./output.ts";
import { InputError, UsageError, type Verb } from "./verb.ts";

/**
 * The verbs, loaded only when used: `graph` opens DuckDB, `check` the
 * compiler, `start` the server; none should slow the others down.
 */
const VERBS: Record<string, () => Promise<{ verb: Verb }>> = {
  start: () => import("./start.ts"),
  dev: () => import("./dev.ts"),
  graph: () => import("./graph.ts"),
  check: () => import("./check.ts"),
  publish: () => import("./publish.ts"),
  run: () => import("./run.ts"),
  "dev-edge": () => import("./dev-edge.ts"),
  demo: () => import("./demo.ts"),
};

export const verbNames: readonly string[] = Object.keys(VERBS);

async function loadVerbs(): Promise<Verb[]> {
  return Promise.all(verbNames.map(async (name) => (await VERBS[name]!()).verb));
}

async function usage(): Promise<string> {
  const verbs = await loadVerbs();
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
    printOut(await usage());
    return 0;
  }
  if (name === undefined || name.startsWith("-")) {
    printErr(`${name === undefined ? "runnel: expected a command" : `runnel: unknown option '${name}'`}\n\n${await usage()}`);
    return 2;
  }
  const load = Object.hasOwn(VERBS, name) ? VERBS[name] : undefined;
  if (!load) {
    printErr(`runnel: unknown command '${name}'${didYouMean(name, verbNames)}\n\n${await usage()}`);
    return 2;
  }
  const { verb } = await load();
  if (args.includes("--help") || args.includes("-h")) {
    printOut(verb.usage);
    return 0;
  }
  try {
    return await verb.run(args);
  } catch (error) {
    if (error instanceof UsageError) {
      printErr(error instanceof InputError ? `runnel ${verb.name}: ${error.message}` : `runnel ${verb.name}: ${error.message}\n\n${verb.usage}`);
      return 2;
    }
    // A failure is one message with its causes, not a stack trace; RUNNEL_DEBUG=1 shows the stack.
    if (!(error instanceof Error) || process.env.RUNNEL_DEBUG) throw error;
    printErr(`runnel ${verb.name}: ${causeChain(error)}\n`);
    return 1;
  }
}
