import { ensurePythonEnv } from "./python-env.ts";

/**
 * A Python with pyarrow and Polars, the readers data engineers point at the lake besides DuckDB,
 * in a virtual environment made once per version set in the cache (outside the clone, like
 * Kafka's jars): a minute on a fresh machine, nothing when cached. Pinned, so a new release
 * cannot change what the tests see.
 */
export const pythonReaders = { pyarrow: "26.0.1", polars: "2.1.0" } as const;

/** The readers' python executable, made on first use. */
export function ensurePyarrow(): Promise<string> {
  return ensurePythonEnv({
    name: `python-readers-pyarrow-${pythonReaders.pyarrow}-polars-${pythonReaders.polars}`,
    purpose: `pyarrow ${pythonReaders.pyarrow} and polars ${pythonReaders.polars}`,
    install: ["--only-binary=:all:", `pyarrow==${pythonReaders.pyarrow}`, `polars==${pythonReaders.polars}`],
    imports: ["pyarrow", "polars"],
  });
}

/**
 * fastavro, an Avro writer independent of avsc (what Python exporters and many Kafka-to-lake jobs
 * write Avro container files with), with cramjam for its `snappy` codec and backports.zstd for
 * `zstandard`: its own small environment, so the readers' cached one is never changed.
 */
export const pythonAvro = { fastavro: "1.13.1", cramjam: "2.14.0", "backports.zstd": "1.8.1" } as const;

/** The fastavro environment's python executable, made on first use. */
export function ensureFastavro(): Promise<string> {
  const pins = Object.entries(pythonAvro).map(([name, version]) => `${name}==${version}`);
  return ensurePythonEnv({
    name: `python-avro-${pins.join("-").replaceAll("==", "-")}`,
    purpose: pins.join(", "),
    install: ["--only-binary=:all:", ...pins],
    imports: ["fastavro", "cramjam", "backports.zstd"],
  });
}
