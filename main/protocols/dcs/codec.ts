// DCS framing, both directions: v1 frames of exactly 200 NUL-padded bytes, and v2
// frames of a 26-byte header "%12d %12d " (text length, binary length), then the
// text with its terminating NUL, then the binary part.
//
// Invariants the session and the benchmark rely on:
// - push() never throws on input: every byte ends up in a delivered message, in a
//   counted discard (bad header, oversized text, binary part), or pending.
// - No string per message on the decode path: a message is handed over as a byte
//   range (valid only during the call); the reader decides what to build.
// - Scratch memory is allocated once, sized from maxTextLength.

export const V1_FRAME_LENGTH = 200;
export const V2_HEADER_LENGTH = 26;
export const DEFAULT_MAX_TEXT_LENGTH = 64 * 1024;
/** A binary part longer than this is taken for a garbled header, not skipped. */
const MAX_BINARY_LENGTH = 64 * 1024 * 1024;

export type DcsVersion = 1 | 2;
/** 'auto' reads each message as v1 or v2 from its first byte, as pydhsfw does. */
export type DcsReadMode = DcsVersion | 'auto';

export interface DcsMessageSink {
  /** One message's text b[start..end) without its NUL; the bytes are valid only during the call. */
  message(b: Uint8Array, start: number, end: number, t: number, version: DcsVersion): void;
  /** Every framing problem as it happens (lastError keeps only the last one). */
  problem?(text: string, t: number): void;
}

export interface DcsDecoderCounters {
  bytes: number;
  messages: number;
  /** v2 headers that did not parse as two lengths. */
  badHeaders: number;
  /** v2 texts longer than the limit, skipped whole. */
  oversized: number;
  /** Times the reader skipped to the next NUL to find the next header. */
  resyncs: number;
  /** Bytes of bad headers, oversized texts and resyncs. */
  discardedBytes: number;
  /** Bytes of binary parts (skipped: a DHS sends none). */
  binaryBytes: number;
}

const NUL = 0;
const SP = 32;

// What the reader expects next.
const EXPECT_MESSAGE = 0;
const EXPECT_V1 = 1;
const EXPECT_V2_HEADER = 2;
const EXPECT_V2_TEXT = 3;
const SKIP = 4;
const RESYNC = 5;
const SKIP_NULS = 6;

export class DcsDecoder {
  readonly counters: DcsDecoderCounters = { bytes: 0, messages: 0, badHeaders: 0, oversized: 0, resyncs: 0, discardedBytes: 0, binaryBytes: 0 };
  /** The last problem, naming the source, what was received and what was expected. */
  lastError: string | null = null;
  /** Names where the bytes come from, in error messages (e.g. "DHS simdhs at 127.0.0.1:50312"). */
  source: string;

  private mode: DcsReadMode;
  private readonly maxText: number;
  private readonly carry: Uint8Array;
  private carryLen = 0;
  private expect = EXPECT_MESSAGE;
  /** Bytes wanted for the current piece (frame, header or text). */
  private need = 0;
  private textLength = 0;
  private binaryLength = 0;
  private skipLeft = 0;
  private skipIsBinary = false;

  constructor(opts: { mode: DcsReadMode; maxTextLength?: number; source: string }, private readonly sink: DcsMessageSink) {
    this.mode = opts.mode;
    this.maxText = Math.max(V1_FRAME_LENGTH, opts.maxTextLength ?? DEFAULT_MAX_TEXT_LENGTH);
    this.source = opts.source;
    this.carry = new Uint8Array(this.maxText + V2_HEADER_LENGTH);
  }

  /** Changes how the following messages are read (after the v1 handshake, say). */
  setMode(mode: DcsReadMode): void {
    this.mode = mode;
    // A message not begun yet is read the new way; one under way finishes the old way.
    if (this.carryLen === 0 && (this.expect === EXPECT_V1 || this.expect === EXPECT_V2_HEADER)) this.expect = EXPECT_MESSAGE;
  }

  /** Bytes held for a message not yet complete. */
  get pendingBytes(): number {
    return this.carryLen;
  }

  /** Forgets a partial message (the peer went away). */
  reset(): void {
    this.counters.discardedBytes += this.carryLen;
    this.carryLen = 0;
    this.expect = EXPECT_MESSAGE;
    this.skipLeft = 0;
  }

  /** Decodes a chunk received at time t (seconds). Never throws on any input. */
  push(chunk: Uint8Array, t: number): void {
    this.counters.bytes += chunk.length;
    this.feed(chunk, t);
  }

  private feed(chunk: Uint8Array, t: number): void {
    let pos = 0;
    const len = chunk.length;
    while (pos < len) {
      switch (this.expect) {
        case EXPECT_MESSAGE:
          this.startMessage(chunk[pos]!);
          continue;
        case SKIP: {
          const n = Math.min(this.skipLeft, len - pos);
          if (this.skipIsBinary) this.counters.binaryBytes += n;
          else this.counters.discardedBytes += n;
          this.skipLeft -= n;
          pos += n;
          if (this.skipLeft === 0) this.expect = EXPECT_MESSAGE;
          continue;
        }
        case RESYNC: {
          // Skip to the NUL that ends a v2 text or pads a v1 frame; the NUL run after it
          // may end this read, so SKIP_NULS takes over (the next read starts a message).
          let i = pos;
          while (i < len && chunk[i] !== NUL) i++;
          this.counters.discardedBytes += i - pos;
          pos = i;
          if (i < len) this.expect = SKIP_NULS;
          continue;
        }
        case SKIP_NULS: {
          let i = pos;
          while (i < len && chunk[i] === NUL) i++;
          this.counters.discardedBytes += i - pos;
          pos = i;
          if (i < len) this.expect = EXPECT_MESSAGE;
          continue;
        }
        default: {
          // A piece of `need` bytes: in place when the chunk holds all of it, else through carry.
          if (this.carryLen === 0 && len - pos >= this.need) {
            this.piece(chunk, pos, t, true);
            pos += this.pieceLength;
          } else {
            const n = Math.min(this.need - this.carryLen, len - pos);
            this.carry.set(chunk.subarray(pos, pos + n), this.carryLen);
            this.carryLen += n;
            pos += n;
            if (this.carryLen === this.need) {
              this.carryLen = 0;
              this.piece(this.carry, 0, t, false);
            }
          }
        }
      }
    }
  }

  private pieceLength = 0;

  private startMessage(first: number): void {
    let v: DcsVersion;
    if (first === NUL && this.mode !== 1) {
      // Neither a command nor a header starts with NUL: stray padding.
      this.expect = SKIP_NULS;
      return;
    }
    if (this.mode === 'auto') v = first === SP || (first >= 48 && first <= 57) ? 2 : 1;
    else v = this.mode;
    if (v === 1) {
      this.expect = EXPECT_V1;
      this.need = V1_FRAME_LENGTH;
    } else {
      this.expect = EXPECT_V2_HEADER;
      this.need = V2_HEADER_LENGTH;
    }
  }

  /** Handles a complete piece b[s..s+need); sets pieceLength to the bytes used. */
  private piece(b: Uint8Array, s: number, t: number, inPlace: boolean): void {
    this.pieceLength = this.need;
    switch (this.expect) {
      case EXPECT_V1: {
        let e = s;
        const limit = s + V1_FRAME_LENGTH;
        while (e < limit && b[e] !== NUL) e++;
        this.expect = EXPECT_MESSAGE;
        this.deliver(b, s, e, t, 1);
        return;
      }
      case EXPECT_V2_HEADER:
        this.header(b, s, t, inPlace);
        return;
      case EXPECT_V2_TEXT: {
        let e = s;
        const limit = s + this.textLength;
        while (e < limit && b[e] !== NUL) e++;
        this.afterText();
        this.deliver(b, s, e, t, 2);
        return;
      }
    }
  }

  private report(text: string, t: number): void {
    this.lastError = text;
    this.sink.problem?.(text, t);
  }

  private header(b: Uint8Array, s: number, t: number, inPlace: boolean): void {
    const end = s + V2_HEADER_LENGTH;
    let i = s;
    while (i < end && b[i] === SP) i++;
    const textStart = i;
    let text = 0;
    while (i < end && b[i]! >= 48 && b[i]! <= 57) text = text * 10 + (b[i++]! - 48);
    const textDigits = i - textStart;
    const gap = i;
    while (i < end && b[i] === SP) i++;
    const binStart = i;
    let bin = 0;
    while (i < end && b[i]! >= 48 && b[i]! <= 57) bin = bin * 10 + (b[i++]! - 48);
    const binDigits = i - binStart;
    while (i < end && (b[i] === SP || b[i] === NUL)) i++;
    if (textDigits === 0 || textDigits > 12 || gap === binStart || binDigits === 0 || binDigits > 12 || i !== end || bin > MAX_BINARY_LENGTH) {
      this.badHeader(b, s, end, t, inPlace, bin > MAX_BINARY_LENGTH && i === end);
      return;
    }
    if (text > this.maxText) {
      this.counters.oversized++;
      this.report(`${this.source}: a v2 text of ${text} bytes is over the limit of ${this.maxText}; skipped`, t);
      this.skip(text + bin, false);
      return;
    }
    this.textLength = text;
    this.binaryLength = bin;
    if (text === 0) {
      this.afterText();
      return;
    }
    this.expect = EXPECT_V2_TEXT;
    this.need = text;
  }

  /**
   * Skips to the next NUL. When the 26 bytes hold one (a v1 frame sent by mistake,
   * a short garbled message), what follows it is read again as the next message.
   */
  private badHeader(b: Uint8Array, s: number, end: number, t: number, inPlace: boolean, binaryTooLong: boolean): void {
    const c = this.counters;
    c.badHeaders++;
    c.resyncs++;
    const expected = binaryTooLong ? `a binary length of at most ${MAX_BINARY_LENGTH} bytes` : 'two lengths as "%12d %12d "';
    this.report(`${this.source}: bad v2 header ${quoteBytes(b, s, end)}, expected ${expected}; skipped to the next NUL`, t);
    const nul = b.subarray(s, end).indexOf(NUL);
    if (nul < 0) {
      c.discardedBytes += V2_HEADER_LENGTH;
      this.expect = RESYNC;
      return;
    }
    c.discardedBytes += nul + 1;
    this.expect = SKIP_NULS;
    if (inPlace) this.pieceLength = nul + 1;
    else this.feed(b.slice(s + nul + 1, end), t);
  }

  private afterText(): void {
    if (this.binaryLength > 0) this.skip(this.binaryLength, true);
    else this.expect = EXPECT_MESSAGE;
  }

  private skip(n: number, binary: boolean): void {
    this.skipLeft = n;
    this.skipIsBinary = binary;
    this.expect = n > 0 ? SKIP : EXPECT_MESSAGE;
  }

  private deliver(b: Uint8Array, s: number, e: number, t: number, v: DcsVersion): void {
    while (s < e && b[s] === SP) s++;
    while (e > s && (b[e - 1] === SP || b[e - 1] === 10 || b[e - 1] === 13)) e--;
    if (s === e) return; // an empty frame carries nothing
    this.counters.messages++;
    this.sink.message(b, s, e, t, v);
  }
}

const utf8 = new TextEncoder();

/** One message as v1: exactly 200 bytes, NUL-padded; longer text is cut at 200 bytes, as DCSS does. */
export function encodeV1(text: string): Uint8Array {
  const out = new Uint8Array(V1_FRAME_LENGTH);
  utf8.encodeInto(text, out);
  return out;
}

/** One message as v2: header, text and its NUL, then the binary part. */
export function encodeV2(text: string, binary?: Uint8Array): Uint8Array {
  const body = utf8.encode(text);
  const binLen = binary?.length ?? 0;
  const header = `${String(body.length + 1).padStart(12)} ${String(binLen).padStart(12)} `;
  const out = new Uint8Array(V2_HEADER_LENGTH + body.length + 1 + binLen);
  utf8.encodeInto(header, out);
  out.set(body, V2_HEADER_LENGTH);
  if (binary) out.set(binary, V2_HEADER_LENGTH + body.length + 1);
  return out;
}

export function encodeMessage(text: string, version: DcsVersion): Uint8Array {
  return version === 1 ? encodeV1(text) : encodeV2(text);
}

/** True when the text fits a v1 frame without being cut. */
export function fitsV1(text: string): boolean {
  return utf8.encode(text).length <= V1_FRAME_LENGTH;
}

/** Up to 40 bytes, printable, quoted: for error messages. */
export function quoteBytes(b: Uint8Array, s: number, e: number): string {
  let out = '';
  const stop = Math.min(e, s + 40);
  for (let i = s; i < stop; i++) {
    const c = b[i]!;
    out += c >= 32 && c < 127 && c !== 34 && c !== 92 ? String.fromCharCode(c) : c === 0 ? '\\0' : `\\x${c.toString(16).padStart(2, '0')}`;
  }
  return `"${out}${e > stop ? '…' : ''}"`;
}
