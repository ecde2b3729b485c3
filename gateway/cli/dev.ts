import { placeholderVerb } from "./placeholder.ts";

export const verb = placeholderVerb(
  "dev",
  "start the gateway with the app served through Vite (hot reload)",
  `usage: runnel dev [--port <n>]

Starts the gateway with the browser app served by Vite for hot reload.`,
  "the gateway arrives with issue 3",
);
