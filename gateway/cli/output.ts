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
