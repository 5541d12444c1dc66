// Where a replay reads its samples: a recording's sample channels by time range.
//
// A complete recording is read through its index: only the chunks that overlap the
// asked range are read from disk, and their records are walked directly (a sample
// message has a fixed layout, see mcap-format.ts), so seeking anywhere in an hour
// at 10 kHz reads a few hundred kB, never the file. Decoded chunks are kept in a
// small cache: playing reads the same chunk over several ticks.
// A recording cut short (no index) is read whole into memory, as far as it goes.
//
// Invariants:
// - Per channel, samples come out in file order, which is their time order (the
//   recorder writes each signal's samples in order).
// - A range is half-open (t0, t1]: consecutive ranges never repeat a sample.
import { promises as fs } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { McapIndexedReader, type McapTypes } from '@mcap/core';
import { FileHandleReadable } from '@mcap/nodejs';
import type { Mark } from '../../shared/api/contract';
import { CONSOLE_SCHEMA_NAME, MARK_SCHEMA_NAME, NanosClock, nsToSeconds, SAMPLE_BYTES, SAMPLE_SCHEMA_NAME } from '../files/mcap-format';
import { damagedChunk, DamagedChunkError, mcapCrc } from '../files/mcap-crc';
import { parseConsoleLine, parseMark, readRecording } from '../files/recording-files';

export interface ReplayChannel {
  /** Index of the channel in `channels` (what `emit` is called with). */
  index: number;
  session: string;
  signal: string;
  unit: string | null;
}

/** A mark of the recording (a status change, a move), with its session's name. */
export interface ReplayMark { t: number; session: string; label: string; severity: Mark['severity']; signal: string | null }

/** A console line of the recording, with its session's name. */
export interface ReplayConsoleLine { t: number; session: string; dir: string; text: string }

export type RangeSink = (channel: number, times: Float64Array, values: Float64Array, from: number, to: number) => void;

export interface ReplaySource {
  readonly channels: readonly ReplayChannel[];
  /** Seconds since the epoch of the first and last sample. */
  readonly start: number;
  readonly end: number;
  /** False for a file cut short (read without an index). */
  readonly complete: boolean;
  /** Samples per second over the whole recording, all signals (from the chunk sizes for an indexed file). */
  readonly samplesPerSecond: number;
  /** Every mark of the recording, in time order (they are few: loaded at open). */
  readonly marks: readonly ReplayMark[];
  /** The last `limit` console lines at or before t, oldest first. */
  consoleBefore(t: number, limit: number): Promise<ReplayConsoleLine[]>;
  /** Hands every sample with t0 < t <= t1 to `sink`, per channel in time order. */
  read(t0: number, t1: number, sink: RangeSink): Promise<void>;
  close(): Promise<void>;
}

export class ReplaySourceError extends Error {}

/** A chunk whose records do not match their stored CRC (decodeChunk knows no file: its caller words it). */
export class ChunkCrcError extends ReplaySourceError {
  constructor(readonly stored: number, readonly computed: number) {
    super(`A chunk whose records fail their CRC check (stored 0x${stored.toString(16)}, computed 0x${computed.toString(16)})`);
  }
}

/** Opens a recording for replay; throws ReplaySourceError with a reason in words. */
export async function openReplaySource(file: string): Promise<ReplaySource> {
  let handle: FileHandle;
  try {
    handle = await fs.open(file, 'r');
  } catch (e) {
    throw new ReplaySourceError(`Cannot open ${file}: ${(e as Error).message}`);
  }
  let reader: McapIndexedReader;
  try {
    reader = await McapIndexedReader.Initialize({ readable: new FileHandleReadable(handle) });
  } catch {
    await handle.close();
    return memorySource(file);
  }
  const source = new IndexedSource(file, handle, reader);
  try {
    await source.loadMarks(reader);
  } catch (e) {
    await source.close();
    throw e instanceof ReplaySourceError || e instanceof DamagedChunkError ? e : new ReplaySourceError(`Cannot read the marks of ${file}: ${(e as Error).message}`);
  }
  return source;
}

// ---------------------------------------------------------------- ns to seconds, exactly as nsToSeconds

const TWO_32_SEC = 4; // 2^32 ns = 4 s + 294967296 ns
const TWO_32_REM = 294_967_296;
const TWO_48_SEC = 281_474; // 2^48 ns = 281474 s + 976710656 ns
const TWO_48_REM = 976_710_656;

/**
 * A u64 ns time (as its low and high 32 bits) to seconds, with no BigInt: the high
 * word is split in two 16-bit halves so every product stays exact in a double.
 * Gives the same double as nsToSeconds (whole seconds + remainder / 1e9).
 */
export function nsWordsToSeconds(lo: number, hi: number): number {
  const a = hi >>> 16;
  const b = hi & 0xffff;
  const rem = a * TWO_48_REM + b * TWO_32_REM + lo;
  const carry = Math.floor(rem / 1e9);
  return a * TWO_48_SEC + b * TWO_32_SEC + carry + (rem - carry * 1e9) / 1e9;
}

// ---------------------------------------------------------------- indexed (complete) recordings

interface DecodedChunk {
  /** Per channel index: sample times and values, or undefined when the chunk has none. */
  times: (Float64Array | undefined)[];
  values: (Float64Array | undefined)[];
}

interface ChunkRef {
  index: McapTypes.ChunkIndex;
  start: number;
  end: number;
  offset: number;
}

const CHUNK_CACHE = 64;
/** Chunks read and decoded at a time by one range read. */
const READ_BATCH = 256;
/** The largest chunk a replay reads (Benchscope writes 128 KiB ones): a bigger length in an index is refused. */
const MAX_CHUNK_BYTES = 256 << 20;
/** A file cut short is read whole: larger than this, it is refused (its index is needed). */
const MAX_UNINDEXED_BYTES = 2 ** 30;
/** Prefetch reads span chunks closer than this (their message indexes lie between), up to PREFETCH_BYTES a read. */
const PREFETCH_GAP = 1 << 20;
const PREFETCH_BYTES = 16 << 20;

class IndexedSource implements ReplaySource {
  readonly channels: ReplayChannel[] = [];
  readonly start: number;
  readonly end: number;
  readonly complete = true;
  readonly samplesPerSecond: number;
  marks: ReplayMark[] = [];
  /** MCAP channel id -> our channel index (sample channels only). */
  private readonly byId = new Map<number, number>();
  /** Chunks sorted by start time. */
  private readonly chunks: ChunkRef[];
  /** The longest time span of one chunk: how far back a range search must look. */
  private readonly maxSpan: number;
  private readonly cache = new Map<number, DecodedChunk>();
  /** The chunks the last prefetch decoded (a seek's), used by the read that asked for them. */
  private seekBatch: Map<number, DecodedChunk> | null = null;

  constructor(private readonly file: string, private readonly handle: FileHandle, private readonly reader: McapIndexedReader) {
    const withMessages = new Set<number>();
    for (const c of reader.chunkIndexes) for (const id of c.messageIndexOffsets.keys()) withMessages.add(id);
    const sampleChannels = [...reader.channelsById.values()]
      .filter((ch) => reader.schemasById.get(ch.schemaId)?.name === SAMPLE_SCHEMA_NAME && withMessages.has(ch.id))
      .sort((x, y) => x.id - y.id);
    for (const ch of sampleChannels) {
      this.byId.set(ch.id, this.channels.length);
      this.channels.push({
        index: this.channels.length, session: ch.metadata.get('session') ?? '',
        signal: ch.metadata.get('signal') ?? ch.topic, unit: ch.metadata.get('unit') || null,
      });
    }
    const chunks: ChunkRef[] = [];
    for (const c of reader.chunkIndexes) {
      let samples = false;
      for (const id of c.messageIndexOffsets.keys()) if (this.byId.has(id)) { samples = true; break; }
      if (samples) chunks.push({ index: c, start: nsToSeconds(c.messageStartTime), end: nsToSeconds(c.messageEndTime), offset: Number(c.chunkStartOffset) });
    }
    this.chunks = chunks.sort((x, y) => x.start - y.start);
    let start = Infinity, end = -Infinity, span = 0;
    for (const c of this.chunks) {
      start = Math.min(start, c.start);
      end = Math.max(end, c.end);
      span = Math.max(span, c.end - c.start);
    }
    this.start = Number.isFinite(start) ? start : 0;
    this.end = Number.isFinite(end) ? end : 0;
    this.maxSpan = span;
    // About one sample message per (record + index entry) bytes of a chunk: an upper bound (console lines count too).
    let bytes = 0;
    for (const c of this.chunks) bytes += Number(c.index.uncompressedSize);
    this.samplesPerSecond = this.end > this.start ? bytes / (9 + 22 + SAMPLE_BYTES) / (this.end - this.start) : 0;
  }

  /** Reads the mark channels (few messages) through the index. */
  async loadMarks(reader: McapIndexedReader): Promise<void> {
    const topics = [...reader.channelsById.values()].filter((ch) => reader.schemasById.get(ch.schemaId)?.name === MARK_SCHEMA_NAME);
    if (!topics.length) return;
    const session = new Map(topics.map((ch) => [ch.id, ch.metadata.get('session') ?? '']));
    const decoder = new TextDecoder();
    try {
      for await (const m of reader.readMessages({ topics: topics.map((ch) => ch.topic) })) {
        const mark = parseMark(decoder.decode(m.data));
        if (mark) this.marks.push({ t: nsToSeconds(m.logTime), session: session.get(m.channelId) ?? '', ...mark });
      }
    } catch (e) {
      throw await this.damagedAmong(e, topics.map((ch) => ch.id));
    }
  }

  async consoleBefore(t: number, limit: number): Promise<ReplayConsoleLine[]> {
    const reader = this.reader;
    const channels = [...reader.channelsById.values()].filter((ch) => reader.schemasById.get(ch.schemaId)?.name === CONSOLE_SCHEMA_NAME);
    if (!channels.length || limit <= 0) return [];
    const session = new Map(channels.map((ch) => [ch.id, ch.metadata.get('session') ?? '']));
    const out: ReplayConsoleLine[] = [];
    const decoder = new TextDecoder();
    // Backwards from t through the index: only the chunks just before the playhead are read.
    try {
      for await (const m of reader.readMessages({ topics: channels.map((ch) => ch.topic), endTime: new NanosClock().toNs(t), reverse: true })) {
        const line = parseConsoleLine(decoder.decode(m.data));
        if (line) out.push({ t: nsToSeconds(m.logTime), session: session.get(m.channelId) ?? '', ...line });
        if (out.length >= limit) break;
      }
    } catch (e) {
      throw await this.damagedAmong(e, channels.map((ch) => ch.id));
    }
    return out.reverse();
  }

  /**
   * The MCAP library checks chunk CRCs too, but its error names no chunk: on one, the
   * chunks holding those channels are checked here to say which is damaged.
   */
  private async damagedAmong(e: unknown, channelIds: number[]): Promise<Error> {
    if (!(e instanceof Error) || !/chunk CRC/.test(e.message)) return e as Error;
    for (const index of this.reader.chunkIndexes) {
      if (!channelIds.some((id) => index.messageIndexOffsets.has(id))) continue;
      const offset = Number(index.chunkStartOffset);
      const buf = Buffer.allocUnsafe(Math.min(Number(index.chunkLength), MAX_CHUNK_BYTES));
      const { bytesRead } = await this.handle.read(buf, 0, buf.length, offset);
      try {
        decodeChunk(buf.subarray(0, bytesRead), new Map(), 0);
      } catch (d) {
        if (d instanceof ChunkCrcError) return damagedChunk(this.file, { offset, ...index }, d.stored, d.computed);
      }
    }
    return new ReplaySourceError(`${this.file}: ${e.message}`);
  }

  async read(t0: number, t1: number, sink: RangeSink): Promise<void> {
    if (t1 <= t0) return;
    // The chunks overlapping (t0, t1]: those starting at or before t1 and ending after t0.
    let hi = this.chunks.length;
    let lo = 0;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.chunks[mid]!.start <= t1) lo = mid + 1;
      else hi = mid;
    }
    const hits: ChunkRef[] = [];
    for (let k = lo - 1; k >= 0; k--) {
      const c = this.chunks[k]!;
      if (c.start < t0 - this.maxSpan) break;
      if (c.end > t0) hits.push(c);
    }
    // File order is each channel's time order. A batch of chunks at a time, so a long
    // range (an hour of history asked for) never holds more than a batch decoded.
    hits.sort((x, y) => x.offset - y.offset);
    for (let i = 0; i < hits.length; i += READ_BATCH) {
      const batch = hits.slice(i, i + READ_BATCH);
      await this.prefetch(batch);
      for (const c of batch) {
        const d = await this.decoded(c);
        for (let ch = 0; ch < d.times.length; ch++) {
          const times = d.times[ch];
          if (!times) continue;
          const from = upperBound(times, t0);
          const to = upperBound(times, t1);
          if (to > from) sink(ch, times, d.values[ch]!, from, to);
        }
      }
      this.seekBatch = null;
    }
  }

  /**
   * Chunks not cached yet are read in few large reads (a seek's chunks lie one after
   * the other in the file, with their message indexes between them) and decoded.
   */
  private async prefetch(hits: ChunkRef[]): Promise<void> {
    const missing = hits.filter((c) => !this.cache.has(c.offset));
    if (missing.length < 2) return;
    for (const c of missing) checkChunkLength(c);
    const decodedNow = new Map<number, DecodedChunk>();
    for (let i = 0; i < missing.length;) {
      const first = missing[i]!;
      let j = i + 1;
      let end = first.offset + Number(first.index.chunkLength);
      while (j < missing.length && missing[j]!.offset - end < PREFETCH_GAP && missing[j]!.offset + Number(missing[j]!.index.chunkLength) - first.offset <= PREFETCH_BYTES) {
        end = missing[j]!.offset + Number(missing[j]!.index.chunkLength);
        j++;
      }
      const buf = Buffer.allocUnsafe(end - first.offset);
      const { bytesRead } = await this.handle.read(buf, 0, buf.length, first.offset);
      for (let k = i; k < j; k++) {
        const c = missing[k]!;
        const at = c.offset - first.offset;
        const length = Number(c.index.chunkLength);
        if (at + length > bytesRead) throw new ReplaySourceError(`The recording ends inside a chunk at byte ${c.offset}`);
        decodedNow.set(c.offset, this.decode(c, buf.subarray(at, at + length)));
      }
      i = j;
    }
    // The last of them stay cached for the play that follows.
    for (const [offset, d] of decodedNow) this.remember(offset, d);
    this.seekBatch = decodedNow;
  }

  async close(): Promise<void> {
    this.cache.clear();
    await this.handle.close();
  }

  private async decoded(c: ChunkRef): Promise<DecodedChunk> {
    const batch = this.seekBatch?.get(c.offset);
    if (batch) return batch;
    checkChunkLength(c);
    const hit = this.cache.get(c.offset);
    if (hit) {
      // Most recently used last.
      this.cache.delete(c.offset);
      this.cache.set(c.offset, hit);
      return hit;
    }
    const length = Number(c.index.chunkLength);
    const buf = Buffer.allocUnsafe(length);
    const { bytesRead } = await this.handle.read(buf, 0, length, c.offset);
    if (bytesRead < length) throw new ReplaySourceError(`The recording ends inside a chunk at byte ${c.offset}`);
    const d = this.decode(c, buf);
    this.remember(c.offset, d);
    return d;
  }

  private decode(c: ChunkRef, buf: Uint8Array): DecodedChunk {
    try {
      return decodeChunk(buf, this.byId, this.channels.length);
    } catch (e) {
      if (e instanceof ChunkCrcError) throw damagedChunk(this.file, { offset: c.offset, ...c.index }, e.stored, e.computed);
      throw e;
    }
  }

  private remember(offset: number, d: DecodedChunk): void {
    this.cache.delete(offset);
    this.cache.set(offset, d);
    if (this.cache.size > CHUNK_CACHE) this.cache.delete(this.cache.keys().next().value!);
  }
}

function checkChunkLength(c: ChunkRef): void {
  if (Number(c.index.chunkLength) > MAX_CHUNK_BYTES) {
    throw new ReplaySourceError(`The chunk at byte ${c.offset} is ${c.index.chunkLength} bytes long, more than a replay reads (${MAX_CHUNK_BYTES} bytes): the index is damaged or the file was not written by Benchscope`);
  }
}

function ascending(times: Float64Array): boolean {
  for (let i = 1; i < times.length; i++) if (times[i]! < times[i - 1]!) return false;
  return true;
}

/** Sorts samples by time, keeping the order of equal times (stable). */
function sortByTime(times: Float64Array, values: Float64Array): void {
  const order = Array.from({ length: times.length }, (_, i) => i).sort((a, b) => times[a]! - times[b]! || a - b);
  const t = Float64Array.from(order, (i) => times[i]!);
  const v = Float64Array.from(order, (i) => values[i]!);
  times.set(t);
  values.set(v);
}

/** First index whose time is above t (times ascending). */
function upperBound(times: Float64Array, t: number): number {
  let lo = 0;
  let hi = times.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (times[mid]! <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

const OP_CHUNK = 0x06;
const OP_MESSAGE = 0x05;

/**
 * Decodes a Chunk record (opcode, length, then: start u64, end u64, uncompressed
 * size u64, crc u32, compression string, records byte array) into per-channel
 * arrays: one walk over the records finds the sample messages, then they are filled in.
 */
export function decodeChunk(buf: Uint8Array, byId: ReadonlyMap<number, number>, channelCount: number): DecodedChunk {
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  if (buf.byteLength < 9 || buf[0] !== OP_CHUNK) throw new ReplaySourceError('Not a chunk record where the index points');
  let p = 9 + 8 + 8 + 8 + 4;
  if (p + 4 > buf.byteLength) throw new ReplaySourceError('A chunk record too short for its header');
  const compressionLen = view.getUint32(p, true);
  p += 4;
  if (p + compressionLen + 8 > buf.byteLength) throw new ReplaySourceError(`A chunk record whose compression name (${compressionLen} bytes) runs past its end`);
  const compression = Buffer.from(buf.buffer, buf.byteOffset + p, compressionLen).toString('latin1');
  p += compressionLen;
  if (compression !== '') throw new ReplaySourceError(`Chunks compressed with ${compression.slice(0, 32)} cannot be replayed here (Benchscope writes uncompressed chunks)`);
  const recordsLen = Number(view.getBigUint64(p, true));
  p += 8;
  const first = p;
  const last = Math.min(buf.byteLength, p + recordsLen);
  // A cut chunk is walked as far as it goes (its caller knows it is cut); a whole one must match its CRC.
  const stored = view.getUint32(9 + 24, true);
  if (stored !== 0 && p + recordsLen <= buf.byteLength) {
    const computed = mcapCrc(buf.subarray(first, last));
    if (computed !== stored) throw new ChunkCrcError(stored, computed);
  }
  // One walk over the records: where each sample message is, and of which channel.
  const most = Math.floor((last - first) / (9 + 22 + SAMPLE_BYTES));
  const at = new Int32Array(most);
  const of = new Int32Array(most);
  const counts = new Int32Array(channelCount);
  let found = 0;
  for (let q = first; q + 9 <= last;) {
    const len = view.getUint32(q + 1, true) + view.getUint32(q + 5, true) * 4294967296;
    const body = q + 9;
    if (body + len > last) break;
    if (buf[q] === OP_MESSAGE && len >= 22 + SAMPLE_BYTES) {
      const ch = byId.get(view.getUint16(body, true));
      if (ch !== undefined) {
        at[found] = body;
        of[found++] = ch;
        counts[ch]!++;
      }
    }
    q = body + len;
  }
  const out: DecodedChunk = { times: new Array(channelCount), values: new Array(channelCount) };
  for (let ch = 0; ch < channelCount; ch++) {
    if (counts[ch]! > 0) {
      out.times[ch] = new Float64Array(counts[ch]!);
      out.values[ch] = new Float64Array(counts[ch]!);
    }
  }
  const fill = new Int32Array(channelCount);
  for (let i = 0; i < found; i++) {
    const body = at[i]!;
    const ch = of[i]!;
    const k = fill[ch]!++;
    // body: channel u16, sequence u32, log time u64, publish time u64, data (CDR header + float64)
    out.times[ch]![k] = nsWordsToSeconds(view.getUint32(body + 6, true), view.getUint32(body + 10, true));
    out.values[ch]![k] = view.getFloat64(body + 22 + 4, buf[body + 22 + 1] === 0x01);
  }
  // A device clock that went back (a reset) leaves a channel out of time order: sorted
  // here, so a time range of the chunk is one run of samples.
  for (let ch = 0; ch < channelCount; ch++) {
    const times = out.times[ch];
    if (times && !ascending(times)) sortByTime(times, out.values[ch]!);
  }
  return out;
}

// ---------------------------------------------------------------- files cut short

async function memorySource(file: string): Promise<ReplaySource> {
  const size = (await fs.stat(file)).size;
  if (size > MAX_UNINDEXED_BYTES) {
    throw new ReplaySourceError(`${file} has no index (cut short, or not MCAP) and is ${size} bytes: a replay reads such a file whole only up to ${MAX_UNINDEXED_BYTES} bytes`);
  }
  let contents;
  try {
    contents = await readRecording(file);
  } catch (e) {
    if (e instanceof DamagedChunkError) throw e;
    throw new ReplaySourceError(`Cannot read ${file} as an MCAP recording: ${(e as Error).message}`);
  }
  const signals = contents.signals.filter((s) => s.count > 0);
  for (const sg of signals) {
    const times = sg.times.subarray(0, sg.count);
    if (!ascending(times)) sortByTime(times, sg.values.subarray(0, sg.count));
  }
  const consoleLines: ReplayConsoleLine[] = contents.console.map((l) => ({ t: l.t, session: l.session, dir: l.dir, text: l.text })).sort((a, b) => a.t - b.t);
  let start = Infinity, end = -Infinity;
  for (const s of signals) {
    start = Math.min(start, s.times[0]!);
    end = Math.max(end, s.times[s.count - 1]!);
  }
  return {
    channels: signals.map((s, index) => ({ index, session: s.session, signal: s.signal, unit: s.unit })),
    start: Number.isFinite(start) ? start : 0,
    end: Number.isFinite(end) ? end : 0,
    complete: false,
    samplesPerSecond: end > start ? signals.reduce((n, sg) => n + sg.count, 0) / (end - start) : 0,
    marks: contents.marks.map((m) => ({ t: m.t, session: m.session, label: m.label, severity: m.severity, signal: m.signal })),
    consoleBefore(t, limit) {
      let hi = consoleLines.length;
      let lo = 0;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (consoleLines[mid]!.t <= t) lo = mid + 1;
        else hi = mid;
      }
      return Promise.resolve(consoleLines.slice(Math.max(0, lo - limit), lo));
    },
    read(t0, t1, sink) {
      signals.forEach((s, ch) => {
        const times = s.times.subarray(0, s.count);
        const from = upperBound(times, t0);
        const to = upperBound(times, t1);
        if (to > from) sink(ch, times, s.values, from, to);
      });
      return Promise.resolve();
    },
    close: () => Promise.resolve(),
  };
}
