#!/usr/bin/env node
// `npm run bench [-- name...]`: runs each named benchmark in bench/ (all when
// none is named), one after another, each in its own process. A benchmark
// that needs V8 flags names them in a line `// node-flags: <flags>`.
import { readdirSync, readFileSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const benchDir = fileURLToPath(new URL("../bench/", import.meta.url));
const all = readdirSync(benchDir).filter((f) => f.endsWith(".ts")).map((f) => f.slice(0, -3)).sort();
const wanted = process.argv.slice(2);
const unknown = wanted.filter((name) => !all.includes(name));
if (unknown.length > 0) {
  console.error(`bench: no benchmark named ${unknown.join(", ")}; there are: ${all.join(", ")}`);
  process.exit(2);
}
let failed = 0;
for (const name of wanted.length > 0 ? wanted : all) {
  console.log(`\n== bench/${name}.ts`);
  const flags = /^\/\/ node-flags: (.+)$/m.exec(readFileSync(`${benchDir}${name}.ts`, "utf8"))?.[1]?.trim().split(/\s+/) ?? [];
  const result = spawnSync(process.execPath, [...flags, "--import", "tsx", `${benchDir}${name}.ts`], { stdio: "inherit" });
  if (result.status !== 0) failed++;
}
process.exit(failed === 0 ? 0 : 1);
