import { realpath } from "node:fs/promises";
import { dirname, isAbsolute, join, relative, sep } from "node:path";
import { GatewayError } from "../http/error.ts";

/**
 * Resolves a notebook path given by a client (`turnstile.md`, `team/a.md`)
 * against the root, refusing anything that could land outside it: absolute
 * paths, `..` or `.` segments, backslashes, NUL bytes, names not ending in
 * `.md`, and symlinks (of the file or any folder) that point out of the root.
 * Returns the absolute path; the file itself may not exist yet.
 */
export async function resolveNotebookPath(root: string, given: string): Promise<string> {
  const refuse = (why: string) => new GatewayError(400, "bad_request", `notebooks: path ${JSON.stringify(given)} ${why}`);
  if (given.length === 0 || given.length > 512) throw refuse("is empty or too long");
  if (given.includes("\0") || given.includes("\\")) throw refuse("contains a NUL byte or a backslash");
  if (isAbsolute(given) || /^[a-zA-Z]:/.test(given)) throw refuse("is absolute; paths are relative to the notebooks root");
  const segments = given.split("/");
  if (segments.some((s) => s === "" || s === "." || s === "..")) throw refuse("has an empty, '.' or '..' segment");
  if (!given.endsWith(".md")) throw refuse("does not end in .md");
  if (segments.some((s) => Buffer.byteLength(s) > 255)) throw refuse("has a segment longer than 255 bytes");
  const realRoot = await realpath(root);
  const full = join(realRoot, ...segments);
  let real: string;
  try {
    real = await realpathOfNearest(full);
  } catch (err) {
    // A file where a folder is expected, a symlink loop, a name the file system refuses: the client's path, not the server.
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "ENOTDIR") throw refuse("goes through a file as if it were a folder");
    if (code === "ELOOP") throw refuse("goes through a symlink loop");
    if (code === "ENAMETOOLONG") throw refuse("is too long for the file system");
    if (code === "EACCES") throw refuse("goes through a folder the gateway may not read");
    throw err;
  }
  const rel = relative(realRoot, real);
  if (rel.startsWith(".." + sep) || rel === ".." || isAbsolute(rel)) throw refuse("leaves the notebooks root through a symlink");
  return full;
}

/** The real path of `path`, or of its nearest existing ancestor joined with the missing rest. */
async function realpathOfNearest(path: string): Promise<string> {
  try {
    return await realpath(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
    const parent = dirname(path);
    if (parent === path) return path;
    return join(await realpathOfNearest(parent), path.slice(parent.length + 1));
  }
}
