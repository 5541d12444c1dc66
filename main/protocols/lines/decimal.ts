// Numbers straight from the bytes of a line: no string per field on the common path.
//
// The fast path reads sign, digits, fraction and exponent into an integer mantissa
// m and a power of ten e, and returns m * 10^e (or m / 10^-e) when both are exact
// doubles (m < 2^53, |e| <= 22): one correctly rounded operation gives the same
// double as Number() (Clinger's fast path). Anything else (long mantissas, large
// exponents, nan, inf, hex, true/false, quoted numbers) takes a slow path that
// builds the string once and defers to Number().

// From literals: `10 ** k` is not guaranteed to be correctly rounded.
const POW10 = Array.from({ length: 23 }, (_, k) => Number(`1e${k}`));
const MAX_EXACT = 2 ** 53;
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;
const SIGNED_SPECIAL = /^([+-]?)(inf|infinity|nan|0x[0-9a-f]{1,16})$/i;
const BOOLEAN = /^(true|false)$/i;
/** Longer fields are not numbers a device prints; this bounds the slow path's string. */
const MAX_SLOW_FIELD = 512;

export class DecimalScanner {
  /** After scan(): index just past the number read (== start when there was none). */
  end = 0;
  /** After parseField(): whether the whole field was a number. */
  ok = false;

  /** Reads the longest decimal number starting at `start` (before `limit`); sets `end`. */
  scan(b: Uint8Array, start: number, limit: number): number {
    let i = start;
    let neg = false;
    if (i < limit) {
      const c = b[i]!;
      if (c === 45) {
        neg = true;
        i++;
      } else if (c === 43) {
        i++;
      }
    }
    let mant = 0;
    let digits = 0;
    let exp = 0;
    while (i < limit) {
      const d = b[i]! - 48;
      if (d < 0 || d > 9) break;
      mant = mant * 10 + d;
      digits++;
      i++;
    }
    if (i < limit && b[i] === 46) {
      i++;
      while (i < limit) {
        const d = b[i]! - 48;
        if (d < 0 || d > 9) break;
        mant = mant * 10 + d;
        digits++;
        exp--;
        i++;
      }
    }
    if (digits === 0) {
      this.end = start;
      return NaN;
    }
    if (i < limit && (b[i]! | 32) === 101) {
      // An exponent only counts with at least one digit: "1e" is the number 1 followed by text.
      let j = i + 1;
      let eneg = false;
      if (j < limit && (b[j] === 45 || b[j] === 43)) {
        eneg = b[j] === 45;
        j++;
      }
      const digitsAt = j;
      let ev = 0;
      while (j < limit) {
        const d = b[j]! - 48;
        if (d < 0 || d > 9) break;
        if (ev < 1e6) ev = ev * 10 + d;
        j++;
      }
      if (j > digitsAt) {
        exp += eneg ? -ev : ev;
        i = j;
      }
    }
    this.end = i;
    if (mant === 0) return neg ? -0 : 0;
    if (mant >= MAX_EXACT || exp > 22 || exp < -22) return Number(latin1(b, start, i));
    const v = exp === 0 ? mant : exp > 0 ? mant * POW10[exp]! : mant / POW10[-exp]!;
    return neg ? -v : v;
  }

  /** The whole field [start, end) as a number (surrounding blanks already removed); sets `ok`. */
  parseField(b: Uint8Array, start: number, end: number): number {
    const v = this.scan(b, start, end);
    if (this.end === end && end > start) {
      this.ok = true;
      return v;
    }
    return this.parseOdd(b, start, end);
  }

  /** nan, inf, infinity, 0x hex, true/false, and any of those or a decimal in double quotes. */
  private parseOdd(b: Uint8Array, start: number, end: number): number {
    this.ok = false;
    if (end - start > MAX_SLOW_FIELD || end === start) return NaN;
    for (let i = start; i < end; i++) if (b[i]! < 0x20 || b[i]! > 0x7e) return NaN;
    let s = latin1(b, start, end);
    if (s.length >= 2 && s.startsWith('"') && s.endsWith('"')) s = s.slice(1, -1).trim();
    if (DECIMAL.test(s)) {
      this.ok = true;
      return Number(s);
    }
    if (BOOLEAN.test(s)) {
      this.ok = true;
      return s.toLowerCase() === 'true' ? 1 : 0;
    }
    const m = SIGNED_SPECIAL.exec(s);
    if (m === null) return NaN;
    this.ok = true;
    const word = m[2]!.toLowerCase();
    if (word === 'nan') return NaN;
    const sign = m[1] === '-' ? -1 : 1;
    return word.startsWith('0x') ? sign * parseInt(word.slice(2), 16) : sign * Infinity;
  }
}

function latin1(b: Uint8Array, start: number, end: number): string {
  let s = '';
  for (let i = start; i < end; i++) s += String.fromCharCode(b[i]!);
  return s;
}
