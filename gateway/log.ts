/** Structured logging: one JSON object per line, so logs grep and parse alike. */
export interface Logger {
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

/** A logger writing one JSON line per entry to `write` (stdout by default). */
export function createLogger(
  write: (line: string) => void = (line) => process.stdout.write(line + "\n"),
  now: () => Date = () => new Date(),
): Logger {
  const emit = (level: string) => (msg: string, fields: Record<string, unknown> = {}) =>
    write(JSON.stringify({ time: now().toISOString(), level, msg, ...fields }));
  return { info: emit("info"), warn: emit("warn"), error: emit("error") };
}

/** A logger that drops everything; for tests that assert on responses, not logs. */
export const silentLogger: Logger = { info() {}, warn() {}, error() {} };
