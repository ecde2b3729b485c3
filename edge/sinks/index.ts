export type { Sink } from "./sink.ts";
export { s3Sink, type S3SinkOptions } from "./s3.ts";
export { r2Sink, type R2BucketLike } from "./r2.ts";
export { checkKey, compareKeys } from "./keys.ts";
export {
  HIVE_NULL,
  datasetSql,
  escapePathSegment,
  formatPartitionValue,
  hiveTypes,
  objectKey,
  partitionPath,
  partitionRows,
  rangeName,
  type LayoutOptions,
  type Partition,
} from "./layout.ts";
export { deadLetterKey, decodeDeadLetters, encodeDeadLetters, type DeadLetter } from "./dead-letter.ts";
export { writeBatch, type WrittenFile } from "./write-batch.ts";
