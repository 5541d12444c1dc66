// The KATCP codec: text lines of `?request`, `!reply` and `#inform` messages.
//
// Hot-path invariants (the #sensor-status decode budget depends on them):
// - A decoded message is one reusable view (KatcpMessageView) over a scratch
//   buffer holding the unescaped name and arguments: no object, array or string
//   per message. Strings are made only when a consumer asks for one (arg(i)).
// - Scratch memory is allocated once, sized from maxLineLength.
// - push() never throws on input: a bad line is counted, described in lastError
//   ("what was received / what was expected") and skipped; an oversized line is
//   discarded up to the next end of line (a resync).
//
// Tolerance: both end-of-line bytes (LF, CR) end a line, so CRLF is a line and an
// empty line; whitespace-only lines are ignored; runs of spaces/tabs separate
// arguments and trailing whitespace is allowed; mids `[0]` and `[05]` (accepted by
// katcp-python, refused by aiokatcp) are accepted; unescaped ESC/NUL bytes inside
// arguments are taken literally. An unknown escape or a lone trailing backslash
// rejects the line, as both reference implementations do.

export const REQUEST = 63; // '?'
export const REPLY = 33; // '!'
export const INFORM = 35; // '#'
export type KatcpType = typeof REQUEST | typeof REPLY | typeof INFORM;

const LF = 10;
const CR = 13;
const SP = 32;
const TAB = 9;
const BACKSLASH = 92;
const LBRACKET = 91;
const RBRACKET = 93;
const MAX_MID = 2 ** 31 - 1;
export const DEFAULT_MAX_LINE = 64 * 1024;
const TYPE_CHAR: Record<number, string> = { [REQUEST]: '?', [REPLY]: '!', [INFORM]: '#' };

/** Decoded escape byte for each character after a backslash; -1 for "empty" (`\@`), -2 unknown. */
const UNESCAPE = new Int16Array(256).fill(-2);
UNESCAPE[BACKSLASH] = BACKSLASH;
UNESCAPE[95] = SP; // \_
UNESCAPE[48] = 0; // \0
UNESCAPE[110] = LF; // \n
UNESCAPE[114] = CR; // \r
UNESCAPE[101] = 27; // \e
UNESCAPE[116] = TAB; // \t
UNESCAPE[64] = -1; // \@

const isAlpha = (c: number) => (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
const isNameChar = (c: number) => isAlpha(c) || (c >= 48 && c <= 57) || c === 45;

const utf8 = new TextDecoder('utf-8');
const encoder = new TextEncoder();

/** One decoded message, valid only during the sink call that receives it. */
export class KatcpMessageView {
  type: KatcpType = REQUEST;
  /** The message id, or 0 when the message has none. */
  mid = 0;
  argc = 0;
  /** Unescaped bytes: name at [0, nameEnd), argument i at [argStart[i], argEnd[i]). */
  readonly buf: Uint8Array;
  nameEnd = 0;
  readonly argStart: Int32Array;
  readonly argEnd: Int32Array;

  constructor(maxLine: number) {
    this.buf = new Uint8Array(maxLine + 1);
    const maxArgs = (maxLine >> 1) + 2;
    this.argStart = new Int32Array(maxArgs);
    this.argEnd = new Int32Array(maxArgs);
  }

  get name(): string {
    return utf8.decode(this.buf.subarray(0, this.nameEnd));
  }

  /** True when the message's name is `name` (ASCII), without making a string. */
  nameIs(name: Uint8Array): boolean {
    if (name.length !== this.nameEnd) return false;
    for (let i = 0; i < name.length; i++) if (this.buf[i] !== name[i]) return false;
    return true;
  }

  arg(i: number): string {
    if (i >= this.argc) return '';
    return utf8.decode(this.buf.subarray(this.argStart[i]!, this.argEnd[i]!));
  }

  argIs(i: number, bytes: Uint8Array): boolean {
    if (i >= this.argc) return false;
    const s = this.argStart[i]!;
    if (this.argEnd[i]! - s !== bytes.length) return false;
    for (let k = 0; k < bytes.length; k++) if (this.buf[s + k] !== bytes[k]) return false;
    return true;
  }

  argLength(i: number): number {
    return i < this.argc ? this.argEnd[i]! - this.argStart[i]! : -1;
  }

  /** Argument i as a number (decimal, optional sign, fraction, exponent); NaN when it is not one. */
  argNumber(i: number): number {
    if (i >= this.argc) return NaN;
    return parseDecimal(this.buf, this.argStart[i]!, this.argEnd[i]!);
  }

  /** A plain copy, for the slow paths (replies, console, tests). */
  toMessage(): KatcpMessage {
    const args: string[] = [];
    for (let i = 0; i < this.argc; i++) args.push(this.arg(i));
    return { type: TYPE_CHAR[this.type] as '?' | '!' | '#', name: this.name, mid: this.mid || null, args };
  }
}

export interface KatcpMessage {
  type: '?' | '!' | '#';
  name: string;
  mid: number | null;
  args: string[];
}

export interface KatcpCounters {
  bytes: number;
  messages: number;
  /** Lines that are not KATCP messages (bad type, name, mid, escape). */
  badLines: number;
  oversizedLines: number;
  emptyLines: number;
  resyncs: number;
}

export interface KatcpSink {
  message(m: KatcpMessageView, t: number): void;
  /** A line that was rejected, with its reason; the raw bytes are valid only during the call. */
  bad?(reason: string, raw: Uint8Array, t: number): void;
}

/** Decodes a byte stream into KATCP messages. Never throws on input. */
export class KatcpDecoder {
  readonly counters: KatcpCounters = { bytes: 0, messages: 0, badLines: 0, oversizedLines: 0, emptyLines: 0, resyncs: 0 };
  lastError: string | null = null;
  readonly maxLineLength: number;
  private readonly view: KatcpMessageView;
  private readonly carry: Uint8Array;
  private carryLen = 0;
  private discarding = false;
  /** Names the link in error messages, e.g. "tcp <host>:<port>". */
  source: string;

  /** `source` names the link in error messages, e.g. "tcp <host>:<port>". */
  constructor(private readonly sink: KatcpSink, opts: { maxLineLength?: number; source?: string } = {}) {
    this.maxLineLength = opts.maxLineLength ?? DEFAULT_MAX_LINE;
    this.source = opts.source ?? 'the device';
    this.view = new KatcpMessageView(this.maxLineLength);
    this.carry = new Uint8Array(this.maxLineLength);
  }

  get pendingBytes(): number {
    return this.carryLen;
  }

  /** Drops a partial line (the link went down: its end will never come). */
  reset(): void {
    this.carryLen = 0;
    this.discarding = false;
  }

  push(chunk: Uint8Array, t: number): void {
    this.counters.bytes += chunk.length;
    const len = chunk.length;
    let pos = 0;
    while (pos < len) {
      let eol = pos;
      while (eol < len) {
        const c = chunk[eol]!;
        if (c === LF || c === CR) break;
        eol++;
      }
      if (eol === len) {
        this.keep(chunk, pos, len);
        return;
      }
      if (this.discarding) {
        this.discarding = false;
        this.counters.resyncs++;
      } else if (this.carryLen === 0) {
        this.line(chunk, pos, eol, t);
      } else if (this.carryLen + eol - pos <= this.maxLineLength) {
        this.carry.set(chunk.subarray(pos, eol), this.carryLen);
        const n = this.carryLen + eol - pos;
        this.carryLen = 0;
        this.line(this.carry, 0, n, t);
      } else {
        this.carryLen = 0;
        this.oversized();
        this.counters.resyncs++;
      }
      pos = eol + 1;
    }
  }

  private keep(chunk: Uint8Array, pos: number, len: number): void {
    if (this.discarding) return;
    const n = this.carryLen + len - pos;
    if (n > this.maxLineLength) {
      this.carryLen = 0;
      this.discarding = true;
      this.oversized();
      return;
    }
    this.carry.set(chunk.subarray(pos, len), this.carryLen);
    this.carryLen = n;
  }

  private oversized(): void {
    this.counters.oversizedLines++;
    this.lastError = `${this.source}: a line longer than ${this.maxLineLength} bytes was received (expected KATCP messages up to that length); skipped to the next end of line`;
  }

  private line(b: Uint8Array, s: number, e: number, t: number): void {
    if (e - s > this.maxLineLength) {
      this.oversized();
      this.counters.resyncs++;
      return;
    }
    let i = s;
    while (i < e && (b[i] === SP || b[i] === TAB)) i++;
    if (i === e) {
      this.counters.emptyLines++;
      return;
    }
    const reason = parseLine(b, i, e, this.view);
    if (reason !== null) {
      this.counters.badLines++;
      this.lastError = `${this.source}: received ${excerpt(b, s, e)}: ${reason}`;
      this.sink.bad?.(reason, b.subarray(s, e), t);
      return;
    }
    this.counters.messages++;
    this.sink.message(this.view, t);
  }
}

/** Parses one line b[s..e) (no end of line, first byte not blank) into v; returns the reason it is bad, or null. */
export function parseLine(b: Uint8Array, s: number, e: number, v: KatcpMessageView): string | null {
  const type = b[s]!;
  if (type !== REQUEST && type !== REPLY && type !== INFORM) {
    return `expected a message type "?", "!" or "#" first, got ${describeByte(type)}`;
  }
  let i = s + 1;
  if (i >= e || !isAlpha(b[i]!)) return 'expected a message name starting with a letter after the type';
  const out = v.buf;
  let o = 0;
  while (i < e && isNameChar(b[i]!)) out[o++] = b[i++]!;
  v.nameEnd = o;
  v.type = type as KatcpType;
  v.mid = 0;
  if (i < e && b[i] === LBRACKET) {
    i++;
    let mid = 0;
    const start = i;
    while (i < e && b[i]! >= 48 && b[i]! <= 57 && i - start < 11) mid = mid * 10 + (b[i++]! - 48);
    if (i === start || i >= e || b[i] !== RBRACKET) return 'expected a message id: "[" digits "]"';
    if (mid > MAX_MID) return `message id ${mid} is above ${MAX_MID}`;
    v.mid = mid;
    i++;
  }
  if (i < e && b[i] !== SP && b[i] !== TAB) {
    return `expected a space or the end of line after the name, got ${describeByte(b[i]!)} (names are letters, digits and "-")`;
  }
  let argc = 0;
  for (;;) {
    while (i < e && (b[i] === SP || b[i] === TAB)) i++;
    if (i >= e) break;
    v.argStart[argc] = o;
    while (i < e) {
      const c = b[i]!;
      if (c === SP || c === TAB) break;
      if (c === BACKSLASH) {
        if (i + 1 >= e) return 'a backslash at the end of an argument (expected an escape such as \\_ or \\\\)';
        const d = UNESCAPE[b[i + 1]!]!;
        if (d === -2) return `unknown escape "\\${String.fromCharCode(b[i + 1]!)}" (expected one of \\\\ \\_ \\0 \\n \\r \\e \\t \\@)`;
        if (d >= 0) out[o++] = d;
        i += 2;
      } else {
        out[o++] = c;
        i++;
      }
    }
    v.argEnd[argc] = o;
    argc++;
  }
  v.argc = argc;
  return null;
}

function describeByte(c: number): string {
  if (c >= 33 && c < 127) return `"${String.fromCharCode(c)}"`;
  return `byte 0x${c.toString(16).padStart(2, '0')}`;
}

function excerpt(b: Uint8Array, s: number, e: number): string {
  const text = utf8.decode(b.subarray(s, Math.min(e, s + 80)));
  return JSON.stringify(text) + (e - s > 80 ? `… (${e - s} bytes)` : '');
}

// ---------------------------------------------------------------- numbers from bytes

const POW10 = Array.from({ length: 23 }, (_, k) => Number(`1e${k}`));
const MAX_EXACT = 2 ** 53;

/** A decimal number from bytes, the same double as Number(); NaN when b[s..e) is not one. */
export function parseDecimal(b: Uint8Array, s: number, e: number): number {
  let i = s;
  let neg = false;
  if (i < e && (b[i] === 45 || b[i] === 43)) neg = b[i++] === 45;
  let m = 0;
  let digits = 0;
  let exp = 0;
  while (i < e && b[i]! >= 48 && b[i]! <= 57) {
    m = m * 10 + (b[i++]! - 48);
    digits++;
  }
  if (i < e && b[i] === 46) {
    i++;
    while (i < e && b[i]! >= 48 && b[i]! <= 57) {
      m = m * 10 + (b[i++]! - 48);
      digits++;
      exp--;
    }
  }
  if (digits === 0) return slowNumber(b, s, e);
  if (i < e && (b[i] === 101 || b[i] === 69)) {
    i++;
    let eneg = false;
    if (i < e && (b[i] === 45 || b[i] === 43)) eneg = b[i++] === 45;
    let ev = 0;
    const es = i;
    while (i < e && b[i]! >= 48 && b[i]! <= 57 && i - es < 6) ev = ev * 10 + (b[i++]! - 48);
    if (i === es) return NaN;
    exp += eneg ? -ev : ev;
  }
  if (i !== e) return slowNumber(b, s, e);
  // Exact when the mantissa is an exact double and the power of ten too (Clinger's fast path).
  if (m > MAX_EXACT || exp > 22 || exp < -22) return slowNumber(b, s, e);
  const v = exp >= 0 ? m * POW10[exp]! : m / POW10[-exp]!;
  return neg ? -v : v;
}

const NUMBER_TEXT = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$|^[+-]?(inf|infinity|nan)$/i;

function slowNumber(b: Uint8Array, s: number, e: number): number {
  if (e - s > 64 || e === s) return NaN;
  const text = utf8.decode(b.subarray(s, e));
  if (!NUMBER_TEXT.test(text)) return NaN;
  const lower = text.toLowerCase().replace(/^\+/, '');
  if (lower.endsWith('inf') || lower.endsWith('infinity')) return lower.startsWith('-') ? -Infinity : Infinity;
  if (lower.endsWith('nan')) return NaN;
  return Number(text);
}

// ---------------------------------------------------------------- encoding

const ESCAPES: Record<string, string> = { '\\': '\\\\', ' ': '\\_', '\0': '\\0', '\n': '\\n', '\r': '\\r', '\x1b': '\\e', '\t': '\\t' };
const NEEDS_ESCAPE = /[\\ \0\n\r\x1b\t]/g;
const NAME = /^[A-Za-z][A-Za-z0-9-]*$/;

export function escapeArg(arg: string): string {
  if (arg === '') return '\\@';
  return arg.replace(NEEDS_ESCAPE, (c) => ESCAPES[c]!);
}

/** One message as a line with its LF; throws RangeError for a bad name or mid (our own input, never the device's). */
export function encodeMessage(type: '?' | '!' | '#', name: string, args: readonly (string | number | boolean)[] = [], mid: number | null = null): string {
  if (!NAME.test(name)) throw new RangeError(`KATCP message names are a letter then letters, digits or "-", got "${name}"`);
  if (mid !== null && (!Number.isInteger(mid) || mid < 1 || mid > MAX_MID)) throw new RangeError(`KATCP message ids are 1 to ${MAX_MID}, got ${mid}`);
  let line = type + name + (mid !== null ? `[${mid}]` : '');
  for (const a of args) line += ` ${escapeArg(typeof a === 'boolean' ? (a ? '1' : '0') : String(a))}`;
  return `${line}\n`;
}

export function encodeMessageBytes(type: '?' | '!' | '#', name: string, args: readonly (string | number | boolean)[] = [], mid: number | null = null): Uint8Array {
  return encoder.encode(encodeMessage(type, name, args, mid));
}

/** ASCII bytes of a name, for nameIs()/argIs() comparisons on the hot path. */
export function ascii(text: string): Uint8Array {
  return encoder.encode(text);
}

/**
 * Splits a line typed in a console into name and arguments: `?sensor-value cpu.temp`
 * or `sensor-value cpu.temp` (the `?` is optional); arguments are taken as typed,
 * escapes included. Returns null when the text is not a request.
 */
export function parseTypedRequest(text: string): { name: string; args: string[] } | null {
  const bytes = encoder.encode(text.trim().replace(/^(?!\?)/, '?'));
  const v = new KatcpMessageView(Math.max(bytes.length, 16));
  if (bytes.length <= 1 || parseLine(bytes, 0, bytes.length, v) !== null || v.type !== REQUEST) return null;
  const m = v.toMessage();
  return { name: m.name, args: m.args };
}
