/**
 * The parts of `cloudflare:test` and `cloudflare:workers` the workerd tests
 * and the Worker entries use (from @cloudflare/vitest-plugin's and
 * workers-types' types), declared here because the
 * project's one tsconfig does not load workerd's ambient types.
 */
declare module "cloudflare:test" {
  import type { DurableObjectStubLike } from "./platform.ts";
  export function runInDurableObject<R>(stub: DurableObjectStubLike, callback: (instance: any, state: any) => R | Promise<R>): Promise<R>;
  export function runDurableObjectAlarm(stub: DurableObjectStubLike): Promise<boolean>;
  export function evictDurableObject(stub: DurableObjectStubLike): Promise<void>;
}

declare module "cloudflare:workers" {
  import type { DurableObjectStateLike, PipelineEnv } from "./platform.ts";
  export class DurableObject {
    constructor(ctx: DurableObjectStateLike, env: PipelineEnv);
  }
  import type { R2BucketLike } from "../sinks/r2.ts";
  export const env: PipelineEnv & { LAKE: R2BucketLike & { get(key: string): Promise<{ arrayBuffer(): Promise<ArrayBuffer>; etag: string } | null> } };
  export const exports: { default: { fetch(input: string, init?: RequestInit): Promise<Response> } };
}
