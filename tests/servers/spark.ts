import { ensurePythonEnv } from "./python-env.ts";

/**
 * Apache Spark, the engine most lakes are read with besides DuckDB: PyPI's pyspark (its jars
 * inside, ~450 MB, run on the machine's Java 17) in a virtual environment made once per version
 * in the cache: about two minutes on a fresh machine, nothing when cached. pyspark is published
 * as a source archive only, so pip builds it (no native code). Pinned, so a new release cannot
 * change what the tests see.
 */
export const sparkVersion = "4.0.1";

/** The environment's python executable (with pyspark), made on first use. */
export function ensureSpark(): Promise<string> {
  return ensurePythonEnv({
    name: `python-spark-${sparkVersion}`,
    purpose: `pyspark ${sparkVersion}`,
    install: [`pyspark==${sparkVersion}`],
    imports: ["pyspark"],
    needs: [["java", "-version"]],
  });
}
