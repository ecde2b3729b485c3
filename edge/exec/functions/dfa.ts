/**
 * RE2's lazy DFA in front of pike.ts's engines: states are built on demand from the NFA states a
 * set of threads is at, cached, and the cache is bounded (when it fills it is cleared; a search
 * that keeps filling it gives up, and the bounded backtracker or the Pike VM answers instead), so
 * a search stays linear in the text and the cache's memory stays bounded whatever the pattern.
 *
 * Three passes over the text, each one table lookup a character once its states are built:
 * - **forward** (`firstEnd`): the threads in priority order, cut after a match as a backtracking
 *   engine would (leftmost-first), with an unanchored search's `.*?` prefix as the lowest thread:
 *   whether there is a match (stopping at the first), and where the leftmost-first one ends;
 * - **backward** from that end (`liveBack`): per position, the set of character instructions from
 *   which a path reaches that end (a state of its own DFA); the leftmost position where the
 *   program's start reaches one is where the match starts;
 * - **guided walk** (`walk`): from the start, the highest-priority path among those that reach the
 *   end, choosing at each position the first live instruction in priority order, with the
 *   captures it passes; each choice is cached per (backward state, instruction).
 * Characters are code points (a surrogate pair is one), grouped into classes every character
 * instruction of the program and the word and newline tests answer alike; assertions
 * (`^ $ \b \B`, line starts and ends) are decided at the transition, when the characters on both
 * sides of a position are known.
 */
import type { Program } from "./pike.ts";

export const OP_CHAR = 0, OP_SPLIT = 1, OP_JMP = 2, OP_SAVE = 3, OP_ASSERT = 4, OP_MATCH = 5;

/** What an assertion looks at in a character: a word character, a newline, the text's edge. */
const F_WORD = 1, F_NL = 2, F_EDGE = 4;

/** Whether assertion `code` (pike.ts's `assertionCodes`) holds between characters of flags `prev` and `next`. */
function holdsAt(code: number, prev: number, next: number): boolean {
  switch (code) {
    case 0: return (prev & F_EDGE) !== 0;
    case 1: return (next & F_EDGE) !== 0;
    case 2: return ((prev ^ next) & F_WORD) !== 0;
    case 3: return ((prev ^ next) & F_WORD) === 0;
    case 4: return (prev & (F_EDGE | F_NL)) !== 0;
    default: return (next & (F_EDGE | F_NL)) !== 0;
  }
}

/** Programs with more instructions than this skip the DFA (a state's key holds one UTF-16 unit per instruction). */
const MAX_DFA_PROGRAM = 2000;
/** States per DFA before its cache is cleared. */
const MAX_STATES = 4096;
/** Instructions in all of a DFA's states' lists before its cache is cleared. */
const MAX_POOL = 1 << 19;
/** Classes of characters outside ASCII a program's alphabet takes (more: the DFA gives up on the text). */
const MAX_OTHER_CLASSES = 32;
/**
 * Cache clears one search may cause before it gives up (then pike.ts's engines answer); it gives up
 * at the first when it read fewer than `MIN_CHARS_PER_STATE` characters a state built (as RE2 does).
 */
const MAX_RESETS = 4;
const MIN_CHARS_PER_STATE = 10;
/** The longest text whose match's start and submatches the DFA finds (its backward pass keeps 4 bytes a position). */
const MAX_POSITIONS = 1 << 22;
/** Cells of the guided walk's cache (4 bytes each): a program with many instructions gets fewer backward states. */
const MAX_WALK = 1 << 20;

/** The classes of characters: per code point, which character instructions take it, and its flags. */
class Alphabet {
  readonly ascii = new Int32Array(128);
  readonly edge: number;
  readonly stride: number;
  /** Per class and character class of the program (the last one: any character), whether it takes the class. */
  readonly accept: Uint8Array;
  readonly flags: Uint8Array;
  readonly kinds: number;
  size: number;
  private readonly sigs = new Map<string, number>();
  private readonly other = new Map<number, number>();

  constructor(private readonly p: Program) {
    const k = p.classes.length;
    this.kinds = k + 1;
    const asciiSigs: string[] = [];
    for (let c = 0; c < 128; c++) {
      let sig = `${p.word(c) ? 1 : 0}${c === 10 ? 1 : 0}`;
      for (let j = 0; j < k; j++) sig += p.ascii[j * 128 + c];
      asciiSigs.push(sig);
      let id = this.sigs.get(sig);
      if (id === undefined) this.sigs.set(sig, (id = this.sigs.size));
      this.ascii[c] = id;
    }
    this.edge = this.sigs.size;
    this.size = this.edge + 1;
    this.stride = this.size + MAX_OTHER_CLASSES;
    this.accept = new Uint8Array(this.stride * this.kinds);
    this.flags = new Uint8Array(this.stride);
    for (let c = 0; c < 128; c++) this.fill(this.ascii[c]!, c);
    this.flags[this.edge] = F_EDGE;
  }

  private fill(id: number, cp: number): void {
    const k = this.kinds - 1;
    for (let j = 0; j < k; j++) this.accept[id * this.kinds + j] = (cp < 128 ? this.p.ascii[j * 128 + cp] === 1 : this.p.classes[j]!(cp)) ? 1 : 0;
    this.accept[id * this.kinds + k] = 1;
    this.flags[id] = (this.p.word(cp) ? F_WORD : 0) | (cp === 10 ? F_NL : 0);
  }

  /** The class of code point `cp` (not ASCII), or -1 when the alphabet is full. */
  classOf(cp: number): number {
    let id = this.other.get(cp);
    if (id !== undefined) return id;
    const k = this.kinds - 1;
    let sig = `${this.p.word(cp) ? 1 : 0}0`;
    for (let j = 0; j < k; j++) sig += this.p.classes[j]!(cp) ? 1 : 0;
    id = this.sigs.get(sig);
    if (id === undefined) {
      if (this.size >= this.stride) return -1;
      id = this.size++;
      this.sigs.set(sig, id);
      this.fill(id, cp);
    }
    if (this.other.size < 8192) this.other.set(cp, id);
    return id;
  }
}

/** The program with the unanchored search's `.*?` loop appended (three instructions from `m`), and scratch space. */
class Machine {
  readonly m: number;
  readonly op: Uint8Array;
  readonly x: Int32Array;
  readonly y: Int32Array;
  readonly cls: Int32Array;
  readonly alpha: Alphabet;
  readonly hasAssert: boolean;
  readonly seesAssert: Uint8Array;
  readonly matchPc: number;
  /** The character instructions of the program (not the loop's). */
  readonly chars: Int32Array;
  /** Epsilon predecessors (split, jump, save, assertion), compressed: `predAt[pc]..predAt[pc + 1]` in `preds`. */
  readonly predAt: Int32Array;
  readonly preds: Int32Array;
  readonly mark: Int32Array;
  gen = 0;
  readonly stack: Int32Array;
  readonly list: Int32Array;
  readonly list2: Int32Array;
  forward: ForwardDfa | null = null;
  /** Whether its caches count among the `MAX_LIVE_MACHINES` kept, and when it was last searched. */
  live = false;
  used = 0;
  backward: BackwardDfa | null = null;
  onePass: OnePass | null = null;
  /** Searches, and those the DFA gave up on: when most do, the program stays on pike.ts's engines. */
  searches = 0;
  gaveUp = 0;
  /** Anchored searches the one-pass walk could not answer (two ways on): when most, it is not tried. */
  onePassTried = 0;
  onePassFailed = 0;
  /** The answer's capture positions, reused by every search (the caller reads them before the next). */
  readonly caps: Int32Array;

  constructor(readonly p: Program) {
    const m = p.op.length;
    this.m = m;
    const n = m + 3;
    this.op = new Uint8Array(n);
    this.x = new Int32Array(n);
    this.y = new Int32Array(n);
    this.cls = new Int32Array(n);
    this.op.set(p.op);
    this.x.set(p.x);
    this.y.set(p.y);
    this.cls.set(p.cls);
    // m: split preferring the program's start over the loop; m + 1: any character; m + 2: back to m.
    this.op[m] = OP_SPLIT;
    this.x[m] = 0;
    this.y[m] = m + 1;
    this.op[m + 1] = OP_CHAR;
    this.cls[m + 1] = p.classes.length;
    this.op[m + 2] = OP_JMP;
    this.x[m + 2] = m;
    this.alpha = new Alphabet(p);
    let asserts = false, matchPc = -1;
    const chars: number[] = [];
    const count = new Int32Array(m + 1);
    const edges: [number, number][] = [];
    for (let pc = 0; pc < m; pc++) {
      switch (p.op[pc]) {
        case OP_CHAR: chars.push(pc); break;
        case OP_MATCH: matchPc = pc; break;
        case OP_ASSERT: asserts = true; edges.push([pc, pc + 1]); break;
        case OP_SAVE: edges.push([pc, pc + 1]); break;
        case OP_JMP: edges.push([pc, p.x[pc]!]); break;
        case OP_SPLIT: edges.push([pc, p.x[pc]!], [pc, p.y[pc]!]); break;
      }
    }
    for (const [, to] of edges) count[to + 1]!++;
    for (let pc = 0; pc < m; pc++) count[pc + 1]! += count[pc]!;
    this.predAt = count.slice();
    this.preds = new Int32Array(edges.length);
    const fillAt = count.slice();
    for (const [from, to] of edges) this.preds[fillAt[to]!++] = from;
    this.hasAssert = asserts;
    this.matchPc = matchPc;
    // The instructions whose closure meets an assertion: only from those does the character before matter.
    this.seesAssert = new Uint8Array(n);
    const todo: number[] = [];
    for (let pc = 0; pc < m; pc++) if (p.op[pc] === OP_ASSERT) todo.push(pc);
    for (const pc of todo) this.seesAssert[pc] = 1;
    while (todo.length > 0) {
      const q = todo.pop()!;
      for (let k = this.predAt[q]!, e = this.predAt[q + 1]!; k < e; k++) {
        const pc = this.preds[k]!;
        if (this.seesAssert[pc] === 0) {
          this.seesAssert[pc] = 1;
          todo.push(pc);
        }
      }
    }
    this.chars = Int32Array.from(chars);
    this.mark = new Int32Array(n).fill(-1);
    this.stack = new Int32Array(2 * n + 4);
    this.list = new Int32Array(n);
    this.list2 = new Int32Array(n);
    this.caps = new Int32Array(2 * (p.groups + 1));
  }

  nextGen(): number {
    if (++this.gen > 0x3fffffff) {
      this.mark.fill(-1);
      this.gen = 1;
    }
    return this.gen;
  }

  /** Whether character class `c` is taken by the character instruction at `pc`. */
  takes(pc: number, c: number): boolean {
    return this.alpha.accept[c * this.alpha.kinds + this.cls[pc]!] === 1;
  }
}

/**
 * A DFA's states: their lists of instructions in a pool, flags, and the transition table: per
 * state and class of character, -1 when not built yet, else the target's row (its id × stride)
 * times 4 plus its `info` bits, so a step is one read.
 */
class States {
  n = 0;
  trans: Int32Array;
  info: Uint8Array;
  flags: Uint8Array;
  at: Int32Array;
  len: Int32Array;
  pool: Int32Array;
  poolLen = 0;
  keys = new Map<string, number>();
  resets = 0;

  constructor(readonly stride: number, readonly maxStates = MAX_STATES) {
    this.trans = new Int32Array(64 * stride).fill(-1);
    this.info = new Uint8Array(64);
    this.flags = new Uint8Array(64);
    this.at = new Int32Array(64);
    this.len = new Int32Array(64);
    this.pool = new Int32Array(1024);
  }

  /** Clears the cache (every state id given out before is void). */
  reset(): void {
    this.trans.fill(-1, 0, this.n * this.stride);
    this.n = 0;
    this.poolLen = 0;
    this.keys.clear();
    this.resets++;
  }

  full(extra: number): boolean {
    return this.n >= this.maxStates || this.poolLen + extra > MAX_POOL;
  }

  /** The state of list `list[0..count)`, flags `flags` and info `info`, made if new (the caller has made room). */
  intern(list: Int32Array, count: number, flags: number, info: number): number {
    let key = String.fromCharCode(flags, info);
    for (let i = 0; i < count; i += 4096) key += String.fromCharCode.apply(null, list.subarray(i, Math.min(count, i + 4096)) as unknown as number[]);
    const known = this.keys.get(key);
    if (known !== undefined) return known;
    const id = this.n++;
    if (id >= this.info.length) {
      const size = this.info.length * 2;
      const trans = new Int32Array(size * this.stride).fill(-1);
      trans.set(this.trans);
      this.trans = trans;
      this.info = grow8(this.info, size);
      this.flags = grow8(this.flags, size);
      this.at = grow32(this.at, size);
      this.len = grow32(this.len, size);
    }
    while (this.poolLen + count > this.pool.length) this.pool = grow32(this.pool, this.pool.length * 2);
    this.pool.set(list.subarray(0, count), this.poolLen);
    this.at[id] = this.poolLen;
    this.len[id] = count;
    this.poolLen += count;
    this.flags[id] = flags;
    this.info[id] = info;
    this.keys.set(key, id);
    return id;
  }
}

function grow8(a: Uint8Array, size: number): Uint8Array {
  const b = new Uint8Array(size);
  b.set(a);
  return b;
}

function grow32(a: Int32Array, size: number): Int32Array<ArrayBuffer> {
  const b = new Int32Array(size);
  b.set(a);
  return b;
}

const MATCHED = 1, DEAD = 2;

/**
 * The forward DFA: a state is the ordered list of the instructions its threads wait at (character
 * instructions and the match), or, when the program has assertions, of the instructions its
 * threads go on from (their closures are walked at the transition, when the characters on both
 * sides are known) with the flags of the character before. `info` of a transition's target: MATCHED when a thread matched at the
 * position the transition starts from (the threads after it are cut), DEAD when none is left.
 */
class ForwardDfa {
  readonly s: States;
  /** Start states by [anchored][flags of the character before]. */
  starts = new Int32Array(16).fill(-1);

  constructor(readonly mc: Machine) {
    this.s = new States(mc.alpha.stride);
  }

  /** Appends to `out` (from `count`) what `pc` reaches reading nothing, stopping at characters, assertions and the match. */
  private close(pc0: number, out: Int32Array, count: number, gen: number, prev: number, next: number, decide: boolean): number {
    const { op, x, y, mark, stack } = this.mc;
    let sp = 0;
    stack[sp++] = pc0;
    while (sp > 0) {
      let pc = stack[--sp]!;
      for (;;) {
        if (mark[pc] === gen) break;
        mark[pc] = gen;
        const o = op[pc]!;
        if (o === OP_JMP) pc = x[pc]!;
        else if (o === OP_SPLIT) {
          stack[sp++] = y[pc]!;
          pc = x[pc]!;
        } else if (o === OP_SAVE) pc++;
        else if (o === OP_ASSERT && decide) {
          if (!holdsAt(x[pc]!, prev, next)) break;
          pc++;
        } else {
          out[count++] = pc;
          break;
        }
      }
    }
    return count;
  }

  start(anchored: boolean, prev: number): number {
    const k = (anchored ? 8 : 0) + prev;
    let st = this.starts[k]!;
    if (st >= 0) return st;
    const mc = this.mc;
    let count = 1;
    if (mc.hasAssert) mc.list[0] = anchored ? 0 : mc.m;
    else count = this.close(anchored ? 0 : mc.m, mc.list, 0, mc.nextGen(), prev, 0, false);
    if (this.s.full(count)) this.reset();
    st = this.s.intern(mc.list, count, mc.hasAssert ? prev : 0, count === 0 ? DEAD : 0);
    this.starts[k] = st;
    return st;
  }

  reset(): void {
    this.s.reset();
    this.starts.fill(-1);
  }

  /** The state after `st` reads class `c` (the edge class at the text's end); builds it if new. */
  step(st: number, c: number): number {
    const mc = this.mc;
    const s = this.s;
    const prev = s.flags[st]!;
    const next = mc.alpha.flags[c]!;
    // The threads at this position in priority order: the state's own list, or with assertions the
    // closure of its threads' instructions, walked now that the characters on both sides are known
    // (in one walk, each instruction once, as the Pike VM does: walking on from a deferred assertion
    // would revisit a loop's body the first walk had passed, and put its characters before the match).
    const at = s.at[st]!, len = s.len[st]!;
    let res = s.pool;
    let from = at, n = at + len;
    if (mc.hasAssert) {
      res = mc.list2;
      from = 0;
      n = 0;
      const gen = mc.nextGen();
      for (let i = 0; i < len; i++) n = this.close(s.pool[at + i]!, res, n, gen, prev, next, true);
    }
    // Each steps over the character, in priority order; a match cuts the threads after it.
    const out = mc.list;
    let count = 0;
    let info = 0;
    const gen = mc.nextGen();
    for (let i = from; i < n; i++) {
      const pc = res[i]!;
      if (mc.op[pc] === OP_MATCH) {
        info = MATCHED;
        break;
      }
      if (c === mc.alpha.edge || !mc.takes(pc, c)) continue;
      if (mc.hasAssert) out[count++] = pc + 1;
      else count = this.close(pc + 1, out, count, gen, next, 0, false);
    }
    if (count === 0) info |= DEAD;
    let reset = false;
    if (s.full(count)) {
      this.reset();
      reset = true;
    }
    const t = s.intern(out, count, mc.hasAssert ? next : 0, info);
    if (!reset) s.trans[st * s.stride + c] = t * s.stride * 4 + info;
    return t;
  }
}

/**
 * The backward DFA over the positions before a match's end: a state is the set of character
 * instructions (sorted) from which, having read the character at its position, a path reaches the
 * end (at first: the match instruction itself), with the flags of that character when the program
 * has assertions. `info` of a transition's target: STARTS when the program's start reaches the
 * set at the position the transition starts from (a match can start there), DEAD when the set is empty.
 */
const STARTS = 1;

class BackwardDfa {
  readonly s: States;
  /**
   * The guided walk's choices, a row of `rowLen` per state: per (instruction, flags of the character
   * before), 0 when not made yet, -(choice + 2) when the way there saves no capture (the choice -1
   * is the match), else 1 + the index in `results` of [choice, count, slots…].
   */
  walkTab = new Int32Array(0);
  readonly rowLen: number;
  results: Int32Array<ArrayBuffer> = new Int32Array(256);
  resultsLen = 0;
  /** The initial states by the flags of the character at the end. */
  ends = new Int32Array(8).fill(-1);

  constructor(readonly mc: Machine) {
    this.rowLen = (mc.m + 1) * (mc.hasAssert ? 8 : 1);
    this.s = new States(mc.alpha.stride, Math.min(MAX_STATES, Math.floor(MAX_WALK / this.rowLen)));
  }

  reset(): void {
    this.s.reset();
    this.ends.fill(-1);
    this.walkTab.fill(0);
    if (this.results.length > 4096) this.results = new Int32Array(256);
    this.resultsLen = 0;
  }

  end(next: number): number {
    const fl = this.mc.hasAssert ? next : 0;
    let st = this.ends[fl]!;
    if (st >= 0) return st;
    if (this.s.full(1)) this.reset();
    this.mc.list[0] = this.mc.matchPc;
    st = this.s.intern(this.mc.list, 1, fl, 0);
    this.ends[fl] = st;
    return st;
  }

  /** Marks (with the returned generation) every instruction that reaches `st`'s set reading nothing, between characters of flags `prev` and `next`. */
  private reach(st: number, prev: number): number {
    const mc = this.mc;
    const s = this.s;
    const { mark, stack, predAt, preds, op, x } = mc;
    const next = s.flags[st]!;
    const gen = mc.nextGen();
    let sp = 0;
    const at = s.at[st]!, len = s.len[st]!;
    for (let i = 0; i < len; i++) {
      const pc = s.pool[at + i]!;
      mark[pc] = gen;
      stack[sp++] = pc;
    }
    while (sp > 0) {
      const q = stack[--sp]!;
      for (let k = predAt[q]!, e = predAt[q + 1]!; k < e; k++) {
        const pc = preds[k]!;
        if (mark[pc] === gen) continue;
        if (op[pc] === OP_ASSERT && !holdsAt(x[pc]!, prev, next)) continue;
        mark[pc] = gen;
        stack[sp++] = pc;
      }
    }
    return gen;
  }

  /** The state before `st` over class `c` (the character before its position; the edge class at the text's start). */
  step(st: number, c: number): number {
    const mc = this.mc;
    const s = this.s;
    const prev = mc.alpha.flags[c]!;
    const gen = this.reach(st, prev);
    let info = mc.mark[0] === gen ? STARTS : 0;
    const out = mc.list;
    let count = 0;
    if (c !== mc.alpha.edge) {
      for (let i = 0; i < mc.chars.length; i++) {
        const pc = mc.chars[i]!;
        if (mc.mark[pc + 1] === gen && mc.takes(pc, c)) out[count++] = pc;
      }
    }
    if (count === 0) info |= DEAD;
    let reset = false;
    if (s.full(count)) {
      this.reset();
      reset = true;
    }
    const t = s.intern(out, count, mc.hasAssert ? prev : 0, info);
    if (!reset) s.trans[st * s.stride + c] = t * s.stride * 4 + info;
    return t;
  }

  /**
   * The guided walk's choice at a position in state `st` from instruction `q`, the character before
   * of flags `prev`: the first instruction of `st`'s set (or the match) in priority order, and the
   * capture slots on the way, as `walkTab` holds it (0: none, the walk lost its way).
   */
  choice(st: number, q: number, prev: number): number {
    const mc = this.mc;
    const key = st * this.rowLen + q * (mc.hasAssert ? 8 : 1) + (mc.seesAssert[q] === 1 ? prev : 0);
    if (this.walkTab.length < (st + 1) * this.rowLen) {
      const bigger = new Int32Array(Math.max((st + 1) * this.rowLen, 2 * this.walkTab.length));
      bigger.set(this.walkTab);
      this.walkTab = bigger;
    }
    const known = this.walkTab[key]!;
    if (known !== 0) return known;
    const s = this.s;
    const { op, x, y, mark, stack } = mc;
    // The set's members, marked.
    const inSet = mc.nextGen();
    const at = s.at[st]!, len = s.len[st]!;
    for (let i = 0; i < len; i++) mark[s.pool[at + i]!] = inSet;
    const next = s.flags[st]!;
    // A depth-first search in priority order, each instruction once; `saves` the path's capture slots.
    const saves = mc.list2;
    const seen = new Uint8Array(mc.m);
    let nSaves = 0, sp = 0, chosen = -2;
    stack[sp++] = q;
    stack[sp++] = 0;
    search: while (sp > 0) {
      nSaves = stack[--sp]!;
      let pc = stack[--sp]!;
      for (;;) {
        if (seen[pc]) break;
        seen[pc] = 1;
        const o = op[pc]!;
        if (o === OP_JMP) pc = x[pc]!;
        else if (o === OP_SPLIT) {
          stack[sp++] = y[pc]!;
          stack[sp++] = nSaves;
          pc = x[pc]!;
        } else if (o === OP_SAVE) {
          saves[nSaves++] = x[pc]!;
          pc++;
        } else if (o === OP_ASSERT) {
          if (!holdsAt(x[pc]!, prev, next)) break;
          pc++;
        } else {
          if (mark[pc] === inSet) {
            chosen = o === OP_MATCH ? -1 : pc;
            break search;
          }
          break;
        }
      }
    }
    if (chosen === -2) return 0;
    if (nSaves === 0) return (this.walkTab[key] = -(chosen + 2));
    while (this.resultsLen + 2 + nSaves > this.results.length) this.results = grow32(this.results, this.results.length * 2);
    const r = this.resultsLen;
    this.results[r] = chosen;
    this.results[r + 1] = nSaves;
    this.results.set(saves.subarray(0, nSaves), r + 2);
    this.resultsLen += 2 + nSaves;
    return (this.walkTab[key] = r + 1);
  }
}

/**
 * RE2's one-pass matching, decided per character as it comes: from an instruction, over a class of
 * character (and the flags of the one before), the first of the ways on in priority order (a
 * character instruction taking it, or the match) and the captures on the way are cached; when a
 * second character instruction also takes it, the search is not one-pass and the three passes
 * answer instead. A match reachable below the way taken is remembered with its captures: when the
 * way taken dies, it is the answer (the alternative nearest the failure comes first).
 */
class OnePass {
  /** Per (instruction, class, flags of the character before): 0 not built, else an action (`act`). */
  table: Int32Array;
  readonly ctx: number;
  readonly usable: boolean;
  /** Actions with captures: [choice, count, slots…, fallback count (-1: none), slots…]. */
  pool = new Int32Array(256);
  poolLen = 0;
  private fallback: Int32Array;

  constructor(readonly mc: Machine) {
    this.ctx = mc.hasAssert ? 8 : 1;
    const size = (mc.m + 1) * mc.alpha.stride * this.ctx;
    this.usable = size <= 1 << 20;
    this.table = new Int32Array(this.usable ? size : 0);
    this.fallback = new Int32Array(2 * (mc.p.groups + 1));
  }

  /** Builds the action of `q` over class `c`: -1 two ways on, -2 none, ≤ -3 the choice -(v + 4) with no captures, else 1 + index in `pool`. */
  private build(q: number, c: number, prev: number): number {
    const mc = this.mc;
    const { op, x, y, stack } = mc;
    const next = mc.alpha.flags[c]!;
    const seen = new Uint8Array(mc.m);
    const saves = mc.list, matchSaves = mc.list2;
    let nSaves = 0, sp = 0, chosen = -2, nChosen = 0, nMatch = -1;
    stack[sp++] = q;
    stack[sp++] = 0;
    while (sp > 0) {
      let n = stack[--sp]!;
      let pc = stack[--sp]!;
      for (;;) {
        if (seen[pc]) break;
        seen[pc] = 1;
        const o = op[pc]!;
        if (o === OP_JMP) pc = x[pc]!;
        else if (o === OP_SPLIT) {
          stack[sp++] = y[pc]!;
          stack[sp++] = n;
          pc = x[pc]!;
        } else if (o === OP_SAVE) {
          // (The path's saves go on from its split's count: a branch that failed leaves none.)
          (chosen === -2 ? saves : matchSaves)[n++] = x[pc]!;
          pc++;
        } else if (o === OP_ASSERT) {
          if (!holdsAt(x[pc]!, prev, next)) break;
          pc++;
        } else if (o === OP_MATCH) {
          // The first way on is the match (it wins), or a match to fall back on (the ways below it never count).
          if (chosen === -2) {
            chosen = -1;
            nChosen = n;
          } else nMatch = n;
          sp = 0;
          break;
        } else {
          if (c !== mc.alpha.edge && mc.takes(pc, c)) {
            if (chosen !== -2) return -1;
            chosen = pc;
            nChosen = n;
            // The ways below share the saves of the path up to where they leave it.
            matchSaves.set(saves.subarray(0, n));
          }
          break;
        }
      }
    }
    if (chosen === -2) return -2;
    if (nChosen === 0 && nMatch < 0) return -(chosen + 4);
    while (this.poolLen + 3 + nChosen + Math.max(nMatch, 0) > this.pool.length) this.pool = grow32(this.pool, this.pool.length * 2);
    const r = this.poolLen;
    const pool = this.pool;
    pool[r] = chosen;
    pool[r + 1] = nChosen;
    pool.set(saves.subarray(0, nChosen), r + 2);
    pool[r + 2 + nChosen] = nMatch;
    if (nMatch > 0) pool.set(matchSaves.subarray(0, nMatch), r + 3 + nChosen);
    this.poolLen += 3 + nChosen + Math.max(nMatch, 0);
    return r + 1;
  }

  /** The match starting at `from` into `caps`: true, false for none, undefined when not one-pass here. */
  run(text: string, from: number, caps: Int32Array, slots: number): boolean | undefined {
    const mc = this.mc;
    const alpha = mc.alpha;
    const ascii = alpha.ascii, flags = alpha.flags, edge = alpha.edge;
    const stride = alpha.stride;
    const ctx = this.ctx;
    const asserts = ctx > 1;
    const len = text.length;
    const fallback = this.fallback;
    const table = this.table;
    const seesAssert = mc.seesAssert;
    let hasFallback = false;
    let prev = asserts ? (from > 0 ? flagsOf(mc, cpBefore(text, from)) : F_EDGE) : 0;
    let q = 0;
    let i = from;
    for (;;) {
      // ASCII over built actions that take a character and save nothing, in a tight loop.
      while (i < len) {
        const u = text.charCodeAt(i);
        if (u >= 128) break;
        const c = ascii[u]!;
        const v = table[(q * stride + c) * ctx + (seesAssert[q] === 1 ? prev : 0)]!;
        if (v > -4) break;
        if (asserts) prev = flags[c]!;
        q = -v - 3;
        i++;
      }
      let c: number, w = 1;
      if (i < len) {
        const u = text.charCodeAt(i);
        if (u < 128) c = ascii[u]!;
        else {
          const cp = text.codePointAt(i)!;
          if (cp > 0xffff) w = 2;
          c = alpha.classOf(cp);
          if (c < 0) return undefined;
        }
      } else c = edge;
      const key = (q * stride + c) * ctx + (seesAssert[q] === 1 ? prev : 0);
      let v = table[key]!;
      if (v === 0) v = table[key] = this.build(q, c, prev);
      let chosen: number;
      if (v <= -3) chosen = -v - 4;
      else if (v > 0) {
        const pool = this.pool;
        const r = v - 1;
        chosen = pool[r]!;
        const n = pool[r + 1]!;
        const m = pool[r + 2 + n]!;
        if (m >= 0) {
          // A match below the way taken: the answer should that way die.
          fallback.set(caps);
          for (let k = 0; k < m; k++) {
            const slot = pool[r + 3 + n + k]!;
            if (slot < slots) fallback[slot] = i;
          }
          fallback[0] = from;
          fallback[1] = i;
          hasFallback = true;
        }
        for (let k = 0; k < n; k++) {
          const slot = pool[r + 2 + k]!;
          if (slot < slots) caps[slot] = i;
        }
      } else if (v === -1) return undefined;
      else {
        if (!hasFallback) return false;
        caps.set(fallback);
        return true;
      }
      if (chosen < 0) {
        caps[0] = from;
        caps[1] = i;
        return true;
      }
      if (asserts) prev = flags[c]!;
      q = chosen + 1;
      i += w;
    }
  }
}

/**
 * How many programs keep their DFAs' caches: the regex cache holds 256 programs (a pattern taken from
 * a column makes one per distinct pattern), and a program's caches are ~0.8 MB after one search of a
 * log line with a log pattern (up to ~10 MB for a large one), so 256 of them held 215 MB. Past these,
 * the least recently searched drops its caches (built again should it be searched again).
 */
const MAX_LIVE_MACHINES = 16;
const live: Machine[] = [];
let searchClock = 0;

function machineOf(p: Program): Machine | null {
  let mc = p.dfa as Machine | null | undefined;
  if (mc === undefined) mc = p.dfa = p.op.length > MAX_DFA_PROGRAM ? null : new Machine(p);
  if (mc !== null) {
    mc.used = ++searchClock;
    if (!mc.live) {
      mc.live = true;
      live.push(mc);
      if (live.length > MAX_LIVE_MACHINES) {
        let oldest = 0;
        for (let i = 1; i < live.length; i++) if (live[i]!.used < live[oldest]!.used) oldest = i;
        const old = live[oldest]!;
        live.splice(oldest, 1);
        old.live = false;
        old.forward = null;
        old.backward = null;
        old.onePass = null;
      }
    }
  }
  return mc;
}

/** The DFA gave up on this search (its cache kept filling, or the text has too many kinds of characters): ask another engine. */
export const GAVE_UP = Symbol("gave up");

let positions = new Int32Array(1024);
const noCaptures = new Int32Array(0);

/** The flags of code point `cp` for assertions (word character, newline). */
function flagsOf(mc: Machine, cp: number): number {
  if (cp < 128) return mc.alpha.flags[mc.alpha.ascii[cp]!]!;
  const c = mc.alpha.classOf(cp);
  return c < 0 ? (mc.p.word(cp) ? F_WORD : 0) : mc.alpha.flags[c]!;
}

/**
 * The leftmost-first match of `p` in `text` from `from` (sticky: starting there), as pike.ts's
 * `runProgram` answers it: the capture positions (an array the next search reuses; "span": only
 * the whole match's), `noCaptures` for a match when `captures` is false, null for none, or GAVE_UP.
 */
export function dfaSearch(p: Program, text: string, from: number, sticky: boolean, captures: boolean | "span"): Int32Array | null | typeof GAVE_UP {
  const mc = machineOf(p);
  if (mc === null) return GAVE_UP;
  mc.searches++;
  if (mc.gaveUp > 16 && mc.gaveUp * 4 > mc.searches) return GAVE_UP;
  const len = text.length;
  // A search from between a surrogate pair's halves reads the low half alone, which the backward pass would not.
  if (from > 0 && from < len && (text.charCodeAt(from) & 0xfc00) === 0xdc00 && (text.charCodeAt(from - 1) & 0xfc00) === 0xd800) return GAVE_UP;
  const anchored = sticky || p.anchored;
  const slots = 2 * (p.groups + 1);
  // Anchored, with captures: one walk from the start when at every position one way at most goes on.
  if (anchored && captures && (mc.onePassFailed < 8 || mc.onePassFailed * 2 < mc.onePassTried)) {
    const op = (mc.onePass ??= new OnePass(mc));
    if (op.usable) {
      mc.onePassTried++;
      const caps = mc.caps.fill(-1);
      const found = op.run(text, from, caps, slots);
      if (found !== undefined) return found ? caps : null;
      mc.onePassFailed++;
    }
  }
  const end = firstEnd(mc, text, from, anchored, !captures);
  if (end === -2) return giveUp(mc);
  if (end < 0) return null;
  if (!captures) return noCaptures;
  // The backward pass keeps a state per position: past MAX_POSITIONS the Pike VM finds the submatches.
  if (len >= MAX_POSITIONS) return GAVE_UP;
  const fd = (mc.backward ??= new BackwardDfa(mc));
  // Room for this search's states: a cache clear during it would void the positions' states.
  if (fd.s.maxStates < 16) return giveUp(mc);
  if (fd.s.n * 2 > fd.s.maxStates || fd.s.poolLen * 2 > MAX_POOL) fd.reset();
  const resets = fd.s.resets;
  const start = liveBack(mc, fd, text, from, end);
  if (start < 0 || fd.s.resets !== resets) return giveUp(mc);
  const caps = mc.caps.fill(-1);
  caps[0] = start;
  caps[1] = end;
  if (p.groups > 0 && captures !== "span" && !walk(mc, fd, text, start, end, caps, slots)) return giveUp(mc);
  if (fd.s.resets !== resets) return giveUp(mc);
  return caps;
}

function giveUp(mc: Machine): typeof GAVE_UP {
  mc.gaveUp++;
  return GAVE_UP;
}

/** Where the leftmost-first match ends (the first match's end when `earliest`), -1 for none, -2 when the DFA gave up. */
function firstEnd(mc: Machine, text: string, from: number, anchored: boolean, earliest: boolean): number {
  const dfa = mc.forward ??= new ForwardDfa(mc);
  const s = dfa.s;
  const resets = s.resets;
  const alpha = mc.alpha;
  const ascii = alpha.ascii;
  const edge = alpha.edge;
  const stride = s.stride;
  const len = text.length;
  const prevFlags = from > 0 ? flagsOf(mc, cpBefore(text, from)) : F_EDGE;
  let row = dfa.start(anchored, prevFlags) * stride;
  let trans = s.trans;
  let last = -1;
  let i = from;
  for (;;) {
    // ASCII through built states that neither match nor die: the common case, in a tight loop.
    while (i < len) {
      const u = text.charCodeAt(i);
      if (u >= 128) break;
      const v = trans[row + ascii[u]!]!;
      if ((v & 0x80000003) !== 0) break;
      row = v >> 2;
      i++;
    }
    let c: number, w = 1;
    if (i < len) {
      const u = text.charCodeAt(i);
      if (u < 128) c = ascii[u]!;
      else {
        const cp = text.codePointAt(i)!;
        if (cp > 0xffff) w = 2;
        c = alpha.classOf(cp);
        if (c < 0) return -2;
      }
    } else c = edge;
    let v = trans[row + c]!;
    if (v < 0) {
      const t = dfa.step(row / stride, c);
      if (s.resets !== resets && (s.resets - resets > MAX_RESETS || i - from < MIN_CHARS_PER_STATE * s.maxStates * (s.resets - resets))) return -2;
      trans = s.trans;
      v = t * stride * 4 + s.info[t]!;
    }
    if ((v & 3) !== 0) {
      if (v & MATCHED) {
        last = i;
        if (earliest) return i;
      }
      if (v & DEAD) return last;
    }
    if (i >= len) return last;
    row = v >> 2;
    i += w;
  }
}

/** The code point before UTF-16 index `at` (a surrogate pair read as one). */
function cpBefore(text: string, at: number): number {
  const c = text.charCodeAt(at - 1);
  if ((c & 0xfc00) === 0xdc00 && at >= 2 && (text.charCodeAt(at - 2) & 0xfc00) === 0xd800) return text.codePointAt(at - 2)!;
  return c;
}

/** The backward pass from `end`: each position's state into `positions`, and the leftmost start (-1: none found). */
function liveBack(mc: Machine, fd: BackwardDfa, text: string, from: number, end: number): number {
  const alpha = mc.alpha;
  const ascii = alpha.ascii;
  const len = text.length;
  if (positions.length < len + 1) positions = new Int32Array(Math.max(len + 1, positions.length * 2));
  const pos = positions;
  const s = fd.s;
  const stride = s.stride;
  let row = fd.end(end < len ? flagsOf(mc, text.codePointAt(end)!) : F_EDGE) * stride;
  let trans = s.trans;
  let start = -1;
  let i = end;
  for (;;) {
    // ASCII through built states where no match starts and the set lives on, in a tight loop.
    while (i > from) {
      const u = text.charCodeAt(i - 1);
      if (u >= 128) break;
      const v = trans[row + ascii[u]!]!;
      if ((v & 0x80000003) !== 0) break;
      pos[i] = row;
      row = v >> 2;
      i--;
    }
    pos[i] = row;
    let c: number, w = 1;
    if (i > 0) {
      const u = text.charCodeAt(i - 1);
      if (u < 128) c = ascii[u]!;
      else {
        const cp = cpBefore(text, i);
        if (cp > 0xffff) w = 2;
        c = alpha.classOf(cp);
        if (c < 0) return -1;
      }
    } else c = alpha.edge;
    let v = trans[row + c]!;
    if (v < 0) {
      const t = fd.step(row / stride, c);
      trans = s.trans;
      v = t * stride * 4 + s.info[t]!;
    }
    if (v & STARTS) start = i;
    if (i <= from || v & DEAD) return start;
    row = v >> 2;
    i -= w;
  }
}

/** The guided walk from `start` to `end` filling `caps`; false when it lost its way (a cache clear). */
function walk(mc: Machine, fd: BackwardDfa, text: string, start: number, end: number, caps: Int32Array, slots: number): boolean {
  const pos = positions;
  const asserts = mc.hasAssert;
  let prev = asserts && start > 0 ? flagsOf(mc, cpBefore(text, start)) : F_EDGE;
  let q = 0;
  let i = start;
  const ctx = asserts ? 8 : 1;
  const rowLen = fd.rowLen;
  const stride = fd.s.stride;
  const ascii = mc.alpha.ascii, flags = mc.alpha.flags;
  const seesAssert = mc.seesAssert;
  let tab = fd.walkTab;
  for (;;) {
    // ASCII over cached choices of a character with no capture on the way, in a tight loop.
    while (i < end) {
      const u = text.charCodeAt(i);
      if (u >= 128) break;
      const key = ((pos[i]! / stride) | 0) * rowLen + q * ctx + (seesAssert[q] === 1 ? prev : 0);
      const v = key < tab.length ? tab[key]! : 0;
      if (v > -2) break;
      if (asserts) prev = flags[ascii[u]!]!;
      q = -v - 1;
      i++;
    }
    // The choice cached for this (state, instruction, character before), else made.
    const key = ((pos[i]! / stride) | 0) * rowLen + q * ctx + (seesAssert[q] === 1 ? prev : 0);
    let v = key < tab.length ? tab[key]! : 0;
    if (v === 0) {
      v = fd.choice((pos[i]! / stride) | 0, q, prev);
      if (v === 0) return false;
      tab = fd.walkTab;
    }
    let chosen: number;
    if (v < 0) chosen = -v - 2;
    else {
      const results = fd.results;
      const r = v - 1;
      const n = results[r + 1]!;
      for (let k = 0; k < n; k++) {
        const slot = results[r + 2 + k]!;
        if (slot < slots) caps[slot] = i;
      }
      chosen = results[r]!;
    }
    if (chosen < 0) return i === end;
    if (i >= end) return false;
    const u = text.charCodeAt(i);
    if (u < 128) {
      if (asserts) prev = flags[ascii[u]!]!;
      i++;
    } else {
      const cp = text.codePointAt(i)!;
      if (asserts) prev = flagsOf(mc, cp);
      i += cp > 0xffff ? 2 : 1;
    }
    q = chosen + 1;
  }
}
