import { kafkaServer } from "./kafka.ts";
import { registryServer } from "./registry.ts";
import { s3Server } from "./s3.ts";
import type { TestServer } from "./server.ts";

/** Every server the integration tests need, in start order (they start in parallel). */
export const allServers: TestServer[] = [kafkaServer, s3Server, registryServer];
