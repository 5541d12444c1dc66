// The `lines` protocol codec: a device prints text lines (CSV, key=value pairs or
// one JSON object per line) and every numeric field becomes a sample. This file cuts
// the byte stream into lines and hands each to its format (csv.ts, kv.ts, json.ts).
//
// Hot-path invariants (the decode+store budget depends on them):
// - No object, string or JSON per line: lines are cut in place in the chunk (a line
//   split across chunks is copied once into a fixed carry buffer) and parsed there.
// - Scratch memory is allocated once, in the constructor, sized from maxLineLength.
// - push() never throws on input: every byte ends up in a complete line, in a
//   discarded oversized line, or in the pending partial line:
//   counters.bytes === counters.lineBytes + counters.discardedBytes + pendingBytes.
// - A line is all or nothing: a bad line yields no samples, so a garbled or merged
//   line never puts a value in the wrong signal.

import { LinesOptionsSchema, type LinesOptions, type LinesOptionsInput } from '../../../shared/api/lines-options';
import { countNewlines, CR, HASH, LBRACE, LF, SP } from './ascii';
import { CsvLines } from './csv';
import { DeviceTime } from './device-time';
import { JsonLines } from './json';
import { KvLines, looksLikeKv } from './kv';
import { LineErrors } from './line-errors';
import { ReceiveClock } from './receive-clock';
import { SignalIds } from './signal-ids';
import { StagedSamples } from './staged-samples';

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

export class LinesDecoder {
  readonly counters: LinesCounters = {
    bytes: 0, lines: 0, samples: 0, badLines: 0, comments: 0, headers: 0, emptyLines: 0,
    oversizedLines: 0, resyncs: 0, lineBytes: 0, discardedBytes: 0,
  };

  private readonly opts: LinesOptions;
  private readonly errors = new LineErrors();
  private readonly csv: CsvLines;
  private readonly kv: KvLines;
  private readonly json: JsonLines;

  // Framing. A line may have one byte over the limit while that byte could be its CR.
  private readonly maxRaw: number;
  private readonly carry: Uint8Array;
  private carryLen = 0;
  private discarding = false;
  private readonly clock: ReceiveClock;

  /**
   * `previous`: the decoder these options replace on a running link. Its counters, partial
   * line, receive clock and CSV header carry over, so a device that printed its header long
   * ago keeps its column names under the new options.
   */
  constructor(options: LinesOptionsInput, private readonly sink: LinesSink, previous?: LinesDecoder) {
    const opts = (this.opts = LinesOptionsSchema.parse(options));
    this.clock = previous?.clock ?? new ReceiveClock();
    this.maxRaw = opts.maxLineLength + 1;
    this.carry = new Uint8Array(this.maxRaw);
    const ids = new SignalIds(opts, sink, this.errors);
    const time = new DeviceTime(opts);
    // A line of L bytes has at most L + 1 fields.
    const staged = new StagedSamples(opts.maxLineLength + 2, opts.timestampColumn, sink, this.counters, time, this.errors);
    this.csv = new CsvLines(opts, sink, this.counters, ids, time, this.errors);
    this.kv = new KvLines(ids, staged, time, this.errors);
    this.json = new JsonLines(opts.maxLineLength, ids, staged, time, this.errors);
    if (previous) this.continueFrom(previous);
  }

  /** The last problem seen, e.g. `line 12: field "x" is not a number: "1.2.3"`. */
  get lastError(): string | null {
    return this.errors.lastError;
  }

  /**
   * The timestamp column named in the options while no CSV header naming it has come (the
   * device printed its header before the port opened): null when nothing is awaited.
   */
  get awaitedHeader(): string | null {
    return this.csv.awaitedHeader;
  }

  private continueFrom(previous: LinesDecoder): void {
    Object.assign(this.counters, previous.counters);
    this.errors.lastError = previous.errors.lastError;
    this.errors.lineNo = previous.errors.lineNo;
    this.discarding = previous.discarding;
    if (previous.carryLen <= this.maxRaw) {
      this.carry.set(previous.carry.subarray(0, previous.carryLen));
      this.carryLen = previous.carryLen;
    } else {
      this.counters.discardedBytes += previous.carryLen;
      this.discarding = true;
    }
    this.csv.continueFrom(previous.csv);
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
      const lineNo = ++this.errors.lineNo;
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
        this.oversized(lineNo);
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
      this.oversized(this.errors.lineNo + 1);
      return;
    }
    this.carry.set(chunk.subarray(pos, len), this.carryLen);
    this.carryLen = n;
  }

  private oversized(lineNo: number): void {
    this.counters.oversizedLines++;
    this.errors.lastError = `line ${lineNo}: longer than ${this.opts.maxLineLength} bytes, skipped up to the next newline`;
  }

  /** One complete line b[s..nl), nl being where its LF was. */
  private line(b: Uint8Array, s: number, nl: number, t: number): void {
    const c = this.counters;
    const rawEnd = nl > s && b[nl - 1] === CR ? nl - 1 : nl;
    if (rawEnd - s > this.opts.maxLineLength) {
      c.discardedBytes += nl + 1 - s;
      c.resyncs++;
      this.oversized(this.errors.lineNo);
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
      this.errors.lineStart = i;
      ok = this.decodeLine(b, i, e, t);
      if (!ok) c.badLines++;
    }
    if (this.sink.rawLine !== undefined) this.sink.rawLine(b, s, rawEnd, t, ok);
  }

  private decodeLine(b: Uint8Array, s: number, e: number, t: number): boolean {
    switch (this.opts.format) {
      case 'csv': return this.csv.decode(b, s, e, t);
      case 'kv': return this.kv.decode(b, s, e, t);
      case 'json': return this.json.decode(b, s, e, t);
      case 'auto':
        if (b[s] === LBRACE) return this.json.decode(b, s, e, t);
        if (looksLikeKv(b, s, e)) return this.kv.decode(b, s, e, t);
        return this.csv.decode(b, s, e, t);
    }
  }
}
