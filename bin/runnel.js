#!/usr/bin/env node
// The `runnel` CLI. Sources are TypeScript; tsx compiles them on load so the
// CLI runs straight from a clone or an install without a build step.
import { register } from "tsx/esm/api";

register();
const { main } = await import("../gateway/cli/main.ts");
process.exitCode = await main(process.argv.slice(2));
