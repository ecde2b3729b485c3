/**
 * Turns a notebook's sink declaration (or a `--sink name=...` override) into
 * a `Sink` in Node. Credentials come only from the environment.
 */
import type { SinkSpec } from "../../notebook/format/model.ts";
import { fsSink } from "../sinks/fs.node.ts";
import { s3Sink } from "../sinks/s3.ts";
import { nodeDigests } from "../sinks/sigv4-node.node.ts";
import type { Sink } from "../sinks/sink.ts";

export interface OpenedSink {
  sink: Sink;
  /** Prepended to every object key (the declaration's `prefix`). */
  prefix: string;
  /** An S3 sink's endpoint, as resolved from the declaration, `RUNNEL_S3_ENDPOINT` or AWS. */
  endpoint?: string;
}

/**
 * What `--sink <name>=<target>` accepts: `fs:<dir>` or `s3://<bucket>/<prefix>`. An S3 target is on
 * the store `RUNNEL_S3_ENDPOINT` names when it is set, else on the declared S3 sink's endpoint (a
 * local or R2 store stays that store), else AWS; the declared region is kept.
 */
export function parseSinkOverride(text: string, spec: SinkSpec, env: Record<string, string | undefined> = process.env): SinkSpec {
  if (text.startsWith("fs:")) {
    const dir = text.slice(3);
    if (dir === "") throw new Error(`run: --sink ${spec.name}=fs: needs a folder, e.g. fs:out/`);
    return { ...spec, target: { kind: "fs", dir, prefix: "" } };
  }
  const s3 = /^s3:\/\/([^/]+)\/?(.*)$/.exec(text);
  if (s3) {
    const prefix = s3[2] === "" || s3[2]!.endsWith("/") ? s3[2]! : `${s3[2]}/`;
    // Another bucket or prefix, most often on the same store: without RUNNEL_S3_ENDPOINT the declaration's
    // endpoint still says where that store is (dropping it sent a local store's writes to AWS).
    const declared = spec.target.kind === "s3" ? spec.target : null;
    const endpoint = env.RUNNEL_S3_ENDPOINT ? null : (declared?.endpoint ?? null);
    return { ...spec, target: { kind: "s3", bucket: s3[1]!, prefix, endpoint, region: declared?.region ?? "us-east-1" } };
  }
  throw new Error(`run: --sink ${spec.name}=${text}: expected fs:<dir> or s3://<bucket>/<prefix>`);
}

/**
 * Opens the sink. S3 reads its endpoint from the declaration, else
 * `RUNNEL_S3_ENDPOINT`, else AWS's regional endpoint; credentials from
 * `AWS_ACCESS_KEY_ID` / `AWS_SECRET_ACCESS_KEY` (`AWS_SESSION_TOKEN` optional).
 */
export function openSink(spec: SinkSpec, env: Record<string, string | undefined> = process.env): OpenedSink {
  const target = spec.target;
  switch (target.kind) {
    case "fs":
      return { sink: fsSink(target.dir), prefix: target.prefix };
    case "s3": {
      const accessKeyId = env.AWS_ACCESS_KEY_ID;
      const secretAccessKey = env.AWS_SECRET_ACCESS_KEY;
      if (!accessKeyId || !secretAccessKey) {
        throw new Error(`run: sink ${spec.name} writes to s3://${target.bucket}/${target.prefix}; set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY in the environment`);
      }
      const endpoint = target.endpoint ?? env.RUNNEL_S3_ENDPOINT ?? `https://s3.${target.region}.amazonaws.com`;
      // Synchronous signing: a runner's worker thread encodes flushes back to back, and each upload must leave before the next encode.
      const sink = s3Sink({ endpoint, bucket: target.bucket, region: target.region, accessKeyId, secretAccessKey, sessionToken: env.AWS_SESSION_TOKEN, digests: nodeDigests });
      return { sink, prefix: target.prefix, endpoint };
    }
    case "r2":
      throw new Error(`run: sink ${spec.name} is an R2 binding (${target.binding}), which only a Worker has; in Node pass --sink ${spec.name}=fs:<dir> or --sink ${spec.name}=s3://<bucket>/<prefix> with RUNNEL_S3_ENDPOINT set to R2's S3 endpoint`);
  }
}
