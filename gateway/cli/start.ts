import { placeholderVerb } from "./placeholder.ts";

export const verb = placeholderVerb(
  "start",
  "start the gateway and open the notebooks",
  `usage: runnel start [--port <n>]

Starts the gateway on 127.0.0.1 and prints the URL with its token.`,
  "the gateway arrives with issue 3",
);
