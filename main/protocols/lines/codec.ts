// The `lines` protocol codec: a device prints text lines (CSV, key=value pairs or
// one JSON object per line) and every numeric field becomes a sample.
//
// Hot-path invariants (the decode+store budget depends on them):
// - No object, string or JSON per sample or per field: lines are cut and parsed in
//   place in the chunk (a line split across chunks is copied once into a fixed carry
//   buffer), numbers are read from bytes, and names reach their signal ids through
//   caches keyed by column (CSV) or by name bytes (kv, JSON). Strings are made only
//   for new names and for error messages.
// - Scratch memory is allocated once, in the constructor, sized from maxLineLength.
// - push() never throws on input: every byte ends up in a complete line, in a
//   discarded oversized line, or in the pending partial line:
//   counters.bytes === counters.lineBytes + counters.discardedBytes + pendingBytes.
// - A line is all or nothing: a bad line yields no samples, so a garbled or merged
//   line never puts a value in the wrong signal.

import { LinesOptionsSchema, type LinesOptions, type LinesOptionsInput } from '../../../shared/api/lines-options';
import { DecimalScanner } from './decimal';
import { ReceiveClock } from './receive-clock';
import { NAME_NOT_FOUND, SignalNameTable } from './signal-names';

export interface LinesSink {
  /** Called once per new signal name; returns the id its samples are sent with. */
  signal(name: string): number;
  sample(id: number, t: number, v: number): void;
  /** Every non-empty line within the length limit, without CR/LF; the bytes are valid only during the call. */
  rawLine?(bytes: Uint8Array, start: number, end: number, t: number, ok: boolean): void;
}

export interface LinesCounters {
  bytes: number;
  /** Non-empty lines within the length limit: data, headers, comments and bad lines. */
  lines: number;
  samples: number;
  badLines: number;
  /** Lines starting with `#` (the emulator's replies among them). */
  comments: number;
  headers: number;
  emptyLines: number;
  oversizedLines: number;
  /** Times the decoder skipped to the next newline after an oversized line. */
  resyncs: number;
  /** Bytes of complete lines, terminators included (oversized lines excepted). */
  lineBytes: number;
  /** Bytes of oversized lines, and of a partial line dropped by reset(). */
  discardedBytes: number;
}

const LF = 10;
const CR = 13;
const SP = 32;
const TAB = 9;
const COMMA = 44;
const SEMI = 59;
const HASH = 35;
const EQ = 61;
const COLON = 58;
const QUOTE = 34;
const DOT = 46;
const MINUS = 45;
const BACKSLASH = 92;
const LBRACE = 123;
const RBRACE = 125;
const LBRACKET = 91;
const RBRACKET = 93;
const TRUE = [116, 114, 117, 101];
const FALSE = [102, 97, 108, 115, 101];
const NULL = [110, 117, 108, 108];

const EMPTY = 0;
const NUMBER = 1;
const TEXT = 2;

/** Signal id stand-ins: a name past the signal limit, a name that cannot be a signal name, a name the user removed. */
const REFUSED = -2;
const INVALID_NAME = -3;
const REMOVED = -4;

const MAX_NAME_BYTES = 128;
const MAX_JSON_DEPTH = 32;
/** Device times below this many seconds (1973) count from device start, not from the epoch. */
const RELATIVE_TIME_LIMIT = 1e8;
const SEPARATOR_CODES = { ',': COMMA, ';': SEMI, '\t': TAB, ' ': SP } as const;
const TIME_SCALE = { s: 1, ms: 1e-3, us: 1e-6 } as const;

export class LinesDecoder {
  readonly counters: LinesCounters = {
    bytes: 0, lines: 0, samples: 0, badLines: 0, comments: 0, headers: 0, emptyLines: 0,
    oversizedLines: 0, resyncs: 0, lineBytes: 0, discardedBytes: 0,
  };
  /** The last problem seen, e.g. `line 12: field "x" is not a number: "1.2.3"`. */
  lastError: string | null = null;

  private readonly opts: LinesOptions;
  private readonly num = new DecimalScanner();
  private readonly utf8 = new TextDecoder('utf-8', { fatal: true });
  private readonly utf8Lenient = new TextDecoder('utf-8');
  private readonly encoder = new TextEncoder();

  // Framing. A line may have one byte over the limit while that byte could be its CR.
  private readonly maxRaw: number;
  private readonly carry: Uint8Array;
  private carryLen = 0;
  private discarding = false;
  private lineNo = 0;
  private lineStart = 0;
  private readonly clock: ReceiveClock;

  // Signals.
  private readonly names = new SignalNameTable();
  private signalCount = 0;
  private limitReported = false;
  private readonly renamed: Map<string, string>;
  private readonly removed: Set<string>;

  // CSV: per-field scratch, and the signal id per column (-1 until resolved).
  private readonly fixedSep: number;
  private readonly kind: Uint8Array;
  private readonly fieldStart: Int32Array;
  private readonly fieldEnd: Int32Array;
  private readonly fieldValue: Float64Array;
  private readonly colIds: Int32Array;
  private headerNames: string[] | null = null;
  /** A header or a data line has been accepted: later headers need at least two all-text fields. */
  private csvStarted = false;
  private sawCsv = false;
  private tsColumn = -1;

  // kv and JSON: samples staged until the line is known good.
  private readonly stageIds: Int32Array;
  private readonly stageValues: Float64Array;
  private stageCount = 0;
  private readonly path: Uint8Array;
  private jp = 0;
  private jsonHasTime = false;
  private jsonTime = NaN;

  // Device timestamps.
  private readonly tsName: Uint8Array | null;
  private readonly tsIndexOption: number;
  private readonly tsScale: number;
  private anchor = NaN;
  private lastDeviceTime = -Infinity;

  /**
   * `previous`: the decoder these options replace on a running link. Its counters, partial
   * line, receive clock and CSV header carry over, so a device that printed its header long
   * ago keeps its column names under the new options.
   */
  constructor(options: LinesOptionsInput, private readonly sink: LinesSink, previous?: LinesDecoder) {
    this.opts = LinesOptionsSchema.parse(options);
    this.renamed = new Map(Object.entries(this.opts.rename));
    this.removed = new Set(this.opts.remove);
    this.clock = previous?.clock ?? new ReceiveClock();
    const max = this.opts.maxLineLength;
    this.maxRaw = max + 1;
    this.carry = new Uint8Array(this.maxRaw);
    this.fixedSep = this.opts.separator === 'auto' ? 0 : SEPARATOR_CODES[this.opts.separator];
    // A line of L bytes has at most L + 1 fields.
    this.kind = new Uint8Array(max + 2);
    this.fieldStart = new Int32Array(max + 2);
    this.fieldEnd = new Int32Array(max + 2);
    this.fieldValue = new Float64Array(max + 2);
    this.colIds = new Int32Array(max + 2).fill(-1);
    this.stageIds = new Int32Array(max + 2);
    this.stageValues = new Float64Array(max + 2);
    // A flattened JSON path is never longer than the line it comes from.
    this.path = new Uint8Array(max + 2);
    const ts = this.opts.timestampColumn;
    this.tsName = ts === null ? null : this.encoder.encode(ts);
    this.tsIndexOption = ts !== null && /^\d{1,6}$/.test(ts) && Number(ts) >= 1 ? Number(ts) - 1 : -1;
    this.tsScale = TIME_SCALE[this.opts.timestampUnit];
    if (previous) this.continueFrom(previous);
    this.resolveTimestampColumn();
  }

  /**
   * The timestamp column named in the options while no CSV header naming it has come (the
   * device printed its header before the port opened): null when nothing is awaited.
   */
  get awaitedHeader(): string | null {
    return this.sawCsv && this.awaitingNamedColumn() ? this.opts.timestampColumn : null;
  }

  private continueFrom(previous: LinesDecoder): void {
    Object.assign(this.counters, previous.counters);
    this.lastError = previous.lastError;
    this.lineNo = previous.lineNo;
    this.discarding = previous.discarding;
    if (previous.carryLen <= this.maxRaw) {
      this.carry.set(previous.carry.subarray(0, previous.carryLen));
      this.carryLen = previous.carryLen;
    } else {
      this.counters.discardedBytes += previous.carryLen;
      this.discarding = true;
    }
    if (this.opts.header !== 'absent') this.headerNames = previous.headerNames;
    this.csvStarted = previous.csvStarted;
    this.sawCsv = previous.sawCsv;
  }

  /** Bytes of the line received so far but not yet ended by a newline. */
  get pendingBytes(): number {
    return this.carryLen;
  }

  /**
   * Decodes a chunk received at time `t` (seconds since the epoch). Never throws on any input.
   * Its lines get distinct receive times, spread since the previous chunk (see ReceiveClock).
   */
  push(chunk: Uint8Array, t: number): void {
    const c = this.counters;
    const len = chunk.length;
    c.bytes += len;
    this.clock.chunk(t, countNewlines(chunk));
    let pos = 0;
    while (pos < len) {
      const nl = chunk.indexOf(LF, pos);
      if (nl < 0) {
        this.keepPartial(chunk, pos, len);
        return;
      }
      this.lineNo++;
      const at = this.clock.next();
      if (this.discarding) {
        this.discarding = false;
        c.discardedBytes += nl + 1 - pos;
        c.resyncs++;
      } else if (this.carryLen === 0) {
        this.line(chunk, pos, nl, at);
      } else if (this.carryLen + nl - pos <= this.maxRaw) {
        this.carry.set(chunk.subarray(pos, nl), this.carryLen);
        const n = this.carryLen + nl - pos;
        this.carryLen = 0;
        this.line(this.carry, 0, n, at);
      } else {
        c.discardedBytes += this.carryLen + nl + 1 - pos;
        this.carryLen = 0;
        this.oversized(this.lineNo);
        c.resyncs++;
      }
      pos = nl + 1;
    }
  }

  /** Drops the partial line, e.g. when the link reconnects and its end will never come. */
  reset(): void {
    this.counters.discardedBytes += this.carryLen;
    this.carryLen = 0;
    this.discarding = false;
    this.clock.reset();
  }

  private keepPartial(chunk: Uint8Array, pos: number, len: number): void {
    if (this.discarding) {
      this.counters.discardedBytes += len - pos;
      return;
    }
    const n = this.carryLen + len - pos;
    if (n > this.maxRaw) {
      this.counters.discardedBytes += n;
      this.carryLen = 0;
      this.discarding = true;
      this.oversized(this.lineNo + 1);
      return;
    }
    this.carry.set(chunk.subarray(pos, len), this.carryLen);
    this.carryLen = n;
  }

  private oversized(lineNo: number): void {
    this.counters.oversizedLines++;
    this.lastError = `line ${lineNo}: longer than ${this.opts.maxLineLength} bytes, skipped up to the next newline`;
  }

  /** One complete line b[s..nl), nl being where its LF was. */
  private line(b: Uint8Array, s: number, nl: number, t: number): void {
    const c = this.counters;
    const rawEnd = nl > s && b[nl - 1] === CR ? nl - 1 : nl;
    if (rawEnd - s > this.opts.maxLineLength) {
      c.discardedBytes += nl + 1 - s;
      c.resyncs++;
      this.oversized(this.lineNo);
      return;
    }
    c.lineBytes += nl + 1 - s;
    let i = s;
    let e = rawEnd;
    while (i < e && b[i] === SP) i++;
    while (e > i && b[e - 1] === SP) e--;
    if (i === e) {
      c.emptyLines++;
      return;
    }
    c.lines++;
    let ok = true;
    if (b[i] === HASH) {
      c.comments++;
    } else {
      this.lineStart = i;
      ok = this.decodeLine(b, i, e, t);
      if (!ok) c.badLines++;
    }
    if (this.sink.rawLine !== undefined) this.sink.rawLine(b, s, rawEnd, t, ok);
  }

  private decodeLine(b: Uint8Array, s: number, e: number, t: number): boolean {
    switch (this.opts.format) {
      case 'csv': return this.csv(b, s, e, t, this.separatorFor(b, s, e));
      case 'kv': return this.kv(b, s, e, t);
      case 'json': return this.json(b, s, e, t);
      case 'auto':
        if (b[s] === LBRACE) return this.json(b, s, e, t);
        if (looksLikeKv(b, s, e)) return this.kv(b, s, e, t);
        return this.csv(b, s, e, t, this.separatorFor(b, s, e));
    }
  }

  /** The fixed separator, or the first of `,` `;` tab space that the line contains, in that order. */
  private separatorFor(b: Uint8Array, s: number, e: number): number {
    if (this.fixedSep !== 0) return this.fixedSep;
    let seen = 0;
    for (let k = s; k < e; k++) {
      const c = b[k];
      if (c === COMMA) return COMMA;
      if (c === SEMI) seen |= 1;
      else if (c === TAB) seen |= 2;
      else if (c === SP) seen |= 4;
    }
    return seen & 1 ? SEMI : seen & 2 ? TAB : seen & 4 ? SP : COMMA;
  }

  // ---- CSV ----

  private csv(b: Uint8Array, s: number, e: number, t: number, sep: number): boolean {
    const num = this.num;
    const kind = this.kind;
    const fieldStart = this.fieldStart;
    const fieldEnd = this.fieldEnd;
    const fieldValue = this.fieldValue;
    // Blanks around fields are trimmed; a tab is a blank unless it separates fields.
    const tabIsBlank = sep !== TAB;
    let count = 0;
    let texts = 0;
    let k = s;
    for (;;) {
      while (k < e && (b[k] === SP || (b[k] === TAB && tabIsBlank))) k++;
      const start = k;
      let v = num.scan(b, k, e);
      const stop = num.end;
      let q = stop;
      while (q < e && b[q] !== sep && (b[q] === SP || (b[q] === TAB && tabIsBlank))) q++;
      fieldStart[count] = start;
      if (stop > start && (q === e || b[q] === sep)) {
        kind[count] = NUMBER;
        fieldValue[count] = v;
        fieldEnd[count] = stop;
      } else {
        while (q < e && b[q] !== sep) q++;
        let end = q;
        while (end > start && (b[end - 1] === SP || b[end - 1] === TAB)) end--;
        fieldEnd[count] = end;
        if (end === start) {
          kind[count] = EMPTY;
        } else {
          v = num.parseField(b, start, end);
          if (num.ok) {
            kind[count] = NUMBER;
            fieldValue[count] = v;
          } else {
            kind[count] = TEXT;
            texts++;
          }
        }
      }
      count++;
      if (q >= e) break;
      k = q + 1;
    }

    this.sawCsv = true;
    const header = this.opts.header;
    const awaiting = this.awaitingNamedColumn();
    if (header !== 'absent' && (texts > 0 || (header === 'present' && !this.csvStarted))) {
      // The first line that is not all numbers names the columns; later, a line of text fields only
      // (at least two, so a one-word message does not rename a column) is a new header. While a
      // timestamp column named in the options has not been seen, a numeric line is not its header
      // and a line naming it is, whenever it comes.
      if ((awaiting && this.fieldsInclude(b, count, this.tsName!)) || (!this.csvStarted && !(awaiting && texts === 0))
        || (texts === count && count >= 2)) return this.csvHeader(b, count);
    }
    if (texts > 0) {
      let bad = 0;
      while (kind[bad] !== TEXT) bad++;
      return this.fail(`field "${this.columnName(bad)}" is not a number: ${this.excerpt(b, fieldStart[bad]!, fieldEnd[bad]!)}`);
    }
    this.csvStarted = true;

    let at = t;
    if (this.opts.timestampColumn !== null) {
      const tc = this.tsColumn;
      if (tc < 0) {
        const want = this.opts.timestampColumn;
        return this.fail(this.headerNames === null
          ? `waiting for a header line naming the timestamp column "${want}" (the device may have printed it before the port opened)`
          : `timestamp column "${want}" is not in the header (${this.headerNames.join(', ')}): waiting for a header line naming it`);
      }
      if (tc >= count || kind[tc] !== NUMBER) return this.fail(`no timestamp in column ${tc + 1} ("${this.columnName(tc)}")`);
      at = this.deviceTime(fieldValue[tc]!, t);
      if (Number.isNaN(at)) return this.fail(`timestamp in column ${tc + 1} is not a finite number`);
    }
    const colIds = this.colIds;
    const sink = this.sink;
    let samples = 0;
    for (let col = 0; col < count; col++) {
      if (kind[col] !== NUMBER || col === this.tsColumn) continue;
      let id = colIds[col]!;
      if (id === -1) id = colIds[col] = this.signalByName(this.columnName(col));
      if (id < 0) continue;
      sink.sample(id, at, fieldValue[col]!);
      samples++;
    }
    this.counters.samples += samples;
    return true;
  }

  private csvHeader(b: Uint8Array, count: number): boolean {
    const names: string[] = [];
    for (let col = 0; col < count; col++) {
      let s = this.fieldStart[col]!;
      let e = this.fieldEnd[col]!;
      if (e - s >= 2 && b[s] === QUOTE && b[e - 1] === QUOTE) {
        s++;
        e--;
      }
      if (s === e) {
        names.push(`field${col + 1}`);
        continue;
      }
      const name = this.nameOf(b, s, e);
      if (name === null) return this.fail(`header field ${col + 1} is not a usable name: ${this.excerpt(b, s, e)}`);
      names.push(name);
    }
    this.headerNames = names;
    this.colIds.fill(-1);
    this.csvStarted = true;
    this.counters.headers++;
    this.resolveTimestampColumn();
    return true;
  }

  private awaitingNamedColumn(): boolean {
    return this.tsName !== null && this.tsIndexOption < 0 && this.tsColumn < 0;
  }

  /** Whether one of the line's fields (quotes stripped) is exactly `name`. */
  private fieldsInclude(b: Uint8Array, count: number, name: Uint8Array): boolean {
    for (let col = 0; col < count; col++) {
      let s = this.fieldStart[col]!;
      let e = this.fieldEnd[col]!;
      if (e - s >= 2 && b[s] === QUOTE && b[e - 1] === QUOTE) {
        s++;
        e--;
      }
      if (e - s !== name.length) continue;
      let k = 0;
      while (k < name.length && b[s + k] === name[k]) k++;
      if (k === name.length) return true;
    }
    return false;
  }

  private columnName(col: number): string {
    return this.headerNames?.[col] ?? `field${col + 1}`;
  }

  private resolveTimestampColumn(): void {
    const want = this.opts.timestampColumn;
    const byName = want === null ? -1 : (this.headerNames?.indexOf(want) ?? -1);
    this.tsColumn = byName >= 0 ? byName : this.tsIndexOption;
  }

  // ---- key=value ----

  private kv(b: Uint8Array, s: number, e: number, t: number): boolean {
    const num = this.num;
    this.stageCount = 0;
    let hasTime = false;
    let time = NaN;
    let k = s;
    for (;;) {
      while (k < e && isPairSeparator(b[k]!)) k++;
      if (k >= e) break;
      const ns = k;
      while (k < e && b[k] !== EQ && b[k] !== COLON && !isPairSeparator(b[k]!)) k++;
      const ne = k;
      while (k < e && b[k] === SP) k++;
      if (ne === ns || k >= e || (b[k] !== EQ && b[k] !== COLON)) return this.fail(`expected name=value, got ${this.excerpt(b, ns, e)}`);
      k++;
      const afterSign = k;
      while (k < e && b[k] === SP) k++;
      // In "n= rpm=3" the value of n is empty and "rpm=3" the next pair.
      if (k > afterSign && looksLikeKv(b, k, e)) continue;
      const vs = k;
      if (k < e && b[k] === QUOTE) {
        // A quoted text value: not a signal.
        k++;
        while (k < e && b[k] !== QUOTE) k++;
        if (k >= e) return this.fail(`unterminated quoted value of ${this.excerpt(b, ns, ne)}`);
        k++;
        continue;
      }
      while (k < e && !isPairSeparator(b[k]!)) k++;
      if (k === vs) continue;
      const v = num.parseField(b, vs, k);
      if (!num.ok) {
        if (startsLikeNumber(b[vs]!)) return this.fail(`field ${this.excerpt(b, ns, ne)} is not a number: ${this.excerpt(b, vs, k)}`);
        continue; // a text value such as state=idle: not a signal
      }
      if (this.isTimestampName(b, ns, ne)) {
        hasTime = true;
        time = v;
        continue;
      }
      const id = this.signalByBytes(b, ns, ne);
      if (id === INVALID_NAME) return this.fail(`field name ${this.excerpt(b, ns, ne)} is not usable`);
      if (id >= 0) this.stage(id, v);
    }
    return this.commitStaged(t, hasTime, time);
  }

  // ---- JSON ----

  private json(b: Uint8Array, s: number, e: number, t: number): boolean {
    if (b[s] !== LBRACE) return this.fail(`expected a JSON object, got ${this.excerpt(b, s, e)}`);
    this.stageCount = 0;
    this.jsonHasTime = false;
    this.jp = s;
    if (!this.jsonObject(b, e, 1, 0)) return false;
    const k = skipWhitespace(b, this.jp, e);
    if (k < e) return this.jsonFail(k, 'text after the closing }');
    return this.commitStaged(t, this.jsonHasTime, this.jsonTime);
  }

  /** The object at this.jp; numeric and boolean members become signals named by their dotted path. */
  private jsonObject(b: Uint8Array, e: number, depth: number, pathLen: number): boolean {
    let k = skipWhitespace(b, this.jp + 1, e);
    if (k < e && b[k] === RBRACE) {
      this.jp = k + 1;
      return true;
    }
    for (;;) {
      if (k >= e || b[k] !== QUOTE) return this.jsonFail(k, 'expected a quoted key');
      const keyEnd = this.jsonKey(b, k, e, pathLen);
      if (keyEnd < 0) return false;
      k = skipWhitespace(b, this.jp, e);
      if (k >= e || b[k] !== COLON) return this.jsonFail(k, "expected ':' after the key");
      k = skipWhitespace(b, k + 1, e);
      // Past the line's end the buffer holds stale bytes of an earlier line: nothing there is a value.
      const c = k < e ? b[k] : undefined;
      if (c === LBRACE) {
        if (depth >= MAX_JSON_DEPTH) return this.jsonFail(k, `objects nested deeper than ${MAX_JSON_DEPTH}`);
        this.path[keyEnd] = DOT;
        this.jp = k;
        if (!this.jsonObject(b, e, depth + 1, keyEnd + 1)) return false;
        k = this.jp;
      } else if (c === MINUS || (c !== undefined && c >= 48 && c <= 57)) {
        const v = this.num.scan(b, k, e);
        if (this.num.end === k) return this.jsonFail(k, 'bad number');
        k = this.num.end;
        if (!this.jsonLeaf(keyEnd, v)) return false;
      } else if (matchWord(b, k, e, TRUE) || matchWord(b, k, e, FALSE)) {
        const v = b[k] === TRUE[0] ? 1 : 0;
        k += v === 1 ? TRUE.length : FALSE.length;
        if (!this.jsonLeaf(keyEnd, v)) return false;
      } else {
        // Strings, arrays and null are not signals: skip them whole.
        this.jp = k;
        if (!this.jsonSkip(b, e, depth)) return false;
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
      return this.jsonFail(k, "expected ',' or '}'");
    }
  }

  /** Appends the key at b[k] (its opening quote) to the path; returns the path's new end, or -1. */
  private jsonKey(b: Uint8Array, k: number, e: number, pathLen: number): number {
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
      this.jsonFail(k, 'unterminated key');
      return -1;
    }
    this.jp = q + 1;
    if (!escaped) {
      if (pathLen + q - k - 1 > path.length) return this.jsonKeyTooLong(k);
      let p = pathLen;
      for (let j = k + 1; j < q; j++) path[p++] = b[j]!;
      return p;
    }
    // Rare: a key with escapes, decoded once through JSON.parse.
    let bytes: Uint8Array;
    try {
      bytes = this.encoder.encode(JSON.parse(this.utf8Lenient.decode(b.subarray(k, q + 1))) as string);
    } catch {
      this.jsonFail(k, 'bad escape in key');
      return -1;
    }
    if (pathLen + bytes.length > path.length) return this.jsonKeyTooLong(k);
    path.set(bytes, pathLen);
    return pathLen + bytes.length;
  }

  private jsonKeyTooLong(k: number): -1 {
    this.jsonFail(k, 'key path too long');
    return -1;
  }

  private jsonLeaf(keyEnd: number, v: number): boolean {
    if (this.isTimestampName(this.path, 0, keyEnd)) {
      this.jsonHasTime = true;
      this.jsonTime = v;
      return true;
    }
    const id = this.signalByBytes(this.path, 0, keyEnd);
    if (id === INVALID_NAME) return this.fail(`field name ${this.excerpt(this.path, 0, keyEnd)} is not usable`);
    if (id >= 0) this.stage(id, v);
    return true;
  }

  /** Skips any JSON value at this.jp. */
  private jsonSkip(b: Uint8Array, e: number, depth: number): boolean {
    const k = this.jp;
    const c = k < e ? b[k] : undefined;
    if (c === QUOTE) {
      const q = skipString(b, k, e);
      if (q < 0) return this.jsonFail(k, 'unterminated string');
      this.jp = q;
      return true;
    }
    if (c === LBRACKET || c === LBRACE) {
      if (depth >= MAX_JSON_DEPTH) return this.jsonFail(k, `values nested deeper than ${MAX_JSON_DEPTH}`);
      const close = c === LBRACKET ? RBRACKET : RBRACE;
      let q = skipWhitespace(b, k + 1, e);
      if (q < e && b[q] === close) {
        this.jp = q + 1;
        return true;
      }
      for (;;) {
        if (c === LBRACE) {
          if (q >= e || b[q] !== QUOTE) return this.jsonFail(q, 'expected a quoted key');
          q = skipString(b, q, e);
          if (q < 0) return this.jsonFail(k, 'unterminated key');
          q = skipWhitespace(b, q, e);
          if (q >= e || b[q] !== COLON) return this.jsonFail(q, "expected ':' after the key");
          q = skipWhitespace(b, q + 1, e);
        }
        this.jp = q;
        if (!this.jsonSkip(b, e, depth + 1)) return false;
        q = skipWhitespace(b, this.jp, e);
        if (q < e && b[q] === COMMA) {
          q = skipWhitespace(b, q + 1, e);
          continue;
        }
        if (q < e && b[q] === close) {
          this.jp = q + 1;
          return true;
        }
        return this.jsonFail(q, `expected ',' or '${String.fromCharCode(close)}'`);
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
    return this.jsonFail(k, k >= e ? 'missing value' : 'unexpected character');
  }

  private jsonFail(at: number, what: string): false {
    return this.fail(`JSON: ${what} at column ${at - this.lineStart + 1}`);
  }

  // ---- shared by the formats ----

  private stage(id: number, v: number): void {
    if (this.stageCount === this.stageIds.length) return;
    this.stageIds[this.stageCount] = id;
    this.stageValues[this.stageCount] = v;
    this.stageCount++;
  }

  private commitStaged(t: number, hasTime: boolean, time: number): boolean {
    let at = t;
    const tsName = this.opts.timestampColumn;
    if (tsName !== null) {
      if (!hasTime) return this.fail(`no timestamp field "${tsName}"`);
      at = this.deviceTime(time, t);
      if (Number.isNaN(at)) return this.fail(`timestamp field "${tsName}" is not a finite number`);
    }
    const n = this.stageCount;
    for (let j = 0; j < n; j++) this.sink.sample(this.stageIds[j]!, at, this.stageValues[j]!);
    this.counters.samples += n;
    return true;
  }

  private isTimestampName(b: Uint8Array, s: number, e: number): boolean {
    const ts = this.tsName;
    if (ts === null || e - s !== ts.length) return false;
    for (let j = 0; j < ts.length; j++) if (b[s + j] !== ts[j]) return false;
    return true;
  }

  /** Seconds since the epoch from a device timestamp; small values count from device start. */
  private deviceTime(v: number, t: number): number {
    if (!Number.isFinite(v)) return NaN;
    const sec = v * this.tsScale;
    if (sec >= RELATIVE_TIME_LIMIT) return sec;
    // Anchored to the receive time of the first one, again whenever the device clock goes back (a reboot).
    if (Number.isNaN(this.anchor) || sec < this.lastDeviceTime) this.anchor = t - sec;
    this.lastDeviceTime = sec;
    return this.anchor + sec;
  }

  private signalByName(name: string): number {
    const bytes = this.encoder.encode(name);
    return this.signalByBytes(bytes, 0, bytes.length);
  }

  /** The signal id of the name b[s..e): cached, else registered through the sink (once per name). */
  private signalByBytes(b: Uint8Array, s: number, e: number): number {
    const known = this.names.find(b, s, e);
    if (known !== NAME_NOT_FOUND) return known;
    const name = this.nameOf(b, s, e);
    if (name === null) return INVALID_NAME;
    if (this.removed.has(name)) {
      if (this.names.size < 4 * this.opts.maxSignals) this.names.add(b, s, e, REMOVED);
      return REMOVED;
    }
    const max = this.opts.maxSignals;
    if (this.signalCount >= max) {
      if (!this.limitReported) {
        this.limitReported = true;
        this.lastError = `line ${this.lineNo}: ${max} signals already, new names such as "${name.slice(0, 40)}" are ignored`;
      }
      // Remember refusals too, but not without bound: a device may invent a name per line.
      if (this.names.size < 4 * max) this.names.add(b, s, e, REFUSED);
      return REFUSED;
    }
    const id = this.sink.signal(this.renamed.get(name) ?? name);
    this.signalCount++;
    this.names.add(b, s, e, id);
    return id;
  }

  /** The name b[s..e) if it can name a signal: valid UTF-8, no control characters, 1 to 128 bytes. */
  private nameOf(b: Uint8Array, s: number, e: number): string | null {
    if (e <= s || e - s > MAX_NAME_BYTES) return null;
    for (let k = s; k < e; k++) if (b[k]! < 0x20 || b[k] === 0x7f) return null;
    try {
      return this.utf8.decode(b.subarray(s, e));
    } catch {
      return null;
    }
  }

  private fail(message: string): false {
    this.lastError = `line ${this.lineNo}: ${message}`;
    return false;
  }

  /** Up to 40 bytes of b[s..e) for an error message, quoted, control bytes escaped. */
  private excerpt(b: Uint8Array, s: number, e: number): string {
    const cut = Math.min(e, s + 40);
    const text = this.utf8Lenient.decode(b.subarray(s, cut))
      .replace(/[\u0000-\u001f\u007f]/g, (ch) => `\\x${ch.charCodeAt(0).toString(16).padStart(2, '0')}`);
    return `"${text}${cut < e ? '…' : ''}"`;
  }
}

/** A kv line starts with a name (not a number) followed by `=` or `:`, spaces allowed before it. */
function looksLikeKv(b: Uint8Array, s: number, e: number): boolean {
  if (s >= e || startsLikeNumber(b[s]!)) return false; // the common numeric CSV line leaves here
  let k = s;
  while (k < e) {
    const c = b[k]!;
    if (c === EQ || c === COLON) break;
    if (isPairSeparator(c)) break;
    k++;
  }
  if (k === s) return false;
  while (k < e && b[k] === SP) k++;
  return k < e && (b[k] === EQ || b[k] === COLON);
}

function countNewlines(b: Uint8Array): number {
  let n = 0;
  for (let k = b.indexOf(LF); k >= 0; k = b.indexOf(LF, k + 1)) n++;
  return n;
}

function isPairSeparator(c: number): boolean {
  return c === COMMA || c === SEMI || c === SP || c === TAB;
}

function startsLikeNumber(c: number): boolean {
  return (c >= 48 && c <= 57) || c === MINUS || c === 43 || c === DOT;
}

function skipWhitespace(b: Uint8Array, k: number, e: number): number {
  while (k < e && (b[k] === SP || b[k] === TAB)) k++;
  return k;
}

/** Index just past the string whose opening quote is at b[k], or -1 when it does not end. */
function skipString(b: Uint8Array, k: number, e: number): number {
  for (let q = k + 1; q < e; q++) {
    if (b[q] === BACKSLASH) q++;
    else if (b[q] === QUOTE) return q + 1;
  }
  return -1;
}

function matchWord(b: Uint8Array, k: number, e: number, word: readonly number[]): boolean {
  if (k + word.length > e) return false;
  for (let j = 0; j < word.length; j++) if (b[k + j] !== word[j]) return false;
  return true;
}
