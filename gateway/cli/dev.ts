import { startGateway } from "../server.ts";
import { readServerArgs } from "./start.ts";
import type { Verb } from "./verb.ts";

const usage = `usage: runnel dev [--port 8080] [--host 127.0.0.1] [--root notebooks] [--no-demo]

Like runnel start, but serves the notebook app through Vite in middleware mode,
so edits under notebook/app reload in the browser. For working on runnel itself.`;

export const verb: Verb = {
  name: "dev",
  summary: "start the gateway with the app served through Vite (hot reload)",
  usage,
  async run(args) {
    const options = readServerArgs(args);
    const { createServer } = await import("vite");
    // Vite serves any file under the repository by its path (/@fs/...); the gateway refuses its state to it
    // (startGateway's middlewareRefusal), and Vite is told so too, in case it is ever served without the gateway.
    const vite = await createServer({
      server: { middlewareMode: true, fs: { deny: [".env", ".env.*", "*.{crt,pem}", "**/.git/**", "**/.runnel/**", "**/.dev.vars", "**/.wrangler/**"] } },
      appType: "spa",
    });
    const gateway = await startGateway({ ...options, middleware: vite.middlewares, signals: false });
    const stop = async () => {
      await gateway.close();
      await vite.close();
      process.exit(0);
    };
    process.once("SIGINT", () => void stop());
    process.once("SIGTERM", () => void stop());
    return new Promise<number>(() => undefined);
  },
};
