/**
 * Runs inside a sandboxed frame (opaque origin, no network by CSP): compiles
 * one shared notebook's JavaScript cell, shows its output here, and posts a
 * structured clone of its value back for dependent cells. Bundled as one
 * classic script and inlined into the frame's srcdoc.
 */
import * as Plot from "@observablehq/plot";
import type { FrameMessage, RunMessage } from "./protocol.ts";

const AsyncFunction = Object.getPrototypeOf(async function () {}).constructor as FunctionConstructor;
const GeneratorFunction = Object.getPrototypeOf(function* () {}).constructor as FunctionConstructor;
const AsyncGeneratorFunction = Object.getPrototypeOf(async function* () {}).constructor as FunctionConstructor;
const builtins: Record<string, unknown> = { Plot };

function post(message: FrameMessage): void {
  window.parent.postMessage(message, "*");
}

function show(value: unknown): void {
  const out = document.getElementById("out")!;
  if (value instanceof Node) out.replaceChildren(value);
  else {
    const pre = document.createElement("pre");
    pre.textContent = value === undefined ? "undefined" : typeof value === "string" ? JSON.stringify(value) : safeJson(value);
    out.replaceChildren(pre);
  }
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v), 2) ?? String(value);
  } catch (error) {
    return `${String(value)} (${error instanceof Error ? error.message : "not serialisable"})`;
  }
}

function cloneable(value: unknown): unknown {
  if (value instanceof Node) return null;
  try {
    return structuredClone(value);
  } catch (error) {
    console.warn("sandbox: the cell's value cannot be passed to other cells", error);
    return null;
  }
}

async function run(message: RunMessage): Promise<void> {
  try {
    const Maker = message.async ? (message.generator ? AsyncGeneratorFunction : AsyncFunction) : message.generator ? GeneratorFunction : Function;
    const names = message.references;
    const fn = new Maker(...names, message.body) as (...args: unknown[]) => unknown;
    const global = globalThis as unknown as Record<string, unknown>;
    const args = names.map((name, i) => (name in builtins ? builtins[name] : (message.inputs[i] ?? (name in global ? global[name] : null))));
    let value = await fn(...args);
    if (message.generator && value !== null && typeof value === "object" && "next" in value) {
      value = (await (value as AsyncIterator<unknown>).next()).value;
    }
    show(value);
    post({ type: "result", id: message.id, value: cloneable(value) });
  } catch (error) {
    const err = error instanceof Error ? error : new Error(String(error));
    const match = /<anonymous>:(\d+):\d+/.exec(err.stack ?? "");
    post({ type: "error", id: message.id, message: `${err.name}: ${err.message}`, line: match ? Math.max(1, Number(match[1]) - 2) : null });
    show(err);
  }
}

window.addEventListener("message", (event: MessageEvent<RunMessage>) => {
  if (event.source !== window.parent || event.data?.type !== "run") return;
  void run(event.data);
});

// The body's height, not the document's: a document is at least as tall as its frame, so the frame would never shrink to a one-line value.
new ResizeObserver(() => post({ type: "height", height: document.body.scrollHeight })).observe(document.body);
post({ type: "ready" });
