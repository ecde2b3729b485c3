import { placeholderVerb } from "./placeholder.ts";

export const verb = placeholderVerb(
  "run",
  "run a published pipeline locally",
  `usage: runnel run <notebook|pipeline>

Runs a published pipeline on this machine: the Node runner for Kafka
sources, workerd for webhooks.`,
  "arrives with issue 4 (compiler)",
);
