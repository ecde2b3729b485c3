/**
 * Avro Object Container Files for tests, as avsc's BlockEncoder writes them, blocks of about `blockSize`
 * bytes, the header's schema as written (avsc writes it from its type, which drops a decimal's precision
 * and scale).
 */
import { mkdir, mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import avro from "avsc";
import { avroType } from "../../gateway/sources/avro.ts";

export async function avroContainer(schema: object, values: unknown[], codec: "null" | "deflate", options: { blockSize?: number; codecs?: Record<string, unknown> } = {}): Promise<Buffer> {
  const encoder = new avro.streams.BlockEncoder(avroType(schema), { codec, blockSize: 64, ...options } as never);
  (encoder as unknown as { _schema: object })._schema = schema;
  const parts: Buffer[] = [];
  encoder.on("data", (chunk: Buffer) => parts.push(chunk));
  const done = new Promise<void>((resolve, reject) => {
    encoder.on("end", resolve);
    encoder.on("error", reject);
  });
  for (const value of values) encoder.write(value);
  encoder.end();
  await done;
  return Buffer.concat(parts);
}

/**
 * A folder with `orders.md` (a Kafka source `orders` of Avro read into `schemas/orders.avsc`, the reader
 * schema `reader`, and one sink cell `select` into the `lake` sink) and an empty `exports/` beside it:
 * what a backfill of Avro exports into a reader schema starts from.
 */
export async function avroBackfillFolder(prefix: string, reader: object, select: string): Promise<{ dir: string; exports: string }> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  const exports = join(dir, "exports");
  await mkdir(join(dir, "schemas"));
  await mkdir(exports);
  await writeFile(join(dir, "schemas", "orders.avsc"), JSON.stringify(reader, null, 2));
  await writeFile(
    join(dir, "orders.md"),
    `---
sources:
  orders:
    kafka: { topic: orders-backfill-unused, brokers: ["127.0.0.1:1"] }
    format: avro
    avro: { schema: schemas/orders.avsc }
sinks:
  lake:
    fs: { dir: out, prefix: orders/ }
---

\`\`\`sql id=clean sink=lake
${select}
\`\`\`
`,
  );
  return { dir, exports };
}
