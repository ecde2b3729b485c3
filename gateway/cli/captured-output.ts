import { afterEach, beforeEach, vi } from "vitest";

/**
 * For CLI tests: what the command writes to stdout and stderr during each test, chunk by chunk
 * (the arrays are emptied before every test and the streams restored after it).
 */
export function capturedOutput(): { out: string[]; err: string[] } {
  const captured = { out: [] as string[], err: [] as string[] };
  beforeEach(() => {
    captured.out.length = 0;
    captured.err.length = 0;
    vi.spyOn(process.stdout, "write").mockImplementation((chunk) => (captured.out.push(String(chunk)), true));
    vi.spyOn(process.stderr, "write").mockImplementation((chunk) => (captured.err.push(String(chunk)), true));
  });
  afterEach(() => vi.restoreAllMocks());
  return captured;
}
