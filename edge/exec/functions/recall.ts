/**
 * When a memory of recent answers pays: streams repeat their keys (a device
 * id, a person's address), and a Map lookup costs a fraction of an MD5 or of
 * a chain of string functions. A memory holds at most 16,384 answers (it is
 * cleared when full). If fewer than a quarter of 4,096 calls hit (or under
 * 1 % of the first 1,024), it is cleared and switched off, and tried again
 * after 65,536 calls, so a column of unique values costs almost nothing extra.
 *
 * Used by the digests' memory (`strings.ts`) and the executor's remembered
 * sub-expressions (`expr.ts`); each holds its own Map, this decides.
 */
export class Recall {
  private on = true;
  private calls = 0;
  private hits = 0;

  /** Whether the memory is on (without counting a call). */
  get active(): boolean {
    return this.on;
  }

  /** Counts a call; false while the memory is off (the caller computes without it). */
  use(): boolean {
    this.calls++;
    if (this.on) return true;
    if (this.calls >= 65_536) {
      this.on = true;
      this.calls = 0;
      this.hits = 0;
    }
    return false;
  }

  /** Counts a call answered from the memory. */
  hit(): void {
    this.hits++;
  }

  /** After a miss, before storing its answer in a memory holding `size`: true when the memory must be cleared first. */
  missed(size: number): boolean {
    // Keys that do not repeat at all (an id, a timestamp) are told after 1,024 calls: each miss
    // until then copies its key and stores an answer no one asks for again.
    if (this.calls >= 4_096 || (this.calls >= 1_024 && this.hits * 100 < this.calls)) {
      const poor = this.hits * 4 < this.calls;
      this.calls = 0;
      this.hits = 0;
      if (poor) {
        this.on = false;
        return true;
      }
    }
    return size >= 16_384;
  }
}

/**
 * A flat copy of a short text that shares nothing with the text it may have been cut from: V8
 * keeps a substring of 13 or more characters as a view of its parent, and a remembered key or
 * answer must not keep a 50 KB event body alive. Joining the text's two halves makes a fresh
 * flat string of its own (an array's join writes one new string; only a join of one piece hands
 * the piece back), ~0.05–0.1 µs, on a miss only, where JSON's round trip took ~0.15–0.2 µs.
 * Cutting `" " + s` again would make another view, and a Map compares a lookup with a view's
 * characters ~40 % slower than with a flat string's.
 */
export function ownCopy(s: string): string {
  if (s.length < 13) return s;
  const half = s.length >> 1;
  return [s.slice(0, half), s.slice(half)].join("");
}

/** An answer a memory may keep: a primitive, text of at most 256 characters (then copied, see ownCopy). */
export const MAX_REMEMBERED_TEXT = 256;
