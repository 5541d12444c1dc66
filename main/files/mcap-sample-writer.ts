// An MCAP writer for the recorder's hot path: sample messages are laid straight
// into the chunk being built, and their message index entries into typed arrays,
// with no object, BigInt or promise per sample. The other records (header, schema,
// channel, metadata, chunk framing, indexes, summary, footer) are built by
// @mcap/core's McapRecordBuilder, so the file is what the MCAP library writes and
// reads: chunked, with message indexes, a chunk index, a metadata index and
// summary offsets (Foxglove's indexed reader needs them).
//
// Invariants:
// - Schemas, channels and metadata are written outside chunks, before any message of
//   theirs, so a file cut short reads (streamed) as far as its last whole chunk.
// - A chunk is written whole, then its message indexes, in one write call; a chunk
//   is never split across writes, so a crash leaves whole chunks and at most one
//   torn record at the end, which readers see as a record past the end of the file.
// - Every chunk carries the CRC-32 of its records, so readers notice a damaged chunk
//   (a flipped byte once moved a timestamp by 763 s unnoticed). The data section and
//   summary CRCs are written as 0 ("not computed", which the MCAP spec lets readers skip).
// - Times: seconds since the epoch (doubles) to u64 ns exactly as NanosClock does
//   (whole seconds, plus the fraction rounded to the ns), with no BigInt.
import type { FileHandle } from 'node:fs/promises';
import { McapRecordBuilder, type McapTypes } from '@mcap/core';
import { mcapCrc } from './mcap-crc';
import { SAMPLE_BYTES } from './mcap-format';

const OP_MESSAGE = 0x05;
const OP_CHUNK = 0x06;
const OP_MESSAGE_INDEX = 0x07;
const OP_SCHEMA = 0x03;
const OP_CHANNEL = 0x04;
const OP_CHUNK_INDEX = 0x08;
const OP_METADATA_INDEX = 0x0d;
/** A chunk is written out once it holds about this much. */
export const DEFAULT_CHUNK_BYTES = 128 * 1024;
/** A message record's bytes besides its data: opcode, length, channel, sequence, log and publish time. */
export const MESSAGE_OVERHEAD = 1 + 8 + 2 + 4 + 8 + 8;
/** Chunk record bytes before its records: opcode, length, start, end, size, crc, empty compression, records length. */
const CHUNK_HEAD = 1 + 8 + 8 + 8 + 8 + 4 + 4 + 8;
const TWO_32 = 4294967296;

/** u64 ns of a time in seconds, as two u32 words, the same value NanosClock gives. */
export class NsWords {
  lo = 0;
  hi = 0;
  private sec = Number.NaN;
  private secLo = 0;
  private secHi = 0;
  set(t: number): void {
    const sec = Math.floor(t);
    if (sec !== this.sec) {
      this.sec = sec;
      // sec * 1e9 split so every product is exact in a double.
      const a = Math.floor(sec / 65536);
      const b = sec - a * 65536;
      const A = a * 1e9; // times 2^16 below
      const aHi = Math.floor(A / 65536);
      const aLo = A - aHi * 65536;
      const B = b * 1e9;
      const bHi = Math.floor(B / TWO_32);
      const low = aLo * 65536 + (B - bHi * TWO_32);
      const carry = Math.floor(low / TWO_32);
      this.secLo = low - carry * TWO_32;
      this.secHi = aHi + bHi + carry;
    }
    const lo = this.secLo + Math.round((t - sec) * 1e9);
    if (lo >= TWO_32) {
      this.lo = lo - TWO_32;
      this.hi = this.secHi + 1;
    } else {
      this.lo = lo;
      this.hi = this.secHi;
    }
  }
}

interface ChannelIndex {
  /** Per entry: log time lo, log time hi, offset in the chunk's records. */
  entries: Uint32Array;
  count: number;
}

export class SampleMcapWriter {
  private position = 0;
  private readonly builder = new McapRecordBuilder();
  private chunk: Uint8Array;
  private view: DataView;
  /** Where the next record goes in `chunk` (records start at CHUNK_HEAD). */
  private at = CHUNK_HEAD;
  private readonly chunkBytes: number;
  private readonly index = new Map<number, ChannelIndex>();
  /** Channels with a message in the chunk being built, in first-message order. */
  private readonly inChunk: number[] = [];
  private startLo = 0; private startHi = 0; private endLo = 0; private endHi = 0;
  private empty = true;
  private chunkStartedAt = 0;
  private readonly schemas: McapTypes.Schema[] = [];
  private readonly channels: McapTypes.Channel[] = [];
  private readonly chunkIndexes: McapTypes.ChunkIndex[] = [];
  private readonly metadataIndexes: McapTypes.MetadataIndex[] = [];
  private readonly ns = new NsWords();
  private nextSchema = 1;
  private nextChannel = 0;

  constructor(private readonly handle: FileHandle, opts: { chunkBytes: number }) {
    this.chunkBytes = opts.chunkBytes;
    // Room for one more record past the chunk size: a chunk closes after the record that fills it.
    this.chunk = new Uint8Array(opts.chunkBytes + 64 * 1024);
    this.view = new DataView(this.chunk.buffer);
  }

  /** Bytes written to the file so far. */
  get bytes(): number {
    return this.position;
  }

  /** Bytes in the chunk being built (not yet in the file). */
  get pendingBytes(): number {
    return this.at - CHUNK_HEAD;
  }

  /** When the chunk being built got its first record (performance.now()), NaN when empty. */
  get pendingSince(): number {
    return this.empty ? Number.NaN : this.chunkStartedAt;
  }

  async start(header: McapTypes.Header): Promise<void> {
    this.builder.reset();
    this.builder.writeMagic();
    this.builder.writeHeader(header);
    await this.out(this.builder.buffer);
  }

  async registerSchema(info: Omit<McapTypes.Schema, 'id'>): Promise<number> {
    const schema = { ...info, id: this.nextSchema++ };
    this.schemas.push(schema);
    this.builder.reset();
    this.builder.writeSchema(schema);
    await this.out(this.builder.buffer);
    return schema.id;
  }

  async registerChannel(info: Omit<McapTypes.Channel, 'id'>): Promise<number> {
    const channel = { ...info, id: this.nextChannel++ };
    this.channels.push(channel);
    // Outside the chunk being built: it reaches the file before any message of the channel.
    this.builder.reset();
    this.builder.writeChannel(channel);
    await this.out(this.builder.buffer);
    return channel.id;
  }

  async addMetadata(metadata: McapTypes.Metadata): Promise<void> {
    this.builder.reset();
    this.builder.writeMetadata(metadata);
    const offset = this.position;
    await this.out(this.builder.buffer);
    this.metadataIndexes.push({ offset: BigInt(offset), length: BigInt(this.builder.length), name: metadata.name });
  }

  /**
   * Adds n samples of one channel (times in seconds, values), sequences from
   * `firstSequence` (mod 2^32). Writes chunks out as they fill.
   */
  async addSamples(channelId: number, times: Float64Array, values: Float64Array, n: number, firstSequence: number): Promise<void> {
    const view = this.view;
    const ns = this.ns;
    const record = MESSAGE_OVERHEAD + SAMPLE_BYTES;
    const len = record - 9;
    let idx = this.channelIndex(channelId);
    for (let i = 0; i < n; i++) {
      if (this.at + record > this.chunkBytes + CHUNK_HEAD && !this.empty) {
        await this.flush();
        idx = this.channelIndex(channelId);
      }
      if (this.empty) this.begin();
      const t = times[i]!;
      ns.set(t);
      const p = this.at;
      this.header(p, len, channelId, firstSequence + i);
      // CDR little-endian header (00 01 00 00), then the float64.
      view.setUint32(p + 31, 0x0100, true);
      view.setFloat64(p + 35, values[i]!, true);
      this.note(idx, channelId, p);
      this.at = p + record;
    }
  }

  /** A message record's opcode, length, channel, sequence and both times (this.ns) at p. */
  private header(p: number, length: number, channelId: number, sequence: number): void {
    const view = this.view;
    this.chunk[p] = OP_MESSAGE;
    view.setUint32(p + 1, length, true);
    view.setUint32(p + 5, 0, true);
    view.setUint16(p + 9, channelId, true);
    view.setUint32(p + 11, sequence >>> 0, true);
    view.setUint32(p + 15, this.ns.lo, true);
    view.setUint32(p + 19, this.ns.hi, true);
    view.setUint32(p + 23, this.ns.lo, true);
    view.setUint32(p + 27, this.ns.hi, true);
  }

  /** Adds one message with any payload (a console line). */
  async addMessage(channelId: number, sequence: number, t: number, data: Uint8Array): Promise<void> {
    const record = MESSAGE_OVERHEAD + data.length;
    if (this.at + record > this.chunkBytes + CHUNK_HEAD && !this.empty) await this.flush();
    if (this.at + record > this.chunk.length) {
      // A message larger than a chunk: a chunk of its own.
      const grown = new Uint8Array(this.at + record);
      grown.set(this.chunk.subarray(0, this.at));
      this.chunk = grown;
      this.view = new DataView(grown.buffer);
    }
    if (this.empty) this.begin();
    const idx = this.channelIndex(channelId);
    this.ns.set(t);
    const p = this.at;
    this.header(p, record - 9, channelId, sequence);
    this.chunk.set(data, p + MESSAGE_OVERHEAD);
    this.note(idx, channelId, p);
    this.at = p + record;
  }

  /** Writes the chunk being built (and its message indexes) to the file, if it holds anything. */
  async flush(): Promise<void> {
    if (this.empty) return;
    const recordsLength = this.at - CHUNK_HEAD;
    const view = this.view;
    const chunk = this.chunk;
    chunk[0] = OP_CHUNK;
    setU64(view, 1, this.at - 9);
    view.setUint32(9, this.startLo, true);
    view.setUint32(13, this.startHi, true);
    view.setUint32(17, this.endLo, true);
    view.setUint32(21, this.endHi, true);
    setU64(view, 25, recordsLength);
    view.setUint32(33, mcapCrc(chunk.subarray(CHUNK_HEAD, this.at)), true);
    view.setUint32(37, 0, true); // compression: none
    setU64(view, 41, recordsLength);

    // The message indexes, one record per channel of the chunk.
    let indexBytes = 0;
    for (const id of this.inChunk) indexBytes += 1 + 8 + 2 + 4 + this.index.get(id)!.count * 16;
    const indexes = new Uint8Array(indexBytes);
    const iv = new DataView(indexes.buffer);
    const chunkStart = this.position;
    const indexStart = chunkStart + this.at;
    const offsets = new Map<number, bigint>();
    let q = 0;
    for (const id of this.inChunk) {
      const ci = this.index.get(id)!;
      offsets.set(id, BigInt(indexStart + q));
      indexes[q] = OP_MESSAGE_INDEX;
      setU64(iv, q + 1, 2 + 4 + ci.count * 16);
      iv.setUint16(q + 9, id, true);
      iv.setUint32(q + 11, ci.count * 16, true);
      q += 15;
      const e = ci.entries;
      for (let k = 0; k < ci.count; k++) {
        iv.setUint32(q, e[3 * k]!, true);
        iv.setUint32(q + 4, e[3 * k + 1]!, true);
        iv.setUint32(q + 8, e[3 * k + 2]!, true);
        iv.setUint32(q + 12, 0, true);
        q += 16;
      }
      ci.count = 0;
    }
    const chunkLength = this.at;
    await this.out(chunk.subarray(0, chunkLength));
    await this.out(indexes);
    this.chunkIndexes.push({
      messageStartTime: words(this.startLo, this.startHi),
      messageEndTime: words(this.endLo, this.endHi),
      chunkStartOffset: BigInt(chunkStart),
      chunkLength: BigInt(chunkLength),
      messageIndexOffsets: offsets,
      messageIndexLength: BigInt(indexBytes),
      compression: '',
      compressedSize: BigInt(recordsLength),
      uncompressedSize: BigInt(recordsLength),
    });
    this.inChunk.length = 0;
    this.at = CHUNK_HEAD;
    this.empty = true;
  }

  /** Writes what is left, the summary and the footer. The caller closes the file. */
  async end(): Promise<void> {
    await this.flush();
    const b = this.builder;
    b.reset();
    b.writeDataEnd({ dataSectionCrc: 0 });
    await this.out(b.buffer);
    const summaryStart = this.position;
    b.reset();
    const groups: { opcode: number; start: number; length: number }[] = [];
    const group = (opcode: number, write: () => void) => {
      const start = b.length;
      write();
      if (b.length > start) groups.push({ opcode, start: summaryStart + start, length: b.length - start });
    };
    group(OP_SCHEMA, () => { for (const s of this.schemas) b.writeSchema(s); });
    group(OP_CHANNEL, () => { for (const c of this.channels) b.writeChannel(c); });
    group(OP_CHUNK_INDEX, () => { for (const c of this.chunkIndexes) b.writeChunkIndex(c); });
    group(OP_METADATA_INDEX, () => { for (const m of this.metadataIndexes) b.writeMetadataIndex(m); });
    const summaryOffsetStart = summaryStart + b.length;
    for (const g of groups) b.writeSummaryOffset({ groupOpcode: g.opcode, groupStart: BigInt(g.start), groupLength: BigInt(g.length) });
    b.writeFooter({ summaryStart: BigInt(summaryStart), summaryOffsetStart: BigInt(summaryOffsetStart), summaryCrc: 0 });
    b.writeMagic();
    await this.out(b.buffer);
  }

  private begin(): void {
    this.empty = false;
    this.chunkStartedAt = performance.now();
    this.startLo = this.startHi = 0xffffffff;
    this.endLo = this.endHi = 0;
  }

  private channelIndex(id: number): ChannelIndex {
    let ci = this.index.get(id);
    if (!ci) {
      ci = { entries: new Uint32Array(3 * 1024), count: 0 };
      this.index.set(id, ci);
    }
    return ci;
  }

  /** Index entry for the record at p, and the chunk's time range. */
  private note(ci: ChannelIndex, id: number, p: number): void {
    const { lo, hi } = this.ns;
    if (ci.count === 0) this.inChunk.push(id);
    if (3 * ci.count + 3 > ci.entries.length) {
      const grown = new Uint32Array(ci.entries.length * 2);
      grown.set(ci.entries);
      ci.entries = grown;
    }
    const k = 3 * ci.count++;
    ci.entries[k] = lo;
    ci.entries[k + 1] = hi;
    ci.entries[k + 2] = p - CHUNK_HEAD;
    if (hi < this.startHi || (hi === this.startHi && lo < this.startLo)) { this.startHi = hi; this.startLo = lo; }
    if (hi > this.endHi || (hi === this.endHi && lo > this.endLo)) { this.endHi = hi; this.endLo = lo; }
  }

  private async out(bytes: Uint8Array): Promise<void> {
    let done = 0;
    while (done < bytes.length) {
      const { bytesWritten } = await this.handle.write(bytes, done, bytes.length - done);
      done += bytesWritten;
    }
    this.position += bytes.length;
  }
}

function setU64(view: DataView, at: number, v: number): void {
  view.setUint32(at, v % TWO_32, true);
  view.setUint32(at + 4, Math.floor(v / TWO_32), true);
}

function words(lo: number, hi: number): bigint {
  return (BigInt(hi) << 32n) | BigInt(lo);
}
