import { createHmac, randomBytes } from "node:crypto";
import { mkdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { GatewayError } from "../http/error.ts";

/** What a share holds besides its files: the notebook and the list of its sources. */
export interface ShareManifest {
  path: string;
  title: string;
  text: string;
  createdAt: string;
  sources: { name: string; rows: number; errors: number }[];
}

/** The files of one share before it is stored: manifest plus `<source>.parquet` / `<source>.arrow` bytes. */
export interface ShareContents {
  manifest: ShareManifest;
  files: Record<string, Uint8Array>;
}

const ID = /^[0-9a-f]{64}$/;
const FILE = /^[A-Za-z_][A-Za-z0-9_]*\.(parquet|arrow)$/;

/**
 * Immutable snapshots on the local disk under `<dir>/<id>/`. The id is an
 * HMAC-SHA256 of the contents under a key kept in `<dir>/.key`: the same
 * snapshot always gets the same id on this gateway (content-addressed, stored
 * once), and 256 bits no one can compute without the key, even for a notebook
 * whose text and sample are public.
 */
export class ShareStore {
  private readonly dir: string;
  private key: Promise<Buffer> | null = null;

  constructor(dir: string) {
    this.dir = dir;
  }

  async put(contents: ShareContents): Promise<string> {
    const mac = createHmac("sha256", await this.secret());
    const { createdAt: _createdAt, ...stable } = contents.manifest;
    mac.update(JSON.stringify(stable));
    for (const name of Object.keys(contents.files).sort()) {
      mac.update(`\n${name}\n${contents.files[name]!.length}\n`);
      mac.update(contents.files[name]!);
    }
    const id = mac.digest("hex");
    const final = join(this.dir, id);
    if (await exists(final)) return id;
    const temp = join(this.dir, `.tmp-${randomBytes(8).toString("hex")}`);
    await mkdir(temp, { recursive: true });
    try {
      await writeFile(join(temp, "manifest.json"), JSON.stringify(contents.manifest, null, 2));
      for (const [name, bytes] of Object.entries(contents.files)) await writeFile(join(temp, name), bytes);
      await rename(temp, final);
    } catch (err) {
      await rm(temp, { recursive: true, force: true });
      // Another request stored the same snapshot first: same id, same bytes.
      if (await exists(final)) return id;
      throw new Error(`share: cannot store snapshot ${id}`, { cause: err });
    }
    return id;
  }

  async manifest(id: string): Promise<ShareManifest> {
    return JSON.parse(await this.read(id, "manifest.json").then((b) => b.toString("utf8"))) as ShareManifest;
  }

  /** One file of a share; 404 for an unknown id or file, 400 for a malformed one. */
  async file(id: string, name: string): Promise<Buffer> {
    if (!FILE.test(name)) throw new GatewayError(404, "not_found", `share: no file ${JSON.stringify(name)} in a share`);
    return this.read(id, name);
  }

  private async read(id: string, name: string): Promise<Buffer> {
    if (!ID.test(id)) throw new GatewayError(404, "not_found", "share: no such share");
    try {
      return await readFile(join(this.dir, id, name));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") throw new GatewayError(404, "not_found", `share: no ${name === "manifest.json" ? "such share" : name + " in this share"}`);
      throw new Error(`share: cannot read ${id}/${name}`, { cause: err });
    }
  }

  private secret(): Promise<Buffer> {
    this.key ??= (async () => {
      const file = join(this.dir, ".key");
      try {
        return Buffer.from((await readFile(file, "utf8")).trim(), "hex");
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw new Error(`share: cannot read ${file}`, { cause: err });
      }
      await mkdir(this.dir, { recursive: true });
      const key = randomBytes(32);
      await writeFile(file, key.toString("hex") + "\n", { mode: 0o600, flag: "wx" }).catch(async (err: NodeJS.ErrnoException) => {
        if (err.code !== "EEXIST") throw err;
      });
      return Buffer.from((await readFile(file, "utf8")).trim(), "hex");
    })();
    return this.key;
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return false;
    throw err;
  }
}
