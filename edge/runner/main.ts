/**
 * The entry of a bundle's own `runner.js` (`runnel publish` bundles it with
 * esbuild into `dist/pipelines/<name>/`): runs the bundle in the folder it
 * sits in, with the flags of `runnel run`, under plain `node`:
 *
 *   node dist/pipelines/turnstile/runner.js --until-caught-up --brokers 127.0.0.1:9092
 */
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { verb } from "../../gateway/cli/run.ts";
import { UsageError } from "../../gateway/cli/verb.ts";
import { causeChain } from "../../gateway/cli/output.ts";

const here = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
if (args.includes("--help") || args.includes("-h")) {
  process.stdout.write(`${verb.usage.replaceAll("runnel run <bundle>", "node runner.js")}\n`);
} else {
  try {
    process.exitCode = await verb.run([here, ...args]);
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`runner.js: ${error.message}\n\n${verb.usage.replaceAll("runnel run <bundle>", "node runner.js")}\n`);
      process.exitCode = 2;
    } else {
      // A failure is one message with its causes, as `runnel run` prints it; RUNNEL_DEBUG=1 shows the stack.
      if (!(error instanceof Error) || process.env.RUNNEL_DEBUG) throw error;
      process.stderr.write(`runner.js: ${causeChain(error)}\n`);
      process.exitCode = 1;
    }
  }
}
