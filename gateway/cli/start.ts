import { startGateway, type StartOptions } from "../server.ts";
import { readArgs } from "./args.ts";
import { printErr } from "./output.ts";
import { UsageError, type Verb } from "./verb.ts";

const usage = `usage: runnel start [--port 8080] [--host 127.0.0.1] [--root notebooks] [--no-demo]

Starts the gateway: the notebook app at /, the notebooks API, live sources,
webhook capture and share links. Prints the URL to open, with its token.

  --port     port to listen on (default 8080; 0 picks a free one)
  --host     address to listen on (default 127.0.0.1, this machine only)
  --root     the notebooks folder (default notebooks)
  --no-demo  read Kafka and HTTP sources for real instead of their demo: stand-ins

The token is made on first start and kept in .runnel/token (git-ignored);
RUNNEL_TOKEN overrides it (at least 32 letters, digits, '.', '_', '~' or '-').
Listening on 127.0.0.1 or localhost, the gateway answers requests addressed to
localhost or an IP address (a web page that points its own name at this machine
is refused); behind a proxy that keeps another name, list it in
RUNNEL_ALLOWED_HOSTS (comma-separated, .example.com for every name under it).
Webhook secrets come from the environment variables the notebooks name. Logs are one JSON object per line on stdout.`;

/** Reads the options `start` and `dev` share; bad ones are a UsageError. */
export function readServerArgs(args: string[]): StartOptions {
  const parsed = readArgs(args, {
    port: { type: "string" },
    host: { type: "string" },
    root: { type: "string" },
    "no-demo": { type: "boolean" },
  });
  if (parsed.positionals.length > 0) throw new UsageError(`unexpected argument '${parsed.positionals[0]}'`);
  const { port, host, root } = parsed.values;
  const options: StartOptions = { demo: !parsed.values["no-demo"] };
  if (port !== undefined) {
    const n = Number(port);
    if (!/^\d+$/.test(port) || n > 65535) throw new UsageError(`--port must be a whole number from 0 to 65535, got '${port}'`);
    options.port = n;
  }
  if (host !== undefined) options.host = host;
  if (root !== undefined) options.root = root;
  return options;
}

export const verb: Verb = {
  name: "start",
  summary: "start the gateway and print the URL to open",
  usage,
  async run(args) {
    const gateway = await startGateway(readServerArgs(args));
    // The one line a person needs, outside the JSON log that scrolls past it (stderr: stdout stays JSON lines).
    printErr(`\nrunnel is up: open ${gateway.url}\n`);
    // Serves until SIGINT/SIGTERM; startGateway's handlers close and exit.
    return new Promise<number>(() => undefined);
  },
};
