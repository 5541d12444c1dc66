// The binary telemetry frame: one per flush per client, from the engine's batcher
// to a renderer or script. Little-endian and 8-byte aligned throughout, so the
// receiver makes Float64Array views on the frame without copying.
//
//   header, 16 bytes: u32 magic 0x46545342 (bytes "BSTF"), u16 version 1, u16 signal count,
//                     u32 samples dropped for this client since its last frame,
//                     u32 reserved (written 0, ignored on read)
//   per signal:       u32 signal id, u32 n, f64[n] times (s since epoch), f64[n] values

export const TELEMETRY_FRAME_MAGIC = 0x46545342;
export const TELEMETRY_FRAME_VERSION = 1;
export const TELEMETRY_FRAME_HEADER_BYTES = 16;
export const TELEMETRY_BLOCK_HEADER_BYTES = 8;
export const TELEMETRY_FRAME_MAX_SIGNALS = 0xffff;

export interface TelemetryBlock {
  id: number;
  times: Float64Array;
  values: Float64Array;
}

export interface TelemetryFrame {
  dropped: number;
  blocks: TelemetryBlock[];
}

/** Size in bytes of a frame holding `signalCount` blocks and `sampleCount` samples in all. */
export function telemetryFrameBytes(signalCount: number, sampleCount: number): number {
  return TELEMETRY_FRAME_HEADER_BYTES + signalCount * TELEMETRY_BLOCK_HEADER_BYTES + sampleCount * 16;
}

/**
 * Writes a frame straight into one ArrayBuffer sized up front: the caller says how
 * many blocks and samples, then fills the views block() hands back.
 */
export class TelemetryFrameWriter {
  readonly buffer: ArrayBuffer;
  private readonly view: DataView;
  private offset = TELEMETRY_FRAME_HEADER_BYTES;
  private blocksLeft: number;

  constructor(signalCount: number, sampleCount: number, dropped: number) {
    if (!Number.isInteger(signalCount) || signalCount < 0 || signalCount > TELEMETRY_FRAME_MAX_SIGNALS) {
      throw new RangeError(`a telemetry frame holds 0 to ${TELEMETRY_FRAME_MAX_SIGNALS} signals, got ${signalCount}`);
    }
    this.buffer = new ArrayBuffer(telemetryFrameBytes(signalCount, sampleCount));
    this.view = new DataView(this.buffer);
    this.blocksLeft = signalCount;
    this.view.setUint32(0, TELEMETRY_FRAME_MAGIC, true);
    this.view.setUint16(4, TELEMETRY_FRAME_VERSION, true);
    this.view.setUint16(6, signalCount, true);
    // A drop count past u32 saturates: "more than 4 billion" says enough.
    this.view.setUint32(8, Math.min(Math.max(0, Math.floor(dropped)), 0xffffffff), true);
    this.view.setUint32(12, 0, true);
  }

  /** Reserves the next block and returns the views to fill with its n times and values. */
  block(id: number, n: number): { times: Float64Array; values: Float64Array } {
    const bytes = TELEMETRY_BLOCK_HEADER_BYTES + n * 16;
    if (this.blocksLeft === 0 || this.offset + bytes > this.buffer.byteLength) {
      throw new RangeError(`telemetry frame overflow: block for signal ${id} with ${n} samples does not fit`);
    }
    this.blocksLeft--;
    this.view.setUint32(this.offset, id, true);
    this.view.setUint32(this.offset + 4, n, true);
    const at = this.offset + TELEMETRY_BLOCK_HEADER_BYTES;
    this.offset += bytes;
    return { times: new Float64Array(this.buffer, at, n), values: new Float64Array(this.buffer, at + n * 8, n) };
  }

  /** The finished frame; throws if fewer blocks or samples were written than declared. */
  finish(): ArrayBuffer {
    if (this.blocksLeft !== 0 || this.offset !== this.buffer.byteLength) {
      throw new RangeError(`telemetry frame incomplete: ${this.blocksLeft} blocks and ${this.buffer.byteLength - this.offset} bytes not written`);
    }
    return this.buffer;
  }
}

export function encodeTelemetryFrame(dropped: number, blocks: readonly TelemetryBlock[]): ArrayBuffer {
  let samples = 0;
  for (const b of blocks) {
    if (b.times.length !== b.values.length) {
      throw new RangeError(`signal ${b.id}: ${b.times.length} times but ${b.values.length} values`);
    }
    samples += b.times.length;
  }
  const writer = new TelemetryFrameWriter(blocks.length, samples, dropped);
  for (const b of blocks) {
    const out = writer.block(b.id, b.times.length);
    out.times.set(b.times);
    out.values.set(b.values);
  }
  return writer.finish();
}

/**
 * Decodes a frame from the wire. Never throws: a malformed frame yields `{ error }`.
 * The blocks are views on the frame's memory, so a Uint8Array must start 8-byte aligned.
 */
export function decodeTelemetryFrame(frame: ArrayBuffer | Uint8Array): TelemetryFrame | { error: string } {
  // isView rather than instanceof: frames may come from another realm (a MessagePort, a test DOM).
  const isView = ArrayBuffer.isView(frame);
  const buffer = isView ? frame.buffer : frame;
  const base = isView ? frame.byteOffset : 0;
  const length = frame.byteLength;
  if (base % 8 !== 0) return { error: `telemetry frame: starts at byte offset ${base}, not 8-byte aligned (copy it into a fresh ArrayBuffer)` };
  if (length < TELEMETRY_FRAME_HEADER_BYTES) return { error: `telemetry frame: ${length} bytes, shorter than the 16-byte header` };
  const view = new DataView(buffer, base, length);
  const magic = view.getUint32(0, true);
  if (magic !== TELEMETRY_FRAME_MAGIC) return { error: `telemetry frame: bad magic 0x${magic.toString(16).padStart(8, '0')}, expected 0x46545342 ("BSTF")` };
  const version = view.getUint16(4, true);
  if (version !== TELEMETRY_FRAME_VERSION) return { error: `telemetry frame: version ${version} not supported (expected ${TELEMETRY_FRAME_VERSION})` };
  const count = view.getUint16(6, true);
  const dropped = view.getUint32(8, true);
  if (TELEMETRY_FRAME_HEADER_BYTES + count * TELEMETRY_BLOCK_HEADER_BYTES > length) {
    return { error: `telemetry frame: ${count} signals announced but only ${length} bytes` };
  }
  const blocks: TelemetryBlock[] = [];
  let offset = TELEMETRY_FRAME_HEADER_BYTES;
  for (let k = 0; k < count; k++) {
    if (offset + TELEMETRY_BLOCK_HEADER_BYTES > length) {
      return { error: `telemetry frame: truncated at the header of block ${k + 1} of ${count} (byte ${offset} of ${length})` };
    }
    const id = view.getUint32(offset, true);
    const n = view.getUint32(offset + 4, true);
    const at = offset + TELEMETRY_BLOCK_HEADER_BYTES;
    if (n * 16 > length - at) {
      return { error: `telemetry frame: signal ${id} announces ${n} samples (${n * 16} bytes) but only ${length - at} bytes remain` };
    }
    blocks.push({ id, times: new Float64Array(buffer, base + at, n), values: new Float64Array(buffer, base + at + n * 8, n) });
    offset = at + n * 16;
  }
  if (offset !== length) return { error: `telemetry frame: ${length - offset} trailing bytes after the last of ${count} blocks` };
  return { dropped, blocks };
}
