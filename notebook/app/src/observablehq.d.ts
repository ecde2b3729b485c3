// Just the parts of Observable's untyped packages that the app uses.

declare module "@observablehq/runtime" {
  export interface Observer {
    pending?(): void;
    fulfilled?(value: unknown, name?: string | null): void;
    rejected?(error: unknown, name?: string | null): void;
  }
  export interface Variable {
    define(name: string | null, inputs: string[], definition: (...inputs: never[]) => unknown): Variable;
    delete(): Variable;
  }
  export interface Module {
    variable(observer?: Observer | true, options?: { shadow?: Record<string, unknown> }): Variable;
    value(name: string): Promise<unknown>;
  }
  export class Runtime {
    constructor(builtins?: Record<string, unknown>, global?: (name: string) => unknown);
    module(): Module;
    dispose(): void;
  }
  export class RuntimeError extends Error {
    input?: string;
  }
}

declare module "@observablehq/inspector" {
  export class Inspector {
    constructor(node: Element);
    pending(): void;
    fulfilled(value: unknown, name?: string | null): void;
    rejected(error: unknown, name?: string | null): void;
  }
}

declare module "@observablehq/parser" {
  export interface Node {
    type: string;
    start: number;
    end: number;
    name?: string;
  }
  export interface ParsedCell extends Node {
    id: (Node & { id?: Node }) | null;
    body: Node | null;
    references: Node[];
    async: boolean;
    generator: boolean;
  }
  export function parseCell(input: string, options?: Record<string, unknown>): ParsedCell;
}
