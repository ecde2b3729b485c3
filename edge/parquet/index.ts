export type { ParquetWriter, ParquetWriteOptions } from "./writer.ts";
export { hyparquetWriter, DEFAULT_ROW_GROUP_SIZE, CREATED_BY } from "./hyparquet.ts";
export { parquetLayout } from "./schema.ts";
export { parseDuckType, type DuckType } from "./duck-type.ts";
