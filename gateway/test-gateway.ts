import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { silentLogger } from "./log.ts";
import { type AppOptions, createApp, type GatewayApp } from "./server.ts";

/** A gateway over a fresh temporary notebooks root and state folder, for route tests through `app.request`. */
export interface TestGateway {
  app: GatewayApp;
  dir: string;
  root: string;
  stateDir: string;
  token: string;
  /** Headers carrying the token. */
  auth: Record<string, string>;
  close(): Promise<void>;
}

export const testToken = "0123456789abcdef".repeat(4);

export async function openTestGateway(notebooks: Record<string, string>, options: Partial<AppOptions> = {}): Promise<TestGateway> {
  const dir = await mkdtemp(join(tmpdir(), "runnel-gateway-"));
  const root = join(dir, "notebooks");
  const stateDir = join(dir, "state");
  await mkdir(root, { recursive: true });
  for (const [path, text] of Object.entries(notebooks)) {
    await mkdir(dirname(join(root, path)), { recursive: true });
    await writeFile(join(root, path), text);
  }
  const app = createApp({ root, token: testToken, stateDir, log: silentLogger, appDir: join(dir, "no-app"), env: {}, ...options });
  return {
    app, dir, root, stateDir, token: testToken,
    auth: { authorization: `Bearer ${testToken}` },
    async close() {
      await app.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** A small valid notebook with one demo source. */
export const demoNotebook = `---
title: Shop entrances
sources:
  shop:
    demo: { generator: shop, rate: 20, seed: 3 }
    sample_size: 50
---

Entrances only.

\`\`\`sql id=entrances
SELECT * FROM shop
\`\`\`
`;
