/** Messages between the page and a sandboxed cell frame. Plain data only: they cross origins. */

export interface RunMessage {
  type: "run";
  id: number;
  body: string;
  references: string[];
  async: boolean;
  generator: boolean;
  inputs: unknown[];
}

export type FrameMessage =
  | { type: "ready" }
  | { type: "result"; id: number; value: unknown }
  | { type: "error"; id: number; message: string; line: number | null }
  | { type: "height"; height: number };

/** A JavaScript cell's value when it ran in a sandboxed frame: the frame shows it; `value` is a clone for dependents. */
export interface Sandboxed {
  kind: "sandboxed";
  frame: HTMLIFrameElement;
  value: unknown;
}

export function isSandboxed(value: unknown): value is Sandboxed {
  return typeof value === "object" && value !== null && (value as { kind?: unknown }).kind === "sandboxed";
}
