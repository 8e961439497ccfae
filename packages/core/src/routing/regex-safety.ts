/**
 * @module A check of location regexes for catastrophic backtracking (ReDoS), at configuration time:
 * nested repetition (star height above 1, like `^(a+)+$`) and overlapping alternatives under a
 * repetition (like `(a|ab)*`, `(\w|\d)+`). JavaScript's engine backtracks without bound, where
 * nginx's PCRE has a match limit; the core has no dependency for another engine, so the patterns
 * that make a backtracking engine exponential are refused instead (docs/security.md: how to rewrite).
 */

type CharSet = { any: true } | { any: false; chars: Set<string>; classes: Set<'d' | 'w' | 's'> };

type Node =
  | { kind: 'atom'; set: CharSet }
  /** ^ $ \b \B and lookarounds: match no character. */
  | { kind: 'empty' }
  | { kind: 'seq'; items: Node[] }
  | { kind: 'alt'; options: Node[] }
  | { kind: 'repeat'; body: Node; min: number; max: number; text: string };

/** A repetition whose count may pass this is treated as unbounded (`(a|a){30}` is 2^30 ways too). */
const LARGE_COUNT = 10;

const ANY: CharSet = { any: true };

class Parser {
  #i = 0;
  readonly #src: string;
  readonly #fold: boolean;

  constructor(src: string, fold: boolean) {
    this.#src = src;
    this.#fold = fold;
  }

  parse(): Node {
    const node = this.#alternation();
    return node;
  }

  #alternation(): Node {
    const options: Node[] = [this.#sequence()];
    while (this.#src[this.#i] === '|') {
      this.#i++;
      options.push(this.#sequence());
    }
    return options.length === 1 ? (options[0] as Node) : { kind: 'alt', options };
  }

  #sequence(): Node {
    const items: Node[] = [];
    while (this.#i < this.#src.length && this.#src[this.#i] !== '|' && this.#src[this.#i] !== ')') {
      const start = this.#i;
      const atom = this.#atom();
      items.push(this.#quantified(atom, start));
    }
    return { kind: 'seq', items };
  }

  #quantified(atom: Node, start: number): Node {
    const src = this.#src;
    const c = src[this.#i];
    let min: number;
    let max: number;
    if (c === '*') [min, max] = [0, Infinity];
    else if (c === '+') [min, max] = [1, Infinity];
    else if (c === '?') [min, max] = [0, 1];
    else if (c === '{') {
      const m = /^\{(\d+)(,(\d*))?\}/.exec(src.slice(this.#i));
      if (m === null) return atom;
      min = Number(m[1]);
      max = m[2] === undefined ? min : m[3] === '' ? Infinity : Number(m[3]);
      this.#i += m[0].length - 1;
    } else return atom;
    this.#i++;
    if (src[this.#i] === '?') this.#i++;
    return this.#quantified({ kind: 'repeat', body: atom, min, max, text: src.slice(start, this.#i) }, start);
  }

  #atom(): Node {
    const src = this.#src;
    const c = src[this.#i++] as string;
    if (c === '^' || c === '$') return { kind: 'empty' };
    if (c === '.') return { kind: 'atom', set: ANY };
    if (c === '[') return { kind: 'atom', set: this.#charClass() };
    if (c === '\\') return this.#escape(false);
    if (c === '(') {
      let lookaround = false;
      if (src.startsWith('?:', this.#i)) this.#i += 2;
      else if (src.startsWith('?=', this.#i) || src.startsWith('?!', this.#i)) [this.#i, lookaround] = [this.#i + 2, true];
      else if (src.startsWith('?<=', this.#i) || src.startsWith('?<!', this.#i)) [this.#i, lookaround] = [this.#i + 3, true];
      else if (src.startsWith('?<', this.#i)) this.#i = src.indexOf('>', this.#i) + 1;
      const inner = this.#alternation();
      if (src[this.#i] === ')') this.#i++;
      return lookaround ? { kind: 'empty' } : inner;
    }
    return { kind: 'atom', set: this.#literal(c) };
  }

  #literal(c: string): CharSet {
    const chars = new Set([this.#fold ? c.toLowerCase() : c]);
    return { any: false, chars, classes: new Set() };
  }

  #escape(inClass: boolean): Node {
    const src = this.#src;
    const c = src[this.#i++] ?? '\\';
    if (c === 'd' || c === 'w' || c === 's') return { kind: 'atom', set: { any: false, chars: new Set(), classes: new Set([c]) } };
    if (c === 'D' || c === 'W' || c === 'S') return { kind: 'atom', set: ANY };
    if (!inClass && (c === 'b' || c === 'B')) return { kind: 'empty' };
    // A back-reference repeats whatever its group matched: unknown, so anything.
    if (/[1-9]/.test(c) || c === 'k') return { kind: 'atom', set: ANY };
    if (c === 'x' && /^[0-9a-fA-F]{2}/.test(src.slice(this.#i))) {
      this.#i += 2;
      return { kind: 'atom', set: this.#literal(String.fromCharCode(parseInt(src.slice(this.#i - 2, this.#i), 16))) };
    }
    if (c === 'u' && /^[0-9a-fA-F]{4}/.test(src.slice(this.#i))) {
      this.#i += 4;
      return { kind: 'atom', set: this.#literal(String.fromCharCode(parseInt(src.slice(this.#i - 4, this.#i), 16))) };
    }
    if (c === 'c' || c === 'p' || c === 'P') return { kind: 'atom', set: ANY };
    const controls: Record<string, string> = { n: '\n', r: '\r', t: '\t', f: '\f', v: '\v', '0': '\0' };
    return { kind: 'atom', set: this.#literal(controls[c] ?? c) };
  }

  #charClass(): CharSet {
    const src = this.#src;
    let negated = false;
    if (src[this.#i] === '^') [negated, this.#i] = [true, this.#i + 1];
    const chars = new Set<string>();
    const classes = new Set<'d' | 'w' | 's'>();
    let any = negated;
    let prev: string | undefined;
    for (let guard = 0; this.#i < src.length && src[this.#i] !== ']' && guard < src.length; guard++) {
      let c = src[this.#i++] as string;
      if (c === '\\') {
        const node = this.#escape(true);
        if (node.kind !== 'atom') continue;
        if (node.set.any) any = true;
        else {
          for (const x of node.set.chars) chars.add(x);
          for (const x of node.set.classes) classes.add(x);
        }
        prev = node.set.any || node.set.chars.size !== 1 ? undefined : [...node.set.chars][0];
        continue;
      }
      if (c === '-' && prev !== undefined && this.#i < src.length && src[this.#i] !== ']') {
        c = src[this.#i++] as string;
        const from = prev.charCodeAt(0);
        const to = c.charCodeAt(0);
        if (to - from > 256) any = true;
        else for (let code = from; code <= to; code++) chars.add(this.#fold ? String.fromCharCode(code).toLowerCase() : String.fromCharCode(code));
        prev = undefined;
        continue;
      }
      chars.add(this.#fold ? c.toLowerCase() : c);
      prev = c;
    }
    this.#i++;
    return any ? ANY : { any: false, chars, classes };
  }
}

function canBeEmpty(node: Node): boolean {
  switch (node.kind) {
    case 'atom':
      return false;
    case 'empty':
      return true;
    case 'seq':
      return node.items.every(canBeEmpty);
    case 'alt':
      return node.options.some(canBeEmpty);
    case 'repeat':
      return node.min === 0 || canBeEmpty(node.body);
  }
}

/** The characters a match of `node` may start with (undefined: it matches only the empty string). */
function firstSet(node: Node): CharSet | undefined {
  switch (node.kind) {
    case 'atom':
      return node.set;
    case 'empty':
      return undefined;
    case 'repeat':
      return firstSet(node.body);
    case 'alt':
      return node.options.map(firstSet).reduce<CharSet | undefined>((a, b) => union(a, b), undefined);
    case 'seq': {
      let out: CharSet | undefined;
      for (const item of node.items) {
        out = union(out, firstSet(item));
        if (!canBeEmpty(item)) break;
      }
      return out;
    }
  }
}

function union(a: CharSet | undefined, b: CharSet | undefined): CharSet | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  if (a.any || b.any) return ANY;
  return { any: false, chars: new Set([...a.chars, ...b.chars]), classes: new Set([...a.classes, ...b.classes]) };
}

function inClass(c: string, cls: 'd' | 'w' | 's'): boolean {
  return cls === 'd' ? /\d/.test(c) : cls === 'w' ? /\w/.test(c) : /\s/.test(c);
}

function overlaps(a: CharSet, b: CharSet): boolean {
  if (a.any || b.any) return true;
  for (const c of a.chars) if (b.chars.has(c) || [...b.classes].some((k) => inClass(c, k))) return true;
  for (const c of b.chars) if ([...a.classes].some((k) => inClass(c, k))) return true;
  for (const x of a.classes) for (const y of b.classes) if (x === y || (x !== 's' && y !== 's')) return true;
  return false;
}

const repeats = (n: Node): boolean => n.kind === 'repeat' && n.max > 1;
const unbounded = (n: Node & { kind: 'repeat' }): boolean => n.max > LARGE_COUNT;

/** Every character a match of `node` may contain (undefined: none). */
function charsOf(node: Node): CharSet | undefined {
  switch (node.kind) {
    case 'atom':
      return node.set;
    case 'empty':
      return undefined;
    case 'repeat':
      return charsOf(node.body);
    case 'alt':
      return node.options.map(charsOf).reduce<CharSet | undefined>((x, y) => union(x, y), undefined);
    case 'seq':
      return node.items.map(charsOf).reduce<CharSet | undefined>((x, y) => union(x, y), undefined);
  }
}

/**
 * A repetition nested in the body of `outer` that is not delimited: what may follow it (the rest
 * of its sequence, then the next round of `outer`) can start with a character it could also
 * match, so a run of such characters splits between rounds in exponentially many ways. `(/[a-z]+)+`
 * and `(\d{1,3}\.)+` are delimited (by `/` and `.`); `(a+)+` and `(\w+\s?)*` are not.
 */
function ambiguousInner(outer: Node & { kind: 'repeat' }): (Node & { kind: 'repeat' }) | undefined {
  const next = firstSet(outer.body);
  const options = outer.body.kind === 'alt' ? outer.body.options : [outer.body];
  for (const option of options) {
    const items = option.kind === 'seq' ? option.items : [option];
    for (let k = 0; k < items.length; k++) {
      const item = items[k] as Node;
      if (!repeats(item)) {
        // Deeper nesting (a group inside the body holding a repetition): refused without the finer check.
        const deep = item.kind === 'repeat' ? undefined : firstRepeat(item);
        if (deep !== undefined) return deep;
        continue;
      }
      const inner = item as Node & { kind: 'repeat' };
      const rest: Node = { kind: 'seq', items: items.slice(k + 1) };
      let follow = firstSet(rest);
      if (canBeEmpty(rest)) follow = union(follow, next);
      const own = charsOf(inner.body);
      if (own !== undefined && (follow === undefined || overlaps(own, follow))) return inner;
    }
  }
  return undefined;
}

function firstRepeat(node: Node): (Node & { kind: 'repeat' }) | undefined {
  if (repeats(node)) return node as Node & { kind: 'repeat' };
  const children = node.kind === 'seq' ? node.items : node.kind === 'alt' ? node.options : node.kind === 'repeat' ? [node.body] : [];
  for (const child of children) {
    const found = firstRepeat(child);
    if (found !== undefined) return found;
  }
  return undefined;
}

/** Alternations inside `node` (not below another repetition: that one is checked on its own). */
function alternations(node: Node, out: Array<Node & { kind: 'alt' }> = []): Array<Node & { kind: 'alt' }> {
  if (node.kind === 'alt') out.push(node);
  const children = node.kind === 'seq' ? node.items : node.kind === 'alt' ? node.options : [];
  for (const child of children) alternations(child, out);
  return out;
}

function explain(node: Node, src: string): string | undefined {
  if (node.kind === 'repeat' && node.max > 1) {
    const inner = ambiguousInner(node);
    if (inner !== undefined && (unbounded(node) || unbounded(inner)) && !canBeEmptyOnly(inner)) {
      return `nested repetition: ${JSON.stringify(inner.text)} is repeated inside ${JSON.stringify(node.text)} (star height 2), which backtracks exponentially on a near-miss; repeat one level only, e.g. (a+)+ -> a+, (\\w+\\s?)* -> [\\w\\s]*`;
    }
    if (unbounded(node)) {
      for (const alt of alternations(node.body)) {
        const sets = alt.options.map(firstSet);
        for (let i = 0; i < sets.length; i++) {
          if (canBeEmpty(alt.options[i] as Node))
            return `an alternative that can match nothing inside the repetition ${JSON.stringify(node.text)}; make every alternative match at least one character`;
          for (let j = i + 1; j < sets.length; j++) {
            const a = sets[i];
            const b = sets[j];
            if (a !== undefined && b !== undefined && overlaps(a, b)) {
              return `overlapping alternatives inside the repetition ${JSON.stringify(node.text)} (two can start with the same character), which backtracks exponentially; make them start differently, e.g. (a|ab)* -> (ab?)*, (\\w|\\d)+ -> \\w+`;
            }
          }
        }
      }
    }
  }
  const children = node.kind === 'seq' ? node.items : node.kind === 'alt' ? node.options : node.kind === 'repeat' ? [node.body] : [];
  for (const child of children) {
    const found = explain(child, src);
    if (found !== undefined) return found;
  }
  return undefined;
}

/** A repetition of something that only matches the empty string (`(?:^)*`) cannot blow up. */
function canBeEmptyOnly(node: Node & { kind: 'repeat' }): boolean {
  return firstSet(node.body) === undefined;
}

/**
 * Why `pattern` (a valid JavaScript regex) may backtrack catastrophically, or undefined when it is
 * safe by these rules. `ignoreCase` folds literal characters as the `i` flag does.
 *
 * @example catastrophicRegex('^(a+)+$') // 'nested repetition: "a+" is repeated inside "(a+)+" ...'
 */
export function catastrophicRegex(pattern: string, ignoreCase = false): string | undefined {
  return explain(new Parser(pattern, ignoreCase).parse(), pattern);
}

/**
 * Compile a configured regex, or say why it cannot be used: JavaScript refuses it (`invalid`), or
 * it can backtrack exponentially on a crafted input (`unsafe`: JavaScript has no PCRE match limit,
 * so one request could hold the process). Every place a configuration gives a regex calls this.
 */
export function compileSafeRegex(source: string, ignoreCase: boolean): { readonly regex: RegExp } | { readonly invalid: string } | { readonly unsafe: string } {
  let regex: RegExp;
  try {
    regex = new RegExp(source, ignoreCase ? 'i' : '');
  } catch (err) {
    return { invalid: (err as Error).message };
  }
  const unsafe = catastrophicRegex(source, ignoreCase);
  return unsafe === undefined ? { regex } : { unsafe };
}
