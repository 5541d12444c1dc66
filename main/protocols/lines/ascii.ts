// The bytes the line formats are made of, and the scans over them that allocate nothing:
// the decoders read text in place in the received chunk.

export const LF = 10;
export const CR = 13;
export const SP = 32;
export const TAB = 9;
export const COMMA = 44;
export const SEMI = 59;
export const HASH = 35;
export const EQ = 61;
export const COLON = 58;
export const QUOTE = 34;
export const DOT = 46;
export const MINUS = 45;
export const BACKSLASH = 92;
export const LBRACE = 123;
export const RBRACE = 125;
export const LBRACKET = 91;
export const RBRACKET = 93;
export const TRUE = [116, 114, 117, 101];
export const FALSE = [102, 97, 108, 115, 101];
export const NULL = [110, 117, 108, 108];

export function countNewlines(b: Uint8Array): number {
  let n = 0;
  for (let k = b.indexOf(LF); k >= 0; k = b.indexOf(LF, k + 1)) n++;
  return n;
}

export function isPairSeparator(c: number): boolean {
  return c === COMMA || c === SEMI || c === SP || c === TAB;
}

export function startsLikeNumber(c: number): boolean {
  return (c >= 48 && c <= 57) || c === MINUS || c === 43 || c === DOT;
}

export function skipWhitespace(b: Uint8Array, k: number, e: number): number {
  while (k < e && (b[k] === SP || b[k] === TAB)) k++;
  return k;
}

/** Index just past the string whose opening quote is at b[k], or -1 when it does not end. */
export function skipString(b: Uint8Array, k: number, e: number): number {
  for (let q = k + 1; q < e; q++) {
    if (b[q] === BACKSLASH) q++;
    else if (b[q] === QUOTE) return q + 1;
  }
  return -1;
}

export function matchWord(b: Uint8Array, k: number, e: number, word: readonly number[]): boolean {
  if (k + word.length > e) return false;
  for (let j = 0; j < word.length; j++) if (b[k + j] !== word[j]) return false;
  return true;
}
