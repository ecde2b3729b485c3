import { parseArgs, type ParseArgsConfig } from "node:util";
import { didYouMean } from "../../notebook/format/suggest.ts";
import { UsageError } from "./verb.ts";

type Options = NonNullable<ParseArgsConfig["options"]>;

/** `node:util` parseArgs, strict, with its complaints turned into usage errors. */
export function readArgs<T extends Options>(args: string[], options: T) {
  try {
    return parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (error) {
    if (error instanceof TypeError && "code" in error && String(error.code).startsWith("ERR_PARSE_ARGS")) {
      const unknown = /^Unknown option '([^']+)'/.exec(error.message);
      const known = Object.keys(options).map((name) => `--${name}`);
      const message = unknown ? `unknown option '${unknown[1]}'${didYouMean(unknown[1]!, known)}` : error.message;
      throw new UsageError(message, { cause: error });
    }
    throw error;
  }
}
