/**
 * A linear-time regular expression engine for the patterns a backtracking engine (V8's
 * irregexp) can take exponential time on: `(a+)+`, `(\w+\s?)*`, `(a|ab)*`. It reads the JS
 * source `translateRe2` (pattern.ts) writes — literals, classes, `\p{..}`, anchors `^ $ \b \B`
 * and the two line assertions of RE2's (?m), groups, alternation, `* + ? {n,m}` greedy or lazy —
 * and runs it, as RE2 does, on one of two engines that find the leftmost match and, among those,
 * the one a backtracking engine prefers, with its submatches, in time linear in the text times the
 * pattern's size: a bounded backtracker (RE2's BitState: a depth-first search in priority order that
 * visits each (instruction, position) pair at most once) when that table is small (`BITSTATE_CELLS`),
 * else a Pike VM (a Thompson NFA simulation whose threads keep their priority). Both skip to where a
 * match can start, a text lacking a literal every match has is answered at once, and `test` keeps
 * no submatches. In front of them is a lazy DFA (dfa.ts: match or not, the match's span, and its
 * submatches by a walk the DFA guides, or one pass for an anchored one-pass pattern); they answer
 * when it gives up (its bounded cache keeps filling).
 *
 * `linearRegExp` returns a RegExp whose `exec` and `test` are the engines': `String#replace` and the
 * callers' walks with `lastIndex` and the global flag all go through them.
 */

import { dfaSearch, GAVE_UP, OP_ASSERT, OP_CHAR, OP_JMP, OP_MATCH, OP_SAVE, OP_SPLIT } from "./dfa.ts";

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
        // An optional round of something that can match nothing (`(?:S*?)?`, `(?:|S)?`): RE2 takes the empty round
        // when the body prefers it, V8 refuses an empty round and backtracks into the body ('' against 'S' on "S").
        if (x.min < x.max && matchesEmpty(x.body)) return true;
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

/** Whether a piece can match the empty text (assertions match no characters). */
function matchesEmpty(x: Node): boolean {
  switch (x.t) {
    case "char": return false;
    case "assert": return true;
    case "rep": return x.min === 0 || matchesEmpty(x.body);
    case "cat": return x.items.every(matchesEmpty);
    case "alt": return x.alts.some(matchesEmpty);
    case "group": return matchesEmpty(x.body);
  }
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
  // The one-character class a piece must start with when it is a character or a repetition of one at least once.
  const startsWith = (x: Node | undefined): string | null => (x?.t === "char" ? x.src : x?.t === "rep" && x.min > 0 ? repeatedChar(x) : null);
  const inSequence = (items: Node[], top: boolean): void => {
    /**
     * Whether the repetition at `k` ends where its run of characters ends, whatever comes before: it
     * is fenced by pieces it cannot match (`\d+` in `" (\d+) "`, `\S+` in `^\S+ `), so every way to
     * reach it continues in one way only (its run's end, or nowhere), and the runs it scans from the
     * places it starts at do not overlap: it adds work but no degree. The pattern's own end (top
     * level: any end matches, or `$` only the text's) fences it too, and so does an anchored start.
     */
    const fenced = (k: number, rc: string): boolean => {
      let a = k + 1;
      while (a < items.length && items[a]!.t === "assert") a++;
      const after = startsWith(items[a]);
      if (a < items.length ? after === null || overlapChars(rc, after, ignoreCase) : !top) return false;
      let b = k - 1;
      while (b >= 0 && items[b]!.t === "assert" && !(items[b] as { kind: Assertion }).kind.startsWith("start")) b--;
      if (b < 0) return false;
      const prev = items[b]!;
      if (prev.t === "assert") return top && anchored && b === 0;
      const before = prev.t === "char" ? prev.src : prev.t === "rep" && prev.min > 0 ? repeatedChar(prev) : null;
      return before !== null && !overlapChars(rc, before, ignoreCase);
    };
    for (let i = 0; i < items.length; i++) {
      const r = items[i]!;
      const rc = r.t === "rep" && r.max === Infinity ? repeatedChar(r) : null;
      if (rc === null || fenced(i, rc)) continue;
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
          if (x.max === Infinity && fenced(j, xc)) continue;
          // Unanchored, the search tries every start: two such repetitions followed by something that
          // can fail are O(n³) (`\d+\d+x`, `\s*\s*$`, `.*a.*b`); anchored, it takes three.
          if (x.max === Infinity && ++chained >= (anchored ? 2 : 1) && (anchored || items.slice(j + 1).some((y) => !(y.t === "rep" && y.min === 0)))) {
            degree = Math.max(degree, chained + 1 + (anchored ? 0 : 1));
          }
        } else if (x.min > 0) break;
      }
    }
  };
  const visit = (x: Node, top: boolean): void => {
    switch (x.t) {
      case "cat": case "group": {
        const items = flatten(x);
        inSequence(items, top);
        for (const y of items) if (y.t !== "char" && y.t !== "assert") visit(y, false);
        return;
      }
      case "alt": for (const y of x.alts) visit(y, false); return;
      case "rep": visit(x.body, false); return;
      default: return;
    }
  };
  visit(node, true);
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

const assertionCodes: Assertion[] = ["start", "end", "word", "nonword", "lineStart", "lineEnd"];

/**
 * A compiled pattern: the program as flat arrays (`op`, `x`, `y`: a split's two targets, a jump's
 * target, a save's slot, an assertion's code), each character instruction's class (`cls`, an index
 * into `ascii`, 128 answers per class, and `classes` for the other code points), and the scratch
 * space both engines reuse from one run to the next (a run never re-enters itself).
 */
export interface Program {
  prog: Inst[];
  groups: number;
  word: (cp: number) => boolean;
  /** Whether every match starts at the text's start (the first instruction asserts it). */
  anchored: boolean;
  op: Uint8Array;
  x: Int32Array;
  y: Int32Array;
  cls: Int32Array;
  ascii: Uint8Array;
  classes: ((cp: number) => boolean)[];
  /** The classes of the characters a match can start with (null: it can match without reading one). */
  first: Int32Array | null;
  /** Characters every match contains (literals of the pattern's top-level sequence): a text without one has no match. */
  required: string[];
  /** Pike VM: per instruction, the step that last queued it; `gen` the step counter. */
  mark: Int32Array;
  gen: number;
  /** The lazy DFA's machine (dfa.ts), made at the first search; null when the program is too large for it. */
  dfa?: unknown;
}

export function compileProgram(source: string, ignoreCase: boolean): Program {
  const { node, groups } = parsePattern(source);
  const wordRe = new RegExp("^\\w$", ignoreCase ? "iu" : "u");
  const wordAscii = new Uint8Array(128);
  for (let c = 0; c < 128; c++) wordAscii[c] = wordRe.test(String.fromCharCode(c)) ? 1 : 0;
  const prog = compile(node, ignoreCase);
  const first = prog[0];
  const m = prog.length;
  const op = new Uint8Array(m), x = new Int32Array(m), y = new Int32Array(m), cls = new Int32Array(m).fill(-1);
  const classes: ((cp: number) => boolean)[] = [];
  const classOf = new Map<(cp: number) => boolean, number>();
  prog.forEach((inst, pc) => {
    switch (inst.op) {
      case "char": {
        let k = classOf.get(inst.test);
        if (k === undefined) {
          k = classes.length;
          classes.push(inst.test);
          classOf.set(inst.test, k);
        }
        op[pc] = OP_CHAR;
        cls[pc] = k;
        return;
      }
      case "split": op[pc] = OP_SPLIT; x[pc] = inst.x; y[pc] = inst.y; return;
      case "jmp": op[pc] = OP_JMP; x[pc] = inst.x; return;
      case "save": op[pc] = OP_SAVE; x[pc] = inst.n; return;
      case "assert": op[pc] = OP_ASSERT; x[pc] = assertionCodes.indexOf(inst.kind); return;
      case "match": op[pc] = OP_MATCH; return;
    }
  });
  const ascii = new Uint8Array(classes.length * 128);
  classes.forEach((test, k) => {
    for (let c = 0; c < 128; c++) ascii[k * 128 + c] = test(c) ? 1 : 0;
  });
  // The character instructions reachable from the start without reading a character (assertions
  // taken as holding): a position where none of them reads the character starts no match.
  let firstClasses: Set<number> | null = new Set();
  const seen = new Uint8Array(m);
  const todo = [0];
  while (todo.length > 0 && firstClasses !== null) {
    const pc = todo.pop()!;
    if (seen[pc]) continue;
    seen[pc] = 1;
    switch (op[pc]) {
      case OP_CHAR: firstClasses.add(cls[pc]!); break;
      case OP_MATCH: firstClasses = null; break;
      case OP_SPLIT: todo.push(y[pc]!, x[pc]!); break;
      case OP_JMP: todo.push(x[pc]!); break;
      default: todo.push(pc + 1);
    }
  }
  return {
    prog, groups, anchored: first?.op === "assert" && first.kind === "start",
    word: (cp) => cp >= 0 && (cp < 128 ? wordAscii[cp] === 1 : wordRe.test(String.fromCodePoint(cp))),
    op, x, y, cls, ascii, classes, first: firstClasses === null ? null : Int32Array.from(firstClasses),
    mark: new Int32Array(m).fill(-1), gen: 0, required: ignoreCase ? [] : requiredLiterals(node),
  };
}

/** The literal characters of the pattern's top-level sequence (through groups), each once. */
function requiredLiterals(node: Node): string[] {
  const out = new Set<string>();
  for (const x of flatten(node)) {
    if (x.t !== "char") continue;
    const hex = /^\\u\{([0-9a-fA-F]+)\}$/.exec(x.src);
    if (hex) out.add(String.fromCodePoint(parseInt(hex[1]!, 16)));
    else if (!x.src.startsWith("\\") && !x.src.startsWith("[") && x.src !== ".") out.add(x.src);
  }
  return [...out];
}

/** Whether class `k` of `p` takes code point `cp`. */
function takes(p: Program, k: number, cp: number): boolean {
  return cp < 128 ? p.ascii[k * 128 + cp] === 1 : p.classes[k]!(cp);
}

/** The code point before UTF-16 index `at` of `text` (-1 at the start). */
function cpBefore(text: string, at: number): number {
  if (at <= 0) return -1;
  const c = text.charCodeAt(at - 1);
  if (c >= 0xdc00 && c <= 0xdfff && at >= 2) {
    const h = text.charCodeAt(at - 2);
    if (h >= 0xd800 && h <= 0xdbff) return text.codePointAt(at - 2)!;
  }
  return c;
}

/** Whether assertion `code` (an index of `assertionCodes`) holds at `at`. */
function holds(p: Program, text: string, code: number, at: number): boolean {
  const len = text.length;
  switch (code) {
    case 0: return at === 0;
    case 1: return at === len;
    case 4: return at === 0 || text.charCodeAt(at - 1) === 10;
    case 5: return at === len || text.charCodeAt(at) === 10;
    default: {
      const a = p.word(cpBefore(text, at));
      const b = at < len && p.word(text.codePointAt(at)!);
      return (a !== b) === (code === 2);
    }
  }
}

/** The first position from `at` where a match can start (reads a character of `first`), or the text's length. */
function skipToFirst(p: Program, text: string, at: number): number {
  const first = p.first!;
  const len = text.length;
  while (at < len) {
    const cp = text.codePointAt(at)!;
    for (let i = 0; i < first.length; i++) if (takes(p, first[i]!, cp)) return at;
    at += cp > 0xffff ? 2 : 1;
  }
  return len;
}

/** The linear engines: the lazy DFA (dfa.ts, with the others behind it when it gives up), or one of the others alone. */
export type Engine = "dfa" | "pike" | "bitstate";

/**
 * Texts whose (instruction × position) table has at most this many cells run on the bounded
 * backtracker (2 MB of stamps at most, shared by every program; a 60-instruction log regex: lines up
 * to ~17,000 characters), longer ones on the Pike VM.
 */
export const BITSTATE_CELLS = 1024 * 1024;

/**
 * The leftmost, highest-priority match of `p` in `text` starting the search at `from` (a UTF-16
 * index): the capture positions (start, end per group, -1 where unset), or null. `captures`
 * false: only whether there is one (the array then holds no positions). `engine` forces one.
 */
export function runProgram(p: Program, text: string, from: number, sticky = false, captures: boolean | "span" = true, engine?: Engine): Int32Array | null {
  for (const c of p.required) if (text.indexOf(c, from) < 0) return null;
  if (engine === undefined || engine === "dfa") {
    const found = dfaSearch(p, text, from, sticky, captures);
    if (found !== GAVE_UP) return found;
    if (engine === "dfa") engine = undefined;
  }
  if (captures === "span") captures = true;
  const cells = p.op.length * (text.length - from + 1);
  return (engine ?? (cells <= BITSTATE_CELLS ? "bitstate" : "pike")) === "bitstate" ? bitState(p, text, from, sticky, captures) : pikeVM(p, text, from, sticky, captures);
}

const noCaptures = new Int32Array(0);
let visitStamps: Uint16Array | null = null;
let visitStamp = 0;
let bitStack: Int32Array = new Int32Array(256);

function grown(stack: Int32Array): Int32Array {
  const bigger = new Int32Array(stack.length * 2);
  bigger.set(stack);
  return bigger;
}

/**
 * RE2's BitState: a backtracking search in priority order that never visits an (instruction,
 * position) pair twice (a pair visited once either led to the match, which ends the search, or
 * cannot), so it is O(instructions × text) and, backtracking, finds the leftmost-first match and its
 * submatches directly. The visited table has a cell per pair, hence only for short texts.
 */
function bitState(p: Program, text: string, from: number, sticky: boolean, captures: boolean): Int32Array | null {
  const { op, x, y, cls } = p;
  const m = op.length;
  const len = text.length;
  const width = len - from + 1;
  // The visited table: a cell is visited when it holds this run's stamp, so no run clears it (a
  // global walk searches from each match's end, and clearing the rest of the text each time was
  // quadratic); it is shared by every program, a run never re-entering another.
  if (visitStamps === null || visitStamps.length < m * width) {
    let size = visitStamps?.length ?? 16 * 1024;
    while (size < m * width) size *= 2;
    visitStamps = new Uint16Array(size);
  }
  const visited = visitStamps;
  if (++visitStamp > 0xffff) {
    visited.fill(0);
    visitStamp = 1;
  }
  const stamp = visitStamp;
  const slots = captures ? 2 * (p.groups + 1) : 0;
  const caps = captures ? new Int32Array(slots).fill(-1) : noCaptures;
  // The stack: pairs (instruction, position) to try, or (-1 - slot, old value) to restore a capture.
  // (No closures here: a run must allocate nothing it need not.)
  let stack: Int32Array = bitStack;
  let sp = 0;
  const only = sticky || p.anchored;
  for (let start = from; start <= len;) {
    if (!only && p.first !== null) {
      start = skipToFirst(p, text, start);
      if (start >= len) break;
    }
    sp = 0;
    stack[sp++] = 0;
    stack[sp++] = start;
    while (sp > 0) {
      let at = stack[--sp]!;
      let pc = stack[--sp]!;
      if (pc < 0) {
        caps[-1 - pc] = at;
        continue;
      }
      for (;;) {
        const cell = (at - from) * m + pc;
        if (visited[cell] === stamp) break;
        visited[cell] = stamp;
        const o = op[pc]!;
        if (o === OP_CHAR) {
          if (at >= len) break;
          const cp = text.codePointAt(at)!;
          if (!takes(p, cls[pc]!, cp)) break;
          at += cp > 0xffff ? 2 : 1;
          pc++;
        } else if (o === OP_SPLIT) {
          if (sp + 2 > stack.length) stack = bitStack = grown(stack);
          stack[sp++] = y[pc]!;
          stack[sp++] = at;
          pc = x[pc]!;
        } else if (o === OP_JMP) {
          pc = x[pc]!;
        } else if (o === OP_SAVE) {
          const n = x[pc]!;
          if (n < slots) {
            if (sp + 2 > stack.length) stack = bitStack = grown(stack);
            stack[sp++] = -1 - n;
            stack[sp++] = caps[n]!;
            caps[n] = at;
          }
          pc++;
        } else if (o === OP_ASSERT) {
          if (!holds(p, text, x[pc]!, at)) break;
          pc++;
        } else {
          if (captures) {
            caps[0] = start;
            caps[1] = at;
          }
          return caps;
        }
      }
    }
    if (only || start >= len) break;
    start += text.codePointAt(start)! > 0xffff ? 2 : 1;
  }
  return null;
}

/** One Pike VM run's thread lists and closure state (module-level: a run creates no closures). */
interface PikeRun {
  p: Program;
  text: string;
  slots: number;
  /** The list being filled: each thread's instruction, and its captures (`slots` numbers each). */
  nPc: Int32Array;
  nCaps: Int32Array;
  nLen: number;
  /** The captures of the thread being stepped, written by saves and restored as the closure backtracks. */
  work: Int32Array;
  stack: Int32Array;
}

/**
 * Queues pc0 and everything it reaches at `at` without reading a character into the run's next list,
 * in priority order, with the captures in `work` (restored as it returns). Returns true when it
 * reaches a match and captures are not wanted (any match answers).
 */
function addThread(r: PikeRun, pc0: number, at: number): boolean {
  const { p, text, slots, nPc, nCaps, work, stack } = r;
  const { op, x, y, mark } = p;
  const gen = p.gen;
  let sp = 0;
  stack[sp++] = pc0;
  stack[sp++] = 0;
  while (sp > 0) {
    const v = stack[--sp]!;
    let pc = stack[--sp]!;
    if (pc < 0) {
      work[-1 - pc] = v;
      continue;
    }
    for (;;) {
      if (mark[pc] === gen) break;
      mark[pc] = gen;
      const o = op[pc]!;
      if (o === OP_JMP) { pc = x[pc]!; continue; }
      if (o === OP_SPLIT) {
        stack[sp++] = y[pc]!;
        stack[sp++] = 0;
        pc = x[pc]!;
        continue;
      }
      if (o === OP_SAVE) {
        const n = x[pc]!;
        if (n < slots) {
          stack[sp++] = -1 - n;
          stack[sp++] = work[n]!;
          work[n] = at;
        }
        pc++;
        continue;
      }
      if (o === OP_ASSERT) {
        if (!holds(p, text, x[pc]!, at)) break;
        pc++;
        continue;
      }
      if (o === OP_MATCH && slots === 0) return true;
      nPc[r.nLen] = pc;
      // (Copied by hand: `set` and `subarray` cost more than the copy for a few slots.)
      for (let k = 0, base = r.nLen * slots; k < slots; k++) nCaps[base + k] = work[k]!;
      r.nLen++;
      break;
    }
  }
  return false;
}

/** Queues a new search starting at `at` (lowest priority). */
function startSearch(r: PikeRun, at: number): boolean {
  if (r.slots > 0) {
    r.work.fill(-1);
    r.work[0] = at;
  }
  return addThread(r, 0, at);
}

/**
 * The Pike VM: every thread steps over the text together, in priority order, each instruction queued
 * at most once per position. Threads keep their captures in one flat array (`slots` numbers each),
 * copied when a thread is queued; the captures a closure writes are undone as it backtracks.
 */
function pikeVM(p: Program, text: string, from: number, sticky: boolean, captures: boolean): Int32Array | null {
  const { op, cls } = p;
  const m = op.length;
  const slots = captures ? 2 * (p.groups + 1) : 0;
  const len = text.length;
  let cPc: Int32Array = new Int32Array(m), cCaps: Int32Array = new Int32Array(m * slots), cLen = 0;
  const r: PikeRun = { p, text, slots, nPc: new Int32Array(m), nCaps: new Int32Array(m * slots), nLen: 0, work: new Int32Array(slots), stack: new Int32Array(4 * m + 4) };
  const work = r.work;
  let matched: Int32Array | null = null;
  if (p.gen > 0x3fffffff) {
    p.mark.fill(-1);
    p.gen = 0;
  }
  let at = from;
  const searches = !sticky && !p.anchored;
  if (searches && p.first !== null) {
    at = skipToFirst(p, text, at);
    if (at >= len) return null;
  }
  p.gen++;
  if (startSearch(r, at)) return noCaptures;
  for (;;) {
    // The list just filled becomes the one to step.
    [cPc, r.nPc] = [r.nPc, cPc];
    [cCaps, r.nCaps] = [r.nCaps, cCaps];
    cLen = r.nLen;
    r.nLen = 0;
    const cp = at < len ? text.codePointAt(at)! : -1;
    const next = at + (cp > 0xffff ? 2 : 1);
    p.gen++;
    for (let i = 0; i < cLen; i++) {
      const pc = cPc[i]!;
      if (op[pc] === OP_MATCH) {
        matched = cCaps.slice(i * slots, (i + 1) * slots);
        matched[1] = at;
        // Lower-priority threads lose to this match.
        break;
      }
      if (cp >= 0 && takes(p, cls[pc]!, cp)) {
        for (let k = 0, base = i * slots; k < slots; k++) work[k] = cCaps[base + k]!;
        if (addThread(r, pc + 1, next)) return noCaptures;
      }
    }
    if (at >= len) break;
    at = next;
    // A new search starting here, lowest priority, while nothing has matched yet; with no thread
    // alive, at the next position where a match can start. An anchored pattern (`^…` without the m
    // flag) starts no search past the text's start: each would die at once.
    if (matched === null && searches) {
      if (r.nLen === 0 && p.first !== null) {
        at = skipToFirst(p, text, at);
        if (at >= len) break;
        p.gen++;
      }
      if (startSearch(r, at)) return noCaptures;
    } else if (r.nLen === 0) break;
  }
  return matched;
}

/** Work a backtracking search may do on a text before the linear engine takes it instead: ~10⁷ steps, tens of milliseconds. */
const BACKTRACK_BUDGET = 1e7;

/** A RegExp (same source and flags) whose matching is the linear engines' (BitState on short texts, else the Pike VM). */
class LinearRegExp extends RegExp {
  #program: Program;
  /**
   * The longest text V8's engine searches for a pattern whose cost is polynomial (of degree d: up to
   * BACKTRACK_BUDGET^(1/d) characters, 215 for d = 3); longer texts go to the linear engine. V8 is
   * faster on the texts that match, so an exponential pattern alone always runs here.
   */
  #v8Below: number;
  /** An engine forced (tests and benchmarks), else the choice by the text's length. */
  #engine: Engine | undefined;
  /** V8's own RegExp for the same source, for a replace on a text short enough for it. */
  #v8: RegExp | undefined;
  #sticky: boolean | undefined;
  #scan: boolean | undefined;

  constructor(source: string | RegExp, flags: string, program?: Program, cost: "exponential" | number = "exponential", engine?: Engine) {
    super(source, flags);
    // `split` and `matchAll` make their own copy through Symbol.species, with no program and flags of theirs (`y`).
    this.#program = program ?? compileProgram(this.source, this.ignoreCase);
    // (-1 for an exponential one: even the empty text is the linear engine's, as V8 drops a loop's
    // round that matches nothing where RE2 keeps it: `(?:((?:$)+)*)?` on '' sets group 1 to ''.)
    this.#v8Below = cost === "exponential" ? -1 : Math.floor(BACKTRACK_BUDGET ** (1 / cost));
    this.#engine = engine;
  }

  override test(text: string): boolean {
    // Whether there is a match needs no submatches: the engines then keep none.
    if (this.global || this.sticky) return this.exec(text) !== null;
    const s = String(text);
    if (s.length <= this.#v8Below) return super.exec(s) !== null;
    return runProgram(this.#program, s, 0, false, false, this.#engine) !== null;
  }

  override exec(text: string): RegExpExecArray | null {
    const s = typeof text === "string" ? text : String(text);
    if (s.length <= this.#v8Below) return super.exec(s);
    // (The flags, read once: a subclass's flag getters are not V8's fast ones.)
    const sticky = (this.#sticky ??= this.sticky);
    const scan = (this.#scan ??= this.global || sticky);
    const from = scan ? this.lastIndex : 0;
    if (from > s.length) {
      if (scan) this.lastIndex = 0;
      return null;
    }
    const caps = runProgram(this.#program, s, from, sticky, true, this.#engine);
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

  /**
   * `String#replace` as the specification's RegExp.prototype[@@replace] does it, without its generic
   * protocol (a RegExp subclass leaves V8's fast path: each match then cost ~2 µs of property reads
   * and result objects): every match (the global flag) or the first, replaced by the template's
   * expansion (`$$ $& $\` $' $n $nn`) or the function's answer.
   */
  override [Symbol.replace](text: string, replaceValue: string | ((substring: string, ...args: any[]) => string)): string {
    const s = String(text);
    if (this.sticky) return (RegExp.prototype[Symbol.replace] as (this: RegExp, s: string, r: unknown) => string).call(this, s, replaceValue);
    if (s.length <= this.#v8Below) {
      const v8 = (this.#v8 ??= new RegExp(this.source, this.flags));
      v8.lastIndex = 0;
      return s.replace(v8, replaceValue as string);
    }
    const fn = typeof replaceValue === "function" ? replaceValue : null;
    const template = fn === null ? String(replaceValue) : "";
    // A template without `$` needs only where each match is, not its groups.
    const spanOnly = fn === null && !template.includes("$");
    const p = this.#program;
    const global = this.global;
    const unicode = this.unicode || this.flags.includes("v");
    if (global) this.lastIndex = 0;
    let out = "";
    let next = 0;
    let from = 0;
    while (from <= s.length) {
      const caps = runProgram(p, s, from, false, spanOnly ? "span" : true, this.#engine);
      if (caps === null) break;
      const a = caps[0]!, b = caps[1]!;
      let replacement = template;
      if (!spanOnly) {
        const groups: (string | undefined)[] = [];
        for (let g = 1; g <= p.groups; g++) {
          const x = caps[2 * g]!, y = caps[2 * g + 1]!;
          groups.push(x >= 0 && y >= 0 ? s.slice(x, y) : undefined);
        }
        replacement = fn !== null ? String(fn(s.slice(a, b), ...groups, a, s)) : substitute(template, s, a, b, groups);
      }
      if (a >= next) {
        out += s.slice(next, a) + replacement;
        next = b;
      }
      if (!global) break;
      // An empty match moves the search on one character (a code point with the u flag).
      from = b > a ? b : b + (unicode && b + 1 < s.length && s.codePointAt(b)! > 0xffff ? 2 : 1);
    }
    return out + s.slice(next);
  }
}

/** The specification's GetSubstitution for a match [a, b) of `s` with capture groups `groups` (no named groups). */
function substitute(template: string, s: string, a: number, b: number, groups: (string | undefined)[]): string {
  let out = "";
  for (let i = 0; i < template.length; i++) {
    const c = template[i]!;
    const d = template[i + 1];
    if (c !== "$" || d === undefined) {
      out += c;
      continue;
    }
    if (d === "$") { out += "$"; i++; }
    else if (d === "&") { out += s.slice(a, b); i++; }
    else if (d === "`") { out += s.slice(0, a); i++; }
    else if (d === "'") { out += s.slice(b); i++; }
    else if (d >= "0" && d <= "9") {
      const d2 = template[i + 2];
      let digits = d2 !== undefined && d2 >= "0" && d2 <= "9" ? d + d2 : d;
      if (Number(digits) > groups.length && digits.length === 2) digits = d;
      const index = Number(digits);
      if (index >= 1 && index <= groups.length) out += groups[index - 1] ?? "";
      else out += `$${digits}`;
      i += digits.length;
    } else out += c;
  }
  return out;
}

/**
 * The RegExp for a `translateRe2` source: JS's own when its backtracking is safe, else one run
 * by the linear engines. Throws a RangeError when the pattern is too large to run linearly.
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

/**
 * A RegExp for a `translateRe2` source that always runs on a linear engine, whatever the pattern's
 * cost: `engine` forces one, else BitState for short texts and the Pike VM past them (tests, benchmarks).
 */
export function forcedLinearRegExp(source: string, flags: string, engine?: Engine): RegExp {
  return new LinearRegExp(source, flags, compileProgram(source, flags.includes("i")), "exponential", engine);
}

/** Whether `re` runs on a linear engine (for tests and diagnostics). */
export function runsLinearly(re: RegExp): boolean {
  return re instanceof LinearRegExp;
}
