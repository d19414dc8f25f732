// Packer's -only/-except patterns are gobwas/glob (v0.2.3) globs compiled without separators. This
// module mirrors that library's syntax and its edge cases as Packer 1.6.6 shows them (see
// fixtures/packer/recorded/filter-oracle.json): `*` and `**` match any sequence (dots included),
// `?` one character, `[abc]` / `[!abc]` one character of / not of a set, `[a-z]` / `[!a-z]` one
// range (a class holds one set or one range, never both), `{a,b}` alternatives (an unclosed `{` is
// closed at the end, an empty `{}` matches nothing), `\x` a literal x (a trailing `\` is dropped).
// Characters are Unicode code points, as Go's runes.

/** A pattern Packer would reject, with gobwas/glob's own reason. */
export class GlobSyntaxError extends Error {
  constructor(
    readonly pattern: string,
    readonly reason: string,
  ) {
    super(`${reason} in glob '${pattern}'`);
    this.name = 'GlobSyntaxError';
  }
}

type Node =
  | { kind: 'text'; text: string }
  | { kind: 'any' }
  | { kind: 'single' }
  | { kind: 'list'; chars: string; not: boolean }
  | { kind: 'range'; lo: string; hi: string; not: boolean }
  | { kind: 'anyOf'; alternatives: Node[][] };

type Token =
  | { type: 'text'; data: string }
  | { type: 'any' | 'super' | 'single' | 'not' | 'separator' | 'rangeOpen' | 'rangeClose' | 'termsOpen' | 'termsClose' | 'rangeBetween' }
  | { type: 'rangeLo' | 'rangeHi'; data: string };

const TEXT_BREAKERS = ['?', '*', '[', '{'];
const TERMS_BREAKERS = [...TEXT_BREAKERS, '}', ','];

/** Splits a pattern into tokens exactly where gobwas/glob's lexer does. */
function lex(pattern: string): Token[] {
  const chars = Array.from(pattern);
  const tokens: Token[] = [];
  let pos = 0;
  let termsLevel = 0;
  const fail = (reason: string): never => {
    throw new GlobSyntaxError(pattern, reason);
  };
  const readText = (breakers: string[]) => {
    let data = '';
    let escaped = false;
    while (pos < chars.length) {
      const c = chars[pos]!;
      if (!escaped) {
        if (c === '\\') {
          escaped = true;
          pos++;
          continue;
        }
        if (breakers.includes(c)) break;
      }
      escaped = false;
      data += c;
      pos++;
    }
    if (data.length > 0) tokens.push({ type: 'text', data });
  };
  const readRange = () => {
    let wantHi = false;
    let wantClose = false;
    let seenNot = false;
    for (;;) {
      if (pos >= chars.length) fail('unexpected end of input');
      const c = chars[pos++]!;
      if (wantClose) {
        if (c !== ']') fail('expected close range character');
        tokens.push({ type: 'rangeClose' });
        return;
      }
      if (wantHi) {
        tokens.push({ type: 'rangeHi', data: c });
        wantClose = true;
        continue;
      }
      if (!seenNot && c === '!') {
        tokens.push({ type: 'not' });
        seenNot = true;
        continue;
      }
      if (chars[pos] === '-') {
        pos++;
        tokens.push({ type: 'rangeLo', data: c }, { type: 'rangeBetween' });
        wantHi = true;
        continue;
      }
      pos--;
      readText([']']);
      wantClose = true;
    }
  };
  while (pos < chars.length) {
    const c = chars[pos]!;
    if (c === '{') {
      pos++;
      termsLevel++;
      tokens.push({ type: 'termsOpen' });
    } else if (c === ',' && termsLevel > 0) {
      pos++;
      tokens.push({ type: 'separator' });
    } else if (c === '}' && termsLevel > 0) {
      pos++;
      termsLevel--;
      tokens.push({ type: 'termsClose' });
    } else if (c === '[') {
      pos++;
      tokens.push({ type: 'rangeOpen' });
      readRange();
    } else if (c === '?') {
      pos++;
      tokens.push({ type: 'single' });
    } else if (c === '*') {
      pos++;
      if (chars[pos] === '*') {
        pos++;
        tokens.push({ type: 'super' });
      } else tokens.push({ type: 'any' });
    } else {
      readText(termsLevel > 0 ? TERMS_BREAKERS : TEXT_BREAKERS);
    }
  }
  return tokens;
}

/** Builds the syntax tree; like gobwas/glob, groups still open at the end are closed there. */
function parse(pattern: string, tokens: Token[]): Node[] {
  const root: Node[] = [];
  // Each open group: its node and the alternative being filled.
  const stack: Array<{ group: Extract<Node, { kind: 'anyOf' }>; current: Node[] }> = [];
  const target = () => stack.at(-1)?.current ?? root;
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!;
    switch (token.type) {
      case 'text':
        target().push({ kind: 'text', text: token.data });
        break;
      case 'any':
      case 'super':
        // Without separators `*` and `**` are the same matcher.
        target().push({ kind: 'any' });
        break;
      case 'single':
        target().push({ kind: 'single' });
        break;
      case 'termsOpen': {
        const group: Extract<Node, { kind: 'anyOf' }> = { kind: 'anyOf', alternatives: [[]] };
        target().push(group);
        stack.push({ group, current: group.alternatives[0]! });
        break;
      }
      case 'separator': {
        const top = stack.at(-1)!;
        top.current = [];
        top.group.alternatives.push(top.current);
        break;
      }
      case 'termsClose':
        stack.pop();
        break;
      case 'rangeOpen': {
        let not = false;
        let lo: string | undefined;
        let hi: string | undefined;
        let chars = '';
        for (i++; i < tokens.length; i++) {
          const t = tokens[i]!;
          if (t.type === 'not') not = true;
          else if (t.type === 'rangeLo') lo = t.data;
          else if (t.type === 'rangeHi') {
            hi = t.data;
            if (lo !== undefined && hi.codePointAt(0)! < lo.codePointAt(0)!) {
              throw new GlobSyntaxError(pattern, `hi character '${hi}' should be greater than lo '${lo}'`);
            }
          } else if (t.type === 'text') chars = t.data;
          else if (t.type === 'rangeClose') break;
        }
        const isRange = lo !== undefined && hi !== undefined;
        if (isRange === (chars !== '')) throw new GlobSyntaxError(pattern, 'could not parse range');
        target().push(isRange ? { kind: 'range', lo: lo!, hi: hi!, not } : { kind: 'list', chars, not });
        break;
      }
      default:
        // The lexer emits the remaining token types only inside a class, handled above.
        throw new GlobSyntaxError(pattern, 'unexpected token');
    }
  }
  return root;
}

// Unicode-mode regular expressions allow only these escapes outside and inside a class.
const escapeText = (s: string) => s.replace(/[\\^$.*+?()[\]{}|/]/g, '\\$&');
const escapeClass = (s: string) => s.replace(/[\\^\-[\]]/g, '\\$&');

function toRegExpSource(nodes: Node[]): string {
  return nodes
    .map((node) => {
      switch (node.kind) {
        case 'text':
          return escapeText(node.text);
        case 'any':
          return '.*';
        case 'single':
          return '.';
        case 'list':
          return `[${node.not ? '^' : ''}${escapeClass(node.chars)}]`;
        case 'range':
          return `[${node.not ? '^' : ''}${escapeClass(node.lo)}-${escapeClass(node.hi)}]`;
        case 'anyOf': {
          // gobwas/glob 0.2.3 (Packer's copy) matches nothing with an empty alternative.
          const alternatives = node.alternatives.filter((a) => a.length > 0);
          return alternatives.length === 0 ? '(?!)' : `(?:${alternatives.map(toRegExpSource).join('|')})`;
        }
      }
    })
    .join('');
}

export interface Glob {
  readonly pattern: string;
  match(name: string): boolean;
}

/** Compiles a gobwas/glob pattern (no separators, as Packer compiles -only/-except); throws GlobSyntaxError. */
export function compileGlob(pattern: string): Glob {
  const regexp = new RegExp(`^${toRegExpSource(parse(pattern, lex(pattern)))}$`, 'su');
  return { pattern, match: (name) => regexp.test(name) };
}
