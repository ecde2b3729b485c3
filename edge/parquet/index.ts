export { openFile, type ParquetFile, type ParquetWriter, type ParquetWriteOptions } from "./writer.ts";
export { runnelWriter } from "./runnel.ts";
export { hyparquetWriter, DEFAULT_ROW_GROUP_SIZE, CREATED_BY } from "./hyparquet.ts";
export { parquetLayout } from "./schema.ts";
export { parseDuckType, type DuckType } from "./duck-type.ts";
export { snappyCompress } from "./snappy.ts";

import { runnelWriter } from "./runnel.ts";
/** The encoder pipelines use, chosen by bench/parquet-writer.ts (see ARCHITECTURE.md "edge/parquet"). */
export const defaultParquetWriter = runnelWriter;
