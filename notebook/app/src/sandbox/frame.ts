import { CellError } from "../cell-error.ts";
import type { JsRunner } from "../reactive.ts";
import type { FrameMessage, RunMessage, Sandboxed } from "./protocol.ts";
import runnerUrl from "./runner.ts?worker&url";

export { isSandboxed, type Sandboxed } from "./protocol.ts";

/**
 * The frame's policy: no network at all (so shared code cannot call the
 * gateway, mutating or not), scripts only from the app's own runner, eval for
 * the cell itself. With `sandbox="allow-scripts"` and no `allow-same-origin`
 * the frame has an opaque origin: it cannot read the page, its storage, or the
 * gateway cookie. The runner is a classic script (built as IIFE), so loading
 * it from an opaque origin needs no CORS.
 */
function frameDocument(): string {
  const runner = new URL(runnerUrl, document.baseURI);
  const csp = `default-src 'none'; script-src ${runner.origin} 'unsafe-eval'; style-src 'unsafe-inline'; img-src data: blob:; font-src data:`;
  return `<!doctype html><html><head><meta charset="utf-8"><meta http-equiv="Content-Security-Policy" content="${csp}">
<style>body{margin:0;font:13px system-ui,sans-serif;color:#1d2430}pre{margin:0;white-space:pre-wrap}</style></head>
<body><div id="out"></div><script src="${runner.href}"></script></body></html>`;
}

interface Frame {
  element: HTMLIFrameElement;
  ready: Promise<void>;
  pending: Map<number, { resolve: (value: unknown) => void; reject: (error: unknown) => void }>;
}

/**
 * Runs each JavaScript cell in its own sandboxed iframe; used for shared
 * notebooks, whose code was written by someone else. Inputs and values cross
 * as structured clones. `mount` gives the element a cell's frame lives in;
 * the frame is never moved afterwards (moving an iframe reloads it).
 */
export function createSandboxRunner(mount: (key: string) => HTMLElement): JsRunner {
  const frames = new Map<string, Frame>();
  let nextId = 1;

  window.addEventListener("message", (event: MessageEvent<FrameMessage>) => {
    for (const frame of frames.values()) {
      if (event.source !== frame.element.contentWindow) continue;
      const message = event.data;
      if (message.type === "height") frame.element.style.height = `${Math.min(2000, message.height + 4)}px`;
      else if (message.type === "result") frame.pending.get(message.id)?.resolve(message.value);
      else if (message.type === "error") frame.pending.get(message.id)?.reject(message);
    }
  });

  function frameFor(key: string): Frame {
    let frame = frames.get(key);
    if (frame !== undefined) return frame;
    const element = document.createElement("iframe");
    element.className = "sandbox";
    element.setAttribute("sandbox", "allow-scripts");
    element.setAttribute("referrerpolicy", "no-referrer");
    element.title = `cell ${key} (sandboxed)`;
    const ready = new Promise<void>((resolve) => {
      const onReady = (event: MessageEvent<FrameMessage>) => {
        if (event.source === element.contentWindow && event.data?.type === "ready") {
          window.removeEventListener("message", onReady);
          resolve();
        }
      };
      window.addEventListener("message", onReady);
    });
    element.srcdoc = frameDocument();
    frame = { element, ready, pending: new Map() };
    frames.set(key, frame);
    return frame;
  }

  return async (spec, compiled, inputs): Promise<Sandboxed> => {
    const frame = frameFor(spec.key);
    if (!frame.element.isConnected) mount(spec.key).replaceChildren(frame.element);
    await frame.ready;
    const id = nextId++;
    const message: RunMessage = { type: "run", id, body: compiled.body, references: compiled.references, async: compiled.async, generator: compiled.generator, inputs: inputs.map(cloneOrNull) };
    const value = await new Promise<unknown>((resolve, reject) => {
      frame.pending.set(id, { resolve, reject });
      frame.element.contentWindow!.postMessage(message, "*");
    }).catch((error: { message: string; line: number | null }) => {
      throw new CellError(spec.label, error.message, error.line, { key: spec.key });
    }).finally(() => frame.pending.delete(id));
    return { kind: "sandboxed", frame: frame.element, value };
  };
}

/** Values that cannot cross (modules such as Plot, DOM nodes, functions) become null; the frame has its own Plot. */
function cloneOrNull(value: unknown): unknown {
  if (typeof value === "function" || value instanceof Node) return null;
  try {
    return structuredClone(value);
  } catch (error) {
    if (error instanceof DOMException && error.name === "DataCloneError") return null;
    throw error;
  }
}
