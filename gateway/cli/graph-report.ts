/** The text and JSON that `runnel graph` prints for a built graph. */
import { counted } from "../../notebook/format/counted.ts";
import type { NotebookIssue, SinkSpec, SourceSpec } from "../../notebook/format/model.ts";
import type { Graph, GraphCell } from "../../notebook/graph/index.ts";
import { sinkClosure, topologicalOrder } from "../../notebook/graph/index.ts";

function fenceLine(graph: Graph, cell: GraphCell): number {
  const model = graph.notebook.cells[cell.index]!;
  return model.infoStart?.line ?? model.start.line - 1;
}

function describeSource(source: SourceSpec): string {
  const demo = source.demo && source.kind !== "demo" ? ` · demo stand-in ${source.demo.generator}` : "";
  switch (source.kind) {
    case "kafka":
      return `kafka topic ${source.topic} on ${source.brokers.join(",")} · ${source.format}${demo}`;
    case "webhook":
      return `webhook ${source.path} · signature ${source.signature}${source.secret ? ` (secret from $${source.secret})` : ""} · ${source.format}${demo}`;
    case "http":
      return `http ${source.url} every ${source.intervalSeconds}s · ${source.format}${demo}`;
    case "demo":
      return `demo ${source.demo.generator} at ${source.demo.rate}/s, seed ${source.demo.seed}`;
  }
}

function describeSink(sink: SinkSpec): string {
  const target = sink.target;
  const place =
    target.kind === "s3" ? `s3://${target.bucket}/${target.prefix}${target.endpoint ? ` at ${target.endpoint}` : ""}` : target.kind === "r2" ? `r2 binding ${target.binding}${target.prefix ? ` prefix ${target.prefix}` : ""}` : `fs ${target.dir}/${target.prefix}`;
  const parts = [place];
  if (sink.partitionBy.length > 0) parts.push(`partition_by ${sink.partitionBy.join(", ")}`);
  parts.push(`flush ${counted(sink.flush.rows, "row")} / ${bytes(sink.flush.bytes)} / ${sink.flush.seconds}s`);
  if (sink.lateness > 0) parts.push(`lateness ${sink.lateness}s`);
  return parts.join(" · ");
}

function bytes(n: number): string {
  for (const [unit, size] of [["GiB", 1024 ** 3], ["MiB", 1024 ** 2], ["KiB", 1024]] as const) {
    if (n >= size && n % size === 0) return `${n / size} ${unit}`;
  }
  return counted(n, "byte");
}

function table(rows: string[][]): string[] {
  const widths = rows.reduce<number[]>((acc, row) => row.map((cell, i) => Math.max(acc[i] ?? 0, cell.length)), []);
  return rows.map((row) => `  ${row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]!))).join("  ")}`.trimEnd());
}

/** The graph for people: sources, sinks, cells, run order and what publish compiles. */
export function graphText(graph: Graph): string {
  const notebook = graph.notebook;
  const lines = [`${notebook.title} (${notebook.file})`, ""];
  const sources = Object.values(notebook.sources);
  lines.push("sources", ...(sources.length ? table(sources.map((source) => [source.name, describeSource(source)])) : ["  (none)"]), "");
  const sinks = Object.values(notebook.sinks);
  lines.push(
    "sinks",
    ...(sinks.length
      ? table(sinks.map((sink) => [sink.name, describeSink(sink), `← ${graph.cells.filter((cell) => cell.sink === sink.name).map((cell) => cell.label).join(", ") || "(no cell)"}`]))
      : ["  (none)"]),
    "",
  );
  lines.push(
    "cells",
    ...(graph.cells.length
      ? table(
          graph.cells.map((cell) => {
            const reads = cell.references.map((ref) => (ref.kind === "cell" ? ref.name : `${ref.name} (${ref.kind})`));
            const defines = cell.defines.filter((define) => define.name !== cell.label).map((define) => define.name);
            return [
              cell.label,
              cell.language,
              `line ${fenceLine(graph, cell)}`,
              [defines.length ? `defines ${defines.join(", ")}` : "", reads.length ? `reads ${reads.join(", ")}` : "reads nothing", cell.sink ? `→ sink ${cell.sink}` : ""].filter(Boolean).join("  "),
            ];
          }),
        )
      : ["  (none)"]),
    "",
  );
  const chain = (cells: GraphCell[]) => (cells.length ? cells.map((cell) => cell.label).join(" → ") : "(none)");
  lines.push(`order         ${chain(topologicalOrder(graph))}`, `sink closure  ${chain(sinkClosure(graph))}`);
  return lines.join("\n");
}

/** The graph as one JSON object with a fixed key order, for tools. */
export function graphJson(graph: Graph, issues: NotebookIssue[]): unknown {
  const notebook = graph.notebook;
  const label = (index: number) => graph.cells[index]!.label;
  return {
    version: 1,
    file: notebook.file,
    title: notebook.title,
    sources: Object.values(notebook.sources),
    sinks: Object.values(notebook.sinks).map((sink) => ({ ...sink, cells: graph.cells.filter((cell) => cell.sink === sink.name).map((cell) => cell.label) })),
    cells: graph.cells.map((cell) => ({
      index: cell.index,
      label: cell.label,
      language: cell.language,
      id: cell.id,
      sink: cell.sink,
      line: fenceLine(graph, cell),
      defines: cell.defines.map((define) => ({ name: define.name, line: define.position.line, column: define.position.column })),
      references: cell.references.map((ref) => ({
        name: ref.name,
        kind: ref.kind,
        ...(ref.cell === null ? {} : { cell: label(ref.cell) }),
        line: ref.position.line,
        column: ref.position.column,
      })),
      dependsOn: cell.dependsOn.map(label),
    })),
    order: topologicalOrder(graph).map((cell) => cell.label),
    sinkClosure: sinkClosure(graph).map((cell) => cell.label),
    issues: issues.map((issue) => ({ subsystem: issue.subsystem ?? "format", file: issue.file, line: issue.line, column: issue.column, message: issue.message })),
  };
}
