/**
 * A linear-time regular expression engine for the patterns a backtracking engine (V8's
 * irregexp) can take exponential time on: `(a+)+`, `(\w+\s?)*`, `(a|ab)*`. It reads the JS
 * source `translateRe2` (pattern.ts) writes — literals, classes, `\p{..}`, anchors `^ $ \b \B`
 * and the two line assertions of RE2's (?m), groups, alternation, `* + ? {n,m}` greedy or lazy —
 * and runs it as a Pike VM (a Thompson NFA simulation whose threads keep their priority), which
 * finds the leftmost match and, among those, the one a backtracking engine prefers, with its
 * submatches, in time linear in the text times the pattern's size.
 *
 * `linearRegExp` returns a RegExp whose `exec` is the VM's: `test`, `String#replace` and the
 * callers' walks with `lastIndex` and the global flag all go through it.
 */

/** One parsed piece of the pattern. */
export type Node =
  | { t: "char"; src: string }
  | { t: "cat"; items: Node[] }
  | { t: "alt"; alts: Node[] }
  | { t: "group"; cap: number | null; body: Node }
  | { t: "rep"; min: number; max: number; greedy: boolean; body: Node }
  | { t: "assert"; kind: Assertion };

type Assertion = "start" | "end" | "word" | "nonword" | "lineStart" | "lineEnd";

/** The zero-width groups `translateRe2` writes, by their exact text. */
const assertionGroups: [string, Assertion][] = [
  ["(?:^)", "start"], ["(?:$)", "end"], ["(?:\\b)", "word"], ["(?:\\B)", "nonword"],
  ["(?:(?<=^|\\n))", "lineStart"], ["(?:(?=\\n|$))", "lineEnd"],
];

/** Parses a `translateRe2` source; throws on anything outside the subset it writes. */
export function parsePattern(source: string): { node: Node; groups: number } {
  let i = 0;
  let groups = 0;
  const n = source.length;
  const fail = (): never => {
    throw new Error(`pike: cannot read the pattern at ${i}: ${source}`);
  };

  const escapeEnd = (k: number): number => {
    // `k` is at a backslash: the end of the escape.
    const c = source[k + 1];
    if (c === undefined) fail();
    if ((c === "u" || c === "p" || c === "P") && source[k + 2] === "{") {
      const close = source.indexOf("}", k + 3);
      if (close < 0) fail();
      return close + 1;
    }
    return k + 1 + String.fromCodePoint(source.codePointAt(k + 1)!).length;
  };

  const parseAlt = (): Node => {
    const alts: Node[] = [parseCat()];
    while (source[i] === "|") {
      i++;
      alts.push(parseCat());
    }
    return alts.length === 1 ? alts[0]! : { t: "alt", alts };
  };

  const parseCat = (): Node => {
    const items: Node[] = [];
    while (i < n && source[i] !== "|" && source[i] !== ")") {
      let atom = parseAtom();
      for (;;) {
        const q = /^(?:([*+?])|\{(\d+)(?:(,)(\d*))?\})(\??)/.exec(source.slice(i, i + 24));
        if (!q) break;
        i += q[0].length;
        let min: number, max: number;
        if (q[1]) {
          min = q[1] === "+" ? 1 : 0;
          max = q[1] === "?" ? 1 : Infinity;
        } else {
          min = Number(q[2]);
          max = q[3] === undefined ? min : q[4] === "" ? Infinity : Number(q[4]);
        }
        atom = { t: "rep", min, max, greedy: q[5] !== "?", body: atom };
      }
      items.push(atom);
    }
    return items.length === 1 ? items[0]! : { t: "cat", items };
  };

  const parseAtom = (): Node => {
    const c = source[i]!;
    if (c === "(") {
      for (const [text, kind] of assertionGroups) {
        if (source.startsWith(text, i)) {
          i += text.length;
          return { t: "assert", kind };
        }
      }
      let cap: number | null = null;
      if (source.startsWith("(?:", i)) i += 3;
      else if (source[i + 1] === "?") fail();
      else {
        cap = ++groups;
        i++;
      }
      const body = parseAlt();
      if (source[i] !== ")") fail();
      i++;
      return { t: "group", cap, body };
    }
    if (c === "^") { i++; return { t: "assert", kind: "start" }; }
    if (c === "$") { i++; return { t: "assert", kind: "end" }; }
    if (c === "[") {
      const start = i;
      i++;
      if (source[i] === "^") i++;
      while (i < n && source[i] !== "]") i = source[i] === "\\" ? escapeEnd(i) : i + 1;
      if (i >= n) fail();
      i++;
      return { t: "char", src: source.slice(start, i) };
    }
    if (c === "\\") {
      const next = source[i + 1];
      if (next === "b" || next === "B") { i += 2; return { t: "assert", kind: next === "b" ? "word" : "nonword" }; }
      const start = i;
      i = escapeEnd(i);
      return { t: "char", src: source.slice(start, i) };
    }
    if ("*+?{})]|".includes(c)) fail();
    const cp = source.codePointAt(i)!;
    i += cp > 0xffff ? 2 : 1;
    return { t: "char", src: String.fromCodePoint(cp) };
  };

  const node = parseAlt();
  if (i !== n) fail();
  return { node, groups };
}

/**
 * True when a repetition or alternation of `node` can make a backtracking engine take exponential
 * time: a repetition of something of varying length (`(a+)+`), a repeated alternation whose
 * branches can start alike (`(a|ab)*`), or three or more unbounded repetitions in a row that can
 * share the text between them (`.*a.*b.*c`, `\w+\d+\w+x`: O(n³) or worse; `sharesText`). Two
 * (`.*error.*`, `^(.*):(.*)$`) are O(n²) on a text that does not match and stay on V8's engine:
 * such patterns are common, and this engine took ~0.35 ms for a 200-character event where V8 takes
 * microseconds. `ignoreCase`: the pattern's `i` flag.
 */
export function backtracksBadly(node: Node, ignoreCase = false): boolean {
  return backtrackingCost(node, ignoreCase) !== null;
}

/**
 * How a backtracking engine's time can grow on `node`: "exponential" (`(a+)+`, `(a|ab)*`), a polynomial
 * degree of 3 or more (a chain of repetitions sharing text, `chainDegree`), or null when it stays low.
 */
export function backtrackingCost(node: Node, ignoreCase = false): "exponential" | number | null {
  if (backtracksExponentially(node)) return "exponential";
  const first = flatten(node)[0];
  const degree = chainDegree(node, ignoreCase, first?.t === "assert" && first.kind === "start");
  return degree >= 3 ? degree : null;
}

function backtracksExponentially(node: Node): boolean {
  const varies = (x: Node): boolean => {
    switch (x.t) {
      case "rep": return x.min !== x.max || varies(x.body);
      case "cat": return x.items.some(varies);
      case "alt": return x.alts.some(varies);
      case "group": return varies(x.body);
      default: return false;
    }
  };
  const visit = (x: Node, repeated: boolean): boolean => {
    switch (x.t) {
      case "rep": {
        const loops = x.max > 1;
        // A repetition of something that itself varies in length: star height 2 (`(a+)+`, `(\w+\s?)*`).
        if (loops && varies(x.body)) return true;
        return visit(x.body, repeated || loops);
      }
      case "cat": return x.items.some((y) => visit(y, repeated));
      case "group": return visit(x.body, repeated);
      case "alt":
        // A repeated alternation whose branches can start alike (`(a|ab)*`, `(\w|\d)+`, `(a|)*`).
        if (repeated && overlaps(x.alts)) return true;
        return x.alts.some((y) => visit(y, repeated));
      default: return false;
    }
  };
  return visit(node, false);
}

/** Characters to try two one-character classes on: ASCII and a few that fold, space or are letters elsewhere. */
const samples: number[] = [...Array.from({ length: 128 }, (_, k) => k), 0xa0, 0xdf, 0xe9, 0x130, 0x17f, 0x212a, 0x3a3, 0x3c3, 0x663, 0x2028, 0x4e2d, 0xfeff, 0xff10, 0x1f600];

/** Whether two one-character pieces of source (a literal, a class, an escape) can match the same character. */
function overlapChars(a: string, b: string, ignoreCase: boolean): boolean {
  const flags = ignoreCase ? "iu" : "u";
  const ra = new RegExp(`^(?:${a})$`, flags), rb = new RegExp(`^(?:${b})$`, flags);
  return samples.some((cp) => {
    const ch = String.fromCodePoint(cp);
    return ra.test(ch) && rb.test(ch);
  });
}

/** `x` seen through groups as a sequence of pieces (a group's sequence spliced in). */
function flatten(x: Node): Node[] {
  if (x.t === "group") return flatten(x.body);
  if (x.t === "cat") return x.items.flatMap(flatten);
  return [x];
}

/** The one-character piece a repetition repeats (through groups), or null. */
function repeatedChar(x: Node): string | null {
  let body = x.t === "rep" ? x.body : null;
  while (body?.t === "group") body = body.body;
  return body?.t === "char" ? body.src : null;
}

/**
 * The degree of the polynomial a backtracking search can take on a chain of unbounded repetitions that
 * can share text (`.*a.*b.*c`: each can eat what follows it up to the next): the chain's repetitions,
 * plus one for an unanchored search, which tries every start. 0 when there is no chain worth one:
 * below 3, or unanchored with nothing after the chain that can fail (`.*error.*` always succeeds there).
 */
function chainDegree(node: Node, ignoreCase: boolean, anchored: boolean): number {
  let degree = 0;
  const inSequence = (items: Node[]): void => {
    for (let i = 0; i < items.length; i++) {
      const r = items[i]!;
      const rc = r.t === "rep" && r.max === Infinity ? repeatedChar(r) : null;
      if (rc === null) continue;
      let chained = 0;
      for (let j = i + 1; j < items.length; j++) {
        const x = items[j]!;
        if (x.t === "assert") continue;
        if (x.t === "char") {
          if (!overlapChars(rc, x.src, ignoreCase)) break;
          continue;
        }
        const xc = x.t === "rep" ? repeatedChar(x) : null;
        if (x.t !== "rep" || xc === null) break;
        if (overlapChars(rc, xc, ignoreCase)) {
          // Unanchored, the search tries every start: two such repetitions followed by something that
          // can fail are O(n³) (`\d+\d+x`, `\s*\s*$`, `.*a.*b`); anchored, it takes three.
          if (x.max === Infinity && ++chained >= (anchored ? 2 : 1) && (anchored || items.slice(j + 1).some((y) => !(y.t === "rep" && y.min === 0)))) {
            degree = Math.max(degree, chained + 1 + (anchored ? 0 : 1));
          }
        } else if (x.min > 0) break;
      }
    }
  };
  const visit = (x: Node): void => {
    switch (x.t) {
      case "cat": case "group": {
        const items = flatten(x);
        inSequence(items);
        for (const y of items) if (y.t !== "char" && y.t !== "assert") visit(y);
        return;
      }
      case "alt": for (const y of x.alts) visit(y); return;
      case "rep": visit(x.body); return;
      default: return;
    }
  };
  visit(node);
  return degree;
}

/** The first character of every branch, when each is one literal character and they all differ; else the branches may overlap. */
function overlaps(alts: Node[]): boolean {
  const seen = new Set<string>();
  for (const a of alts) {
    const c = firstLiteral(a);
    if (c === null) return true;
    const key = c.toLowerCase();
    if (seen.has(key) || c.toUpperCase().toLowerCase() !== key) return true;
    seen.add(key);
  }
  return false;
}

/** The plain literal character a node must start with (not a class, not an escape), or null. */
function firstLiteral(x: Node): string | null {
  switch (x.t) {
    case "char": return /^[\p{L}\p{N} !"#%&',\-:;<=>@_`~]$/u.test(x.src) && x.src.toLowerCase() === x.src.toUpperCase().toLowerCase() ? x.src : null;
    case "cat": return x.items.length > 0 ? firstLiteral(x.items[0]!) : null;
    case "group": return firstLiteral(x.body);
    case "rep": return x.min > 0 ? firstLiteral(x.body) : null;
    default: return null;
  }
}

type Inst =
  | { op: "char"; test: (cp: number) => boolean }
  | { op: "split"; x: number; y: number }
  | { op: "jmp"; x: number }
  | { op: "save"; n: number }
  | { op: "assert"; kind: Assertion }
  | { op: "match" };

/** More instructions than this and the pattern is refused (a `{n,m}` nest expanded). */
const MAX_PROGRAM = 200_000;

function compile(node: Node, ignoreCase: boolean): Inst[] {
  const prog: Inst[] = [];
  const preds = new Map<string, (cp: number) => boolean>();
  const predicate = (src: string): ((cp: number) => boolean) => {
    let p = preds.get(src);
    if (p) return p;
    // One character tested as JS tests it, `i` flag and all; the answers cached per code point.
    const re = new RegExp(`^(?:${src})$`, ignoreCase ? "iu" : "u");
    const ascii = new Int8Array(128);
    const other = new Map<number, boolean>();
    p = (cp) => {
      if (cp < 128) {
        let v = ascii[cp]!;
        if (v === 0) ascii[cp] = v = re.test(String.fromCharCode(cp)) ? 1 : -1;
        return v === 1;
      }
      let v = other.get(cp);
      if (v === undefined) {
        v = re.test(String.fromCodePoint(cp));
        if (other.size < 4096) other.set(cp, v);
      }
      return v;
    };
    preds.set(src, p);
    return p;
  };
  const emit = (inst: Inst): number => {
    if (prog.length >= MAX_PROGRAM) throw new RangeError("pike: program too large");
    prog.push(inst);
    return prog.length - 1;
  };
  const gen = (x: Node): void => {
    switch (x.t) {
      case "char": emit({ op: "char", test: predicate(x.src) }); return;
      case "assert": emit({ op: "assert", kind: x.kind }); return;
      case "cat": for (const y of x.items) gen(y); return;
      case "group":
        if (x.cap !== null) emit({ op: "save", n: 2 * x.cap });
        gen(x.body);
        if (x.cap !== null) emit({ op: "save", n: 2 * x.cap + 1 });
        return;
      case "alt": {
        const jumps: number[] = [];
        x.alts.forEach((a, k) => {
          if (k < x.alts.length - 1) {
            // Each branch before the last: a split preferring it, then a jump past the rest.
            const split = emit({ op: "split", x: 0, y: 0 });
            gen(a);
            jumps.push(emit({ op: "jmp", x: 0 }));
            setSplit(prog[split]!, split + 1, prog.length, true);
          } else gen(a);
        });
        for (const j of jumps) (prog[j] as { x: number }).x = prog.length;
        return;
      }
      case "rep": {
        if (x.max === Infinity) {
          // As RE2 compiles them: x{n,} is x{n-1} then x+ (a body, then a split back to it), and
          // x* is (x+)?, so a pass through a body that matched nothing still counts (`(a*)*` on
          // '' sets group 1 to '').
          for (let k = 1; k < x.min; k++) gen(x.body);
          const entry = x.min === 0 ? emit({ op: "split", x: 0, y: 0 }) : -1;
          const body = prog.length;
          gen(x.body);
          const back = emit({ op: "split", x: 0, y: 0 });
          setSplit(prog[back]!, body, prog.length, x.greedy);
          if (entry >= 0) setSplit(prog[entry]!, body, prog.length, x.greedy);
        } else {
          for (let k = 0; k < x.min; k++) gen(x.body);
          const splits: number[] = [];
          for (let k = x.min; k < x.max; k++) {
            splits.push(emit({ op: "split", x: 0, y: 0 }));
            gen(x.body);
          }
          for (const s of splits) setSplit(prog[s]!, s + 1, prog.length, x.greedy);
        }
        return;
      }
    }
  };
  gen(node);
  emit({ op: "match" });
  return prog;
}

function setSplit(inst: Inst, body: number, out: number, greedy: boolean): void {
  const s = inst as { x: number; y: number };
  s.x = greedy ? body : out;
  s.y = greedy ? out : body;
}

/** A compiled pattern: the program and its number of capture groups. */
export interface Program {
  prog: Inst[];
  groups: number;
  word: (cp: number) => boolean;
  /** Whether every match starts at the text's start (the first instruction asserts it). */
  anchored: boolean;
}

export function compileProgram(source: string, ignoreCase: boolean): Program {
  const { node, groups } = parsePattern(source);
  const wordRe = new RegExp("^\\w$", ignoreCase ? "iu" : "u");
  const prog = compile(node, ignoreCase);
  const first = prog[0];
  return { prog, groups, word: (cp) => cp >= 0 && wordRe.test(String.fromCodePoint(cp)), anchored: first?.op === "assert" && first.kind === "start" };
}

/**
 * The leftmost, highest-priority match of `p` in `text` starting the search at `from` (a UTF-16
 * index): the capture positions (start, end per group, -1 where unset), or null.
 */
export function runProgram(p: Program, text: string, from: number, sticky = false): number[] | null {
  const { prog, groups } = p;
  const slots = 2 * (groups + 1);
  const len = text.length;
  const mark = new Int32Array(prog.length).fill(-1);
  let clist: { pc: number; caps: number[] }[] = [];
  let nlist: { pc: number; caps: number[] }[] = [];
  let listId = 0;
  let matched: number[] | null = null;

  const cpBefore = (at: number): number => {
    if (at <= 0) return -1;
    const c = text.charCodeAt(at - 1);
    if (c >= 0xdc00 && c <= 0xdfff && at >= 2) {
      const h = text.charCodeAt(at - 2);
      if (h >= 0xd800 && h <= 0xdbff) return text.codePointAt(at - 2)!;
    }
    return c;
  };
  const holds = (kind: Assertion, at: number): boolean => {
    switch (kind) {
      case "start": return at === 0;
      case "end": return at === len;
      case "lineStart": return at === 0 || text.charCodeAt(at - 1) === 10;
      case "lineEnd": return at === len || text.charCodeAt(at) === 10;
      case "word":
      case "nonword": {
        const a = p.word(cpBefore(at));
        const b = at < len && p.word(text.codePointAt(at)!);
        return (a !== b) === (kind === "word");
      }
    }
  };

  // Adds a thread and everything it reaches without reading a character, in priority order.
  const stack: { pc: number; caps: number[] }[] = [];
  const add = (list: { pc: number; caps: number[] }[], id: number, pc0: number, caps0: number[], at: number): void => {
    stack.push({ pc: pc0, caps: caps0 });
    while (stack.length > 0) {
      let { pc, caps } = stack.pop()!;
      for (;;) {
        if (mark[pc] === id) break;
        mark[pc] = id;
        const inst = prog[pc]!;
        if (inst.op === "jmp") { pc = inst.x; continue; }
        if (inst.op === "split") {
          stack.push({ pc: inst.y, caps });
          pc = inst.x;
          continue;
        }
        if (inst.op === "save") {
          caps = caps.slice();
          caps[inst.n] = at;
          pc++;
          continue;
        }
        if (inst.op === "assert") {
          if (!holds(inst.kind, at)) break;
          pc++;
          continue;
        }
        list.push({ pc, caps });
        break;
      }
    }
  };

  const empty = new Array<number>(slots).fill(-1);
  let at = from;
  add(clist, listId, 0, withStart(empty, at), at);
  for (;;) {
    const cp = at < len ? text.codePointAt(at)! : -1;
    const next = at + (cp > 0xffff ? 2 : 1);
    const nextId = ++listId;
    for (const th of clist) {
      const inst = prog[th.pc]!;
      if (inst.op === "match") {
        matched = th.caps.slice();
        matched[1] = at;
        // Lower-priority threads lose to this match.
        break;
      }
      if (inst.op === "char" && cp >= 0 && inst.test(cp)) add(nlist, nextId, th.pc + 1, th.caps, next);
    }
    if (at >= len) break;
    at = next;
    // A new search starting here, lowest priority, while nothing has matched yet.
    // An anchored pattern (`^…` without the m flag) starts no search past the text's start: each would die at once.
    if (matched === null && !sticky && !p.anchored) add(nlist, nextId, 0, withStart(empty, at), at);
    if (nlist.length === 0 && matched !== null) break;
    [clist, nlist] = [nlist, clist];
    nlist.length = 0;
  }
  return matched;
}

function withStart(caps: number[], at: number): number[] {
  const c = caps.slice();
  c[0] = at;
  return c;
}

/** A RegExp (same source and flags) whose matching is the Pike VM's. */
/** Work a backtracking search may do on a text before the linear engine takes it instead: ~10⁷ steps, tens of milliseconds. */
const BACKTRACK_BUDGET = 1e7;

class LinearRegExp extends RegExp {
  #program: Program;
  /**
   * The longest text V8's engine searches for a pattern whose cost is polynomial (of degree d: up to
   * BACKTRACK_BUDGET^(1/d) characters, 215 for d = 3); longer texts go to the linear engine. V8 is 30–300×
   * faster on the texts that match (an access log line's regex: 0.31 µs against 93 µs), so an exponential
   * pattern alone always runs here.
   */
  #v8Below: number;

  constructor(source: string | RegExp, flags: string, program?: Program, cost: "exponential" | number = "exponential") {
    super(source, flags);
    // `split` and `matchAll` make their own copy through Symbol.species, with no program and flags of theirs (`y`).
    this.#program = program ?? compileProgram(this.source, this.ignoreCase);
    this.#v8Below = cost === "exponential" ? 0 : Math.floor(BACKTRACK_BUDGET ** (1 / cost));
  }

  override exec(text: string): RegExpExecArray | null {
    const s = String(text);
    if (s.length <= this.#v8Below) return super.exec(s);
    const scan = this.global || this.sticky;
    const from = scan ? this.lastIndex : 0;
    if (from > s.length) {
      if (scan) this.lastIndex = 0;
      return null;
    }
    const caps = runProgram(this.#program, s, from, this.sticky);
    if (caps === null) {
      if (scan) this.lastIndex = 0;
      return null;
    }
    const out: (string | undefined)[] = [];
    for (let g = 0; g <= this.#program.groups; g++) {
      const a = caps[2 * g]!, b = caps[2 * g + 1]!;
      out.push(a >= 0 && b >= 0 ? s.slice(a, b) : undefined);
    }
    const m = out as unknown as RegExpExecArray;
    m.index = caps[0]!;
    m.input = s;
    m.groups = undefined;
    if (scan) this.lastIndex = caps[1]!;
    return m;
  }
}

/**
 * The RegExp for a `translateRe2` source: JS's own when its backtracking is safe, else one run
 * by the Pike VM. Throws a RangeError when the pattern is too large to run linearly.
 */
export function linearRegExp(source: string, flags: string): RegExp {
  let parsed: { node: Node; groups: number };
  try {
    parsed = parsePattern(source);
  } catch {
    return new RegExp(source, flags);
  }
  const cost = backtrackingCost(parsed.node, flags.includes("i"));
  if (cost === null) return new RegExp(source, flags);
  return new LinearRegExp(source, flags, compileProgram(source, flags.includes("i")), cost);
}

/** Whether `re` runs on the Pike VM (for tests and diagnostics). */
export function runsLinearly(re: RegExp): boolean {
  return re instanceof LinearRegExp;
}
