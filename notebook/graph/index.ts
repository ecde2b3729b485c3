export type { Graph, GraphCell, NameAt, Reference, ReferenceKind } from "./graph.ts";
export type { RefsProvider, SqlRefs, JsRefs, CodeError } from "./refs.ts";
export { buildGraph, type GraphOptions } from "./build.ts";
export { topologicalOrder, sinkClosure, findCycles } from "./order.ts";
export { jsRefs } from "./js-refs.ts";
export { STANDARD_LIBRARY } from "./stdlib.ts";
