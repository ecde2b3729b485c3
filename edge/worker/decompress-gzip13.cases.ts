/**
 * Bodies as senders compress them, and what `decodeBody` makes of each: the same table is run in Node
 * (`decompress-gzip13.test.ts`, the gateway's runtime) and in workerd (`decompress-gzip13.workerd.test.ts`,
 * the Worker's), whose DecompressionStreams differ (workerd refuses bytes after a gzip member, Node's zlib
 * reads on; they fail at different calls with different messages), so both must answer alike.
 */
import { decodeBody, type DecodedBody } from "./decompress.ts";

const utf8 = new TextEncoder();

async function compress(format: CompressionFormat, bytes: Uint8Array): Promise<Uint8Array> {
  const stream = new Blob([bytes as Uint8Array<ArrayBuffer>]).stream().pipeThrough(new CompressionStream(format));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/** `megabytes` MB of zero bytes, gzip-compressed as they stream (never held whole): ~1 KB of gzip per MB. */
async function gzipZeros(megabytes: number): Promise<Uint8Array> {
  let left = megabytes;
  const zeros = new Uint8Array(1_000_000);
  const stream = new ReadableStream<Uint8Array<ArrayBuffer>>({ pull: (c) => (left-- > 0 ? c.enqueue(zeros) : c.close()) }).pipeThrough(new CompressionStream("gzip"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

const join = (...parts: Uint8Array[]) => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
};

/** What a case is expected to give: the text decoded, or the status and the start of the reason. */
type Want = { text: string } | { status: 400 | 413 | 415; reason: string };

export const LIMIT = 1024 * 1024;

/** Each case: a name, the Content-Encoding (undefined: none), the body, and what it decodes to. */
export async function decodeCases(): Promise<{ name: string; coding: string | undefined; body: Uint8Array; want: Want; contentType?: string }[]> {
  const ndjson = Array.from({ length: 20_000 }, (_, i) => `{"id": ${i}, "name": "n${i % 97}"}`).join("\n") + "\n";
  const plain = utf8.encode(ndjson);
  const gz = await compress("gzip", plain);
  const small = await compress("gzip", utf8.encode('{"id": 1}\n'));
  const corrupt = "ingest: the body is not valid gzip data (Content-Encoding: gzip): it is corrupt, or bytes follow the end of its compressed data (several gzip files joined?); send the body compressed as one gzip stream";
  const cut = "ingest: the body's gzip data is cut short (Content-Encoding: gzip): it ends before its compressed stream does; send the whole compressed body";
  return [
    { name: "gzip", coding: "gzip", body: gz, want: { text: ndjson } },
    { name: "x-gzip, any case", coding: "X-GZIP", body: gz, want: { text: ndjson } },
    { name: "gzip after identity", coding: "identity, gzip", body: gz, want: { text: ndjson } },
    { name: "gzip's magic bytes with no header", coding: undefined, body: gz, want: { text: ndjson } },
    { name: "deflate as zlib", coding: "deflate", body: await compress("deflate", plain), want: { text: ndjson } },
    { name: "deflate sent raw", coding: "deflate", body: await compress("deflate-raw", plain), want: { text: ndjson } },
    { name: "gzip then deflate, undone last first", coding: "gzip, deflate", body: await compress("deflate", gz), want: { text: ndjson } },
    { name: "an empty body declared gzip", coding: "gzip", body: new Uint8Array(0), want: { text: "" } },
    { name: "no coding", coding: undefined, body: plain, want: { text: ndjson } },
    { name: "cut short", coding: "gzip", body: gz.subarray(0, gz.length - 100), want: { status: 400, reason: cut } },
    { name: "a .gz cut short, posted with no header", coding: "identity", body: gz.subarray(0, 1000), want: { status: 400, reason: "ingest: the body's gzip data is cut short (no Content-Encoding, read as gzip as its first bytes 1f 8b say): it ends before its compressed stream does; send the whole compressed body" } },
    { name: "cut short in its header", coding: "gzip", body: small.subarray(0, 6), want: { status: 400, reason: cut } },
    { name: "corrupt in the middle", coding: "gzip", body: join(gz.subarray(0, 5000), new Uint8Array(300).fill(0xff), gz.subarray(5300)), want: { status: 400, reason: corrupt } },
    { name: "not gzip at all", coding: "gzip", body: plain, want: { status: 400, reason: corrupt } },
    { name: "two gzip files joined", coding: "gzip", body: join(small, small), want: { status: 400, reason: corrupt } },
    { name: "zero bytes after the stream", coding: "gzip", body: join(gz, new Uint8Array(4)), want: { status: 400, reason: corrupt } },
    { name: "a bomb: ~200 KB of gzip that inflates to 200 MB", coding: "gzip", body: await gzipZeros(200), want: { status: 413, reason: `ingest: the body decompressed (Content-Encoding: gzip) is over the limit of ${LIMIT} bytes` } },
    {
      // `curl -d @x.gz -H 'Content-Encoding: gzip'`: a form, with every CR and LF byte of the file dropped.
      name: "a gzip file posted with curl -d",
      coding: "gzip",
      contentType: "application/x-www-form-urlencoded",
      body: gz.filter((b) => b !== 0x0a && b !== 0x0d),
      want: { status: 400, reason: `${corrupt}; it came as a form (Content-Type: application/x-www-form-urlencoded), as \`curl -d @file\` sends it, and curl -d removes the file's newline and carriage-return bytes: post it with \`curl --data-binary @file\`` },
    },
    { name: "br", coding: "br", body: small, want: { status: 415, reason: "ingest: the body is sent with Content-Encoding: br, which this Worker does not decode (br); it takes gzip (x-gzip) and deflate, or the body uncompressed as UTF-8 text" } },
    { name: "zstd after gzip", coding: "gzip, zstd", body: small, want: { status: 415, reason: "ingest: the body is sent with Content-Encoding: gzip, zstd, which this Worker does not decode (zstd); it takes gzip (x-gzip) and deflate, or the body uncompressed as UTF-8 text" } },
  ];
}

/** What `decodeBody` gave, in the shape of a {@link Want}. */
export function outcome(got: DecodedBody): Want {
  return got.ok ? { text: new TextDecoder().decode(got.body) } : { status: got.status, reason: got.reason };
}

export async function decodeCase(coding: string | undefined, body: Uint8Array, contentType?: string): Promise<Want> {
  const headers = new Headers(coding === undefined ? {} : { "content-encoding": coding });
  if (contentType !== undefined) headers.set("content-type", contentType);
  return outcome(await decodeBody(headers, body, LIMIT));
}
