// JSON lines: one object per line; numeric and boolean members, nested objects' ones
// included, become signals named by their dotted path. Strings, arrays and null are skipped.
//
// Hot-path invariants: no string or object per member: the path is built in a fixed buffer
// and reaches its signal id from its bytes (SignalIds), numbers are read from bytes; a key
// with escapes is the one case decoded through JSON.parse. Samples are staged until the
// line is good.

import {
  BACKSLASH, COLON, COMMA, DOT, FALSE, LBRACE, LBRACKET, MINUS, NULL, QUOTE, RBRACE, RBRACKET, TRUE,
  matchWord, skipString, skipWhitespace,
} from './ascii';
import { DecimalScanner } from './decimal';
import type { DeviceTime } from './device-time';
import type { LineErrors } from './line-errors';
import { INVALID_NAME, type SignalIds } from './signal-ids';
import type { StagedSamples } from './staged-samples';

const MAX_JSON_DEPTH = 32;

export class JsonLines {
  private readonly num = new DecimalScanner();
  private readonly utf8 = new TextDecoder('utf-8');
  private readonly encoder = new TextEncoder();
  /** The flattened path of the member being read. */
  private readonly path: Uint8Array;
  /** Where the parse has got to in the line. */
  private jp = 0;
  private hasTime = false;
  private time = NaN;

  constructor(
    maxLineLength: number,
    private readonly ids: SignalIds,
    private readonly staged: StagedSamples,
    private readonly timestamps: DeviceTime,
    private readonly errors: LineErrors,
  ) {
    // A flattened JSON path is never longer than the line it comes from.
    this.path = new Uint8Array(maxLineLength + 2);
  }

  /** The line b[s..e), trimmed and not a comment. */
  decode(b: Uint8Array, s: number, e: number, t: number): boolean {
    if (b[s] !== LBRACE) return this.errors.fail(`expected a JSON object, got ${this.errors.excerpt(b, s, e)}`);
    this.staged.clear();
    this.hasTime = false;
    this.jp = s;
    if (!this.object(b, e, 1, 0)) return false;
    const k = skipWhitespace(b, this.jp, e);
    if (k < e) return this.fail(k, 'text after the closing }');
    return this.staged.commit(t, this.hasTime, this.time);
  }

  /** The object at this.jp; numeric and boolean members become signals named by their dotted path. */
  private object(b: Uint8Array, e: number, depth: number, pathLen: number): boolean {
    let k = skipWhitespace(b, this.jp + 1, e);
    if (k < e && b[k] === RBRACE) {
      this.jp = k + 1;
      return true;
    }
    for (;;) {
      if (k >= e || b[k] !== QUOTE) return this.fail(k, 'expected a quoted key');
      const keyEnd = this.key(b, k, e, pathLen);
      if (keyEnd < 0) return false;
      k = skipWhitespace(b, this.jp, e);
      if (k >= e || b[k] !== COLON) return this.fail(k, "expected ':' after the key");
      k = skipWhitespace(b, k + 1, e);
      // Past the line's end the buffer holds stale bytes of an earlier line: nothing there is a value.
      const c = k < e ? b[k] : undefined;
      if (c === LBRACE) {
        if (depth >= MAX_JSON_DEPTH) return this.fail(k, `objects nested deeper than ${MAX_JSON_DEPTH}`);
        this.path[keyEnd] = DOT;
        this.jp = k;
        if (!this.object(b, e, depth + 1, keyEnd + 1)) return false;
        k = this.jp;
      } else if (c === MINUS || (c !== undefined && c >= 48 && c <= 57)) {
        const v = this.num.scan(b, k, e);
        if (this.num.end === k) return this.fail(k, 'bad number');
        k = this.num.end;
        if (!this.leaf(keyEnd, v)) return false;
      } else if (matchWord(b, k, e, TRUE) || matchWord(b, k, e, FALSE)) {
        const v = b[k] === TRUE[0] ? 1 : 0;
        k += v === 1 ? TRUE.length : FALSE.length;
        if (!this.leaf(keyEnd, v)) return false;
      } else {
        // Strings, arrays and null are not signals: skip them whole.
        this.jp = k;
        if (!this.skip(b, e, depth)) return false;
        k = this.jp;
      }
      k = skipWhitespace(b, k, e);
      if (k < e && b[k] === COMMA) {
        k = skipWhitespace(b, k + 1, e);
        continue;
      }
      if (k < e && b[k] === RBRACE) {
        this.jp = k + 1;
        return true;
      }
      return this.fail(k, "expected ',' or '}'");
    }
  }

  /** Appends the key at b[k] (its opening quote) to the path; returns the path's new end, or -1. */
  private key(b: Uint8Array, k: number, e: number, pathLen: number): number {
    const path = this.path;
    let q = k + 1;
    let escaped = false;
    while (q < e && b[q] !== QUOTE) {
      if (b[q] === BACKSLASH) {
        escaped = true;
        q++;
      }
      q++;
    }
    if (q >= e) {
      this.fail(k, 'unterminated key');
      return -1;
    }
    this.jp = q + 1;
    if (!escaped) {
      if (pathLen + q - k - 1 > path.length) return this.keyTooLong(k);
      let p = pathLen;
      for (let j = k + 1; j < q; j++) path[p++] = b[j]!;
      return p;
    }
    // Rare: a key with escapes, decoded once through JSON.parse.
    let bytes: Uint8Array;
    try {
      bytes = this.encoder.encode(JSON.parse(this.utf8.decode(b.subarray(k, q + 1))) as string);
    } catch {
      this.fail(k, 'bad escape in key');
      return -1;
    }
    if (pathLen + bytes.length > path.length) return this.keyTooLong(k);
    path.set(bytes, pathLen);
    return pathLen + bytes.length;
  }

  private keyTooLong(k: number): -1 {
    this.fail(k, 'key path too long');
    return -1;
  }

  private leaf(keyEnd: number, v: number): boolean {
    if (this.timestamps.isName(this.path, 0, keyEnd)) {
      this.hasTime = true;
      this.time = v;
      return true;
    }
    const id = this.ids.byBytes(this.path, 0, keyEnd);
    if (id === INVALID_NAME) return this.errors.fail(`field name ${this.errors.excerpt(this.path, 0, keyEnd)} is not usable`);
    if (id >= 0) this.staged.add(id, v);
    return true;
  }

  /** Skips any JSON value at this.jp. */
  private skip(b: Uint8Array, e: number, depth: number): boolean {
    const k = this.jp;
    const c = k < e ? b[k] : undefined;
    if (c === QUOTE) {
      const q = skipString(b, k, e);
      if (q < 0) return this.fail(k, 'unterminated string');
      this.jp = q;
      return true;
    }
    if (c === LBRACKET || c === LBRACE) {
      if (depth >= MAX_JSON_DEPTH) return this.fail(k, `values nested deeper than ${MAX_JSON_DEPTH}`);
      const close = c === LBRACKET ? RBRACKET : RBRACE;
      let q = skipWhitespace(b, k + 1, e);
      if (q < e && b[q] === close) {
        this.jp = q + 1;
        return true;
      }
      for (;;) {
        if (c === LBRACE) {
          if (q >= e || b[q] !== QUOTE) return this.fail(q, 'expected a quoted key');
          q = skipString(b, q, e);
          if (q < 0) return this.fail(k, 'unterminated key');
          q = skipWhitespace(b, q, e);
          if (q >= e || b[q] !== COLON) return this.fail(q, "expected ':' after the key");
          q = skipWhitespace(b, q + 1, e);
        }
        this.jp = q;
        if (!this.skip(b, e, depth + 1)) return false;
        q = skipWhitespace(b, this.jp, e);
        if (q < e && b[q] === COMMA) {
          q = skipWhitespace(b, q + 1, e);
          continue;
        }
        if (q < e && b[q] === close) {
          this.jp = q + 1;
          return true;
        }
        return this.fail(q, `expected ',' or '${String.fromCharCode(close)}'`);
      }
    }
    if (matchWord(b, k, e, NULL)) {
      this.jp = k + NULL.length;
      return true;
    }
    if (matchWord(b, k, e, TRUE)) {
      this.jp = k + TRUE.length;
      return true;
    }
    if (matchWord(b, k, e, FALSE)) {
      this.jp = k + FALSE.length;
      return true;
    }
    if (c === MINUS || (c !== undefined && c >= 48 && c <= 57)) {
      this.num.scan(b, k, e);
      if (this.num.end > k) {
        this.jp = this.num.end;
        return true;
      }
    }
    return this.fail(k, k >= e ? 'missing value' : 'unexpected character');
  }

  private fail(at: number, what: string): false {
    return this.errors.fail(`JSON: ${what} at column ${at - this.errors.lineStart + 1}`);
  }
}
