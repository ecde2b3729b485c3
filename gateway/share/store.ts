import { createHmac, randomBytes } from "node:crypto";
import { link, mkdir, readFile, unlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { GatewayError } from "../http/error.ts";
import type { SharedCellResult } from "./cell-results.ts";
import { fsSink } from "../../edge/sinks/fs.node.ts";
import type { Sink } from "../../edge/sinks/sink.ts";

/** What a share holds besides its files: the notebook and the list of its sources. */
export interface ShareManifest {
  path: string;
  title: string;
  text: string;
  createdAt: string;
  sources: { name: string; rows: number; errors: number }[];
  /** Results the sharer's page had from the gateway's DuckDB, each with its rows in `cell-<index>.arrow`; absent in older shares. */
  cells?: SharedCellResult[];
}

/** The files of one share before it is stored: manifest plus `<source>.parquet` / `<source>.arrow` / `cell-<n>.arrow` bytes. */
export interface ShareContents {
  manifest: ShareManifest;
  files: Record<string, Uint8Array>;
}

const ID = /^[0-9a-f]{64}$/;
// A source's name is an identifier, so `cell-<n>` (a gateway-run cell's rows) cannot be one.
const FILE = /^([A-Za-z_][A-Za-z0-9_]*\.(parquet|arrow)|cell-\d+\.arrow)$/;

/**
 * Immutable snapshots stored as objects `<id>/manifest.json` and
 * `<id>/<source>.parquet|arrow` in a `Sink`: the local folder by default, or
 * S3/R2 when the gateway is configured with one (`RUNNEL_SHARE_S3`). The id
 * is an HMAC-SHA256 of the contents under a key kept in `<keyDir>/.key`: the
 * same snapshot always gets the same id on this gateway (content-addressed,
 * stored once), and 256 bits no one can compute without the key, even for a
 * notebook whose text and sample are public. Objects are written with
 * put-if-absent and the manifest last, so a share is visible only whole and
 * never changes once it is.
 */
export class ShareStore {
  private readonly keyDir: string;
  private readonly sink: Sink;
  private key: Promise<Buffer> | null = null;

  constructor(keyDir: string, sink: Sink = fsSink(keyDir)) {
    this.keyDir = keyDir;
    this.sink = sink;
  }

  /** Where snapshots are kept, for logs. */
  get describe(): string {
    return this.sink.describe;
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
    if ((await this.sink.get(`${id}/manifest.json`)) !== null) return id;
    try {
      for (const [name, bytes] of Object.entries(contents.files)) {
        if (!FILE.test(name)) throw new Error(`share: file name ${JSON.stringify(name)} is not <source>.parquet, <source>.arrow or cell-<n>.arrow`);
        await this.sink.putIfAbsent(`${id}/${name}`, bytes);
      }
      // Another request may store the same snapshot at once: same id, same bytes, first one wins.
      await this.sink.putIfAbsent(`${id}/manifest.json`, new TextEncoder().encode(JSON.stringify(contents.manifest, null, 2)), { contentType: "application/json" });
    } catch (err) {
      throw new Error(`share: cannot store snapshot ${id} in ${this.sink.describe}`, { cause: err });
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
    let bytes: Uint8Array | null;
    try {
      // A share exists once its manifest does; files of a half-stored share are not served.
      bytes = name === "manifest.json" || (await this.sink.get(`${id}/manifest.json`)) !== null ? await this.sink.get(`${id}/${name}`) : null;
    } catch (err) {
      throw new Error(`share: cannot read ${id}/${name} from ${this.sink.describe}`, { cause: err });
    }
    if (bytes === null) throw new GatewayError(404, "not_found", `share: no ${name === "manifest.json" ? "such share" : name + " in this share"}`);
    return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  /**
   * The HMAC key: 64 hex digits in `<keyDir>/.key`, made on first use. Anything else there is refused rather than
   * read: `Buffer.from(text, "hex")` stops at the first character that is not hex, so a passphrase written there by
   * hand, or a file cut short, was an empty key, and every id one anyone could compute from a snapshot's contents.
   * The key is written whole under a temporary name and linked into place, so no reader sees it half written.
   */
  private secret(): Promise<Buffer> {
    this.key ??= (async () => {
      const file = join(this.keyDir, ".key");
      let text: string | null = null;
      try {
        text = await readFile(file, "utf8");
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw new Error(`share: cannot read ${file}`, { cause: err });
      }
      if (text === null) {
        await mkdir(this.keyDir, { recursive: true, mode: 0o700 });
        const temp = `${file}.${randomBytes(6).toString("hex")}.tmp`;
        await writeFile(temp, randomBytes(32).toString("hex") + "\n", { mode: 0o600 });
        try {
          // Another gateway on the same folder may have made one meanwhile: the first one stays.
          await link(temp, file).catch((err: NodeJS.ErrnoException) => {
            if (err.code !== "EEXIST") throw err;
          });
        } finally {
          await unlink(temp);
        }
        text = await readFile(file, "utf8");
      }
      if (!/^[0-9a-fA-F]{64}$/.test(text.trim())) {
        throw new Error(`share: ${file} must hold a 256-bit key as 64 hex digits, and it holds ${text.trim().length} characters${/^[0-9a-fA-F]*$/.test(text.trim()) ? "" : ", not all of them hex digits"}; move it aside and the gateway makes a new key (links already shared keep working), or write one with \`openssl rand -hex 32\``);
      }
      return Buffer.from(text.trim(), "hex");
    })();
    // A key that could not be read is tried again by the next share, not remembered.
    this.key.catch(() => {
      this.key = null;
    });
    return this.key;
  }
}
