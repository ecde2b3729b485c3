/**
 * The parts of the Workers runtime this folder uses, written out
 * structurally (as `edge/sinks/r2.ts` does) so the code type-checks under the
 * project's one tsconfig; workerd's own objects fit them. A bundle's exact
 * `Env` is generated from its wrangler.toml by `wrangler types` (see the bundle README).
 */
export type SqlValue = string | number | null | ArrayBuffer;

export interface SqlStorageLike {
  exec<T extends Record<string, SqlValue> = Record<string, SqlValue>>(query: string, ...bindings: unknown[]): { toArray(): T[]; one(): T };
}

export interface DurableObjectStorageLike {
  sql: SqlStorageLike;
  transactionSync<T>(fn: () => T): T;
  getAlarm(): Promise<number | null>;
  setAlarm(scheduledTime: number): Promise<void>;
}

export interface DurableObjectStateLike {
  storage: DurableObjectStorageLike;
  blockConcurrencyWhile<T>(fn: () => Promise<T>): Promise<T>;
}

export interface DurableObjectStubLike {
  fetch(input: string, init?: RequestInit): Promise<Response>;
  /** JS RPC to the pipeline object's `commit` (its class extends workerd's `DurableObject`). */
  commit(batch: string): Promise<boolean>;
}

/**
 * The base class of the Durable Object: `DurableObject` from
 * `cloudflare:workers` in a bundle (which is what makes its methods callable
 * over JS RPC); the entry passes it in, so this folder imports no workerd module.
 */
export type DurableObjectBase = new (ctx: DurableObjectStateLike, env: PipelineEnv) => object;

export interface DurableObjectNamespaceLike {
  idFromName(name: string): unknown;
  get(id: never): DurableObjectStubLike;
}

/** A published Worker's bindings: the Durable Object namespace, R2 buckets, secrets and vars by name. */
export type PipelineEnv = { PIPELINE: DurableObjectNamespaceLike } & Record<string, unknown>;

export interface ExecutionContextLike {
  waitUntil(promise: Promise<unknown>): void;
}

/** The module Worker's handler shape (workers-types' `ExportedHandler`, the part used here). */
export interface ExportedHandler<Env> {
  fetch(request: Request, env: Env, ctx: ExecutionContextLike): Response | Promise<Response>;
}
