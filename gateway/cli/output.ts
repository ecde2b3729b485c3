/**
 * Where verbs print. Text goes to the process's own streams (tests capture
 * them there); a missing final newline is added.
 */
function write(stream: NodeJS.WriteStream, text: string): void {
  stream.write(text.endsWith("\n") ? text : `${text}\n`);
}

export function printOut(text: string): void {
  write(process.stdout, text);
}

export function printErr(text: string): void {
  write(process.stderr, text);
}

/** An error's message and those of its causes, each once: "bundle: ... cannot be read (ENOENT: no such file ...)". */
export function causeChain(error: Error): string {
  let text = error.message;
  for (let cause = error.cause; cause instanceof Error; cause = cause.cause) {
    if (!text.includes(cause.message)) text += ` (${cause.message})`;
  }
  return text;
}
