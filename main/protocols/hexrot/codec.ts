// Hexrot frames, both generations: bytes from the controller -> config,
// telemetry and command status; commands -> bytes.
//
// Current generation: Header (24 bytes: frame_id u32, counter u32, tai_sec i64,
// tai_nsec i64) then the body the frame id names: 1 command status (62 bytes),
// the layout's telemetry or config structure. There is no length field.
// Legacy generation: Header of 36 bytes (sync_pattern u16, frame_id u16, counter
// u32, mjd i32, mjd_frac f64, tv_sec i64, tv_nsec i64) or, in later versions, 24
// bytes (mjd and mjd_frac dropped), then config or telemetry by frame id.
//
// Invariants:
// - push() never throws on input. Every byte ends up in a decoded frame, skipped
//   while searching for the next header (counted, reported with what was
//   expected), or pending in the assembly buffer (dropped and counted by reset()).
// - No object or string per frame on the telemetry path: frames wholly inside a
//   chunk are read in place, others are assembled in one buffer sized once.
// - A header that is not one (unknown frame id, or times no clock gives) loses
//   the step: one error, then a search byte by byte for the next header (known
//   frame id, plausible times), which decodes on. Skipping a frame length at a
//   time, or flushing what a read holds, would depend on how the stream was cut
//   into reads and could stay out of step forever; this search does not: any
//   split of a stream yields the same frames and errors.
import type { CompiledLayout } from '../../../shared/api/hexrot-layout';
import { StructReader } from './reader';

export const FRAME_COMMAND_STATUS = 1;
export const CURRENT_HEADER_BYTES = 24;
export const LEGACY_MJD_HEADER_BYTES = 36;
export const LEGACY_TAI_HEADER_BYTES = 24;
export const COMMAND_BYTES = 60;
export const LEGACY_COMMAND_BYTES = 58;
export const COMMAND_STATUS_BYTES = 62;
export const REASON_BYTES = 50;
/** `commander` of a command sent by this kind of client (the reference CSC). */
export const COMMANDER = 2;
export const STATUS_ACK = 1;
export const STATUS_NO_ACK = 2;

export type Generation = 'current' | 'legacy';
export type LegacyHeader = 'mjd' | 'tai';

export interface HexrotSink {
  /** `values` is the telemetry reader's array, valid during the call only. */
  telemetry(values: Float64Array, t: number): void;
  config(values: Float64Array, texts: Record<string, string>, t: number): void;
  commandStatus(counter: number, status: number, duration: number, reason: string, t: number): void;
}

export interface HexrotCounters {
  bytes: number;
  frames: number;
  telemetryFrames: number;
  configFrames: number;
  statusFrames: number;
  unknownFrames: number;
  /** Bytes thrown away after unknown frame ids, and partial frames dropped by reset(). */
  discardedBytes: number;
  resyncs: number;
  truncatedFrames: number;
}

export function headerBytes(generation: Generation, legacyHeader: LegacyHeader = 'mjd'): number {
  if (generation === 'current') return CURRENT_HEADER_BYTES;
  return legacyHeader === 'mjd' ? LEGACY_MJD_HEADER_BYTES : LEGACY_TAI_HEADER_BYTES;
}

function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join(' ');
}

export class HexrotDecoder {
  readonly counters: HexrotCounters = {
    bytes: 0, frames: 0, telemetryFrames: 0, configFrames: 0, statusFrames: 0, unknownFrames: 0, discardedBytes: 0, resyncs: 0, truncatedFrames: 0,
  };
  lastError: string | null = null;
  /** Header fields of the last frame: frame id, counter and its time in seconds (TAI, or the legacy tv_sec/tv_nsec). */
  lastFrameId = -1;
  lastCounter = 0;
  lastHeaderTime = NaN;

  /** The last frame's header time as seconds since the Unix epoch (UTC): TAI headers less the leap seconds. */
  get lastHeaderUtc(): number {
    return this.current || !this.mjd ? this.lastHeaderTime - TAI_MINUS_UTC : this.lastHeaderTime;
  }

  readonly telemetryReader: StructReader;
  readonly configReader: StructReader;
  readonly headerSize: number;
  private readonly maxBody: number;
  private readonly le: boolean;
  private readonly current: boolean;
  private readonly mjd: boolean;
  private readonly carry: Uint8Array;
  private readonly carryView: DataView;
  private have = 0;
  /** Body size of the frame being assembled, -1 until its header is complete. */
  private body = -1;
  /** Out of step (stray bytes): searching byte by byte for the next header. */
  private lost = false;
  /** Bytes skipped since the step was lost. */
  private skipped = 0;
  private readonly reasonDecoder = new TextDecoder('utf-8', { fatal: false });

  constructor(readonly layout: CompiledLayout, readonly generation: Generation, private readonly sink: HexrotSink, opts: { legacyHeader?: LegacyHeader } = {}) {
    this.le = layout.littleEndian;
    this.current = generation === 'current';
    this.mjd = (opts.legacyHeader ?? 'mjd') === 'mjd';
    this.headerSize = headerBytes(generation, opts.legacyHeader);
    this.telemetryReader = new StructReader(layout.telemetry, this.le);
    this.configReader = new StructReader(layout.config, this.le);
    this.maxBody = Math.max(layout.telemetry.size, layout.config.size, this.current ? COMMAND_STATUS_BYTES : 0);
    this.carry = new Uint8Array(this.headerSize + this.maxBody);
    this.carryView = new DataView(this.carry.buffer);
  }

  /** Bytes of a frame received so far but not yet complete. */
  get pendingBytes(): number {
    return this.have;
  }

  /** Decodes a chunk received at time `t` (seconds since the epoch). Never throws on any input. */
  push(chunk: Uint8Array, t: number): void {
    this.counters.bytes += chunk.length;
    if (this.lost && this.have > 0) {
      // The tail kept while searching (shorter than a header) goes on with this chunk.
      const joined = new Uint8Array(this.have + chunk.length);
      joined.set(this.carry.subarray(0, this.have), 0);
      joined.set(chunk, this.have);
      this.have = 0;
      chunk = joined;
    }
    let len = chunk.length;
    let view = new DataView(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    const H = this.headerSize;
    let pos = 0;
    while (pos < len) {
      if (this.have === 0 && len - pos >= H) {
        const body = this.bodySize(view, pos);
        if (body < 0) {
          if (!this.lost) this.loseSync(chunk.subarray(pos, pos + H), view, pos);
          this.skip(1);
          pos++;
          continue;
        }
        if (this.lost) this.regainSync();
        if (len - pos >= H + body) {
          this.frame(view, pos, t);
          pos += H + body;
          continue;
        }
      }
      if (this.lost) {
        // Fewer bytes than a header left: they may start one, so they wait for the next chunk.
        this.carry.set(chunk.subarray(pos, len), 0);
        this.have = len - pos;
        return;
      }
      // Assemble a frame split across chunks.
      const need = this.body < 0 ? H : H + this.body;
      const n = Math.min(need - this.have, len - pos);
      this.carry.set(chunk.subarray(pos, pos + n), this.have);
      this.have += n;
      pos += n;
      if (this.have < need) continue;
      if (this.body < 0) {
        const body = this.bodySize(this.carryView, 0);
        if (body < 0) {
          // Search on from the header's second byte: the bytes held and the rest of the chunk, as one run.
          this.loseSync(this.carry.subarray(0, H), this.carryView, 0);
          this.skip(1);
          const rest = new Uint8Array(H - 1 + len - pos);
          rest.set(this.carry.subarray(1, H), 0);
          rest.set(chunk.subarray(pos, len), H - 1);
          this.have = 0;
          chunk = rest;
          len = rest.length;
          view = new DataView(rest.buffer);
          pos = 0;
          continue;
        }
        this.body = body;
        if (body > 0) continue;
      }
      this.frame(this.carryView, 0, t);
      this.have = 0;
      this.body = -1;
    }
  }

  /** Drops a partial frame (the connection ended inside it); the next connection starts in step. */
  reset(): void {
    if (this.have > 0) {
      this.counters.discardedBytes += this.have;
      if (this.lost) {
        this.lastError = `connection ended while searching for a frame header: ${this.skipped + this.have} bytes dropped since the last frame`;
      } else {
        this.counters.truncatedFrames++;
        const expected = this.body < 0 ? `a ${this.headerSize}-byte header` : `a ${this.headerSize + this.body}-byte frame (frame id ${this.frameIdAt(this.carryView, 0)})`;
        this.lastError = `connection ended inside ${expected}: ${this.have} bytes received, dropped`;
      }
    }
    this.have = 0;
    this.body = -1;
    this.lost = false;
    this.skipped = 0;
  }

  private frameIdAt(view: DataView, at: number): number {
    return this.current ? view.getUint32(at, this.le) : view.getUint16(at + 2, this.le);
  }

  /** The body size the header at `at` announces; -1 when it is not a header: unknown frame id or implausible times. */
  private bodySize(view: DataView, at: number): number {
    const id = this.frameIdAt(view, at);
    let size: number;
    if (id === this.layout.telemetry.frameId) size = this.layout.telemetry.size;
    else if (id === this.layout.config.frameId) size = this.layout.config.size;
    else if (this.current && id === FRAME_COMMAND_STATUS) size = COMMAND_STATUS_BYTES;
    else return -1;
    return this.plausibleTime(view, at) ? size : -1;
  }

  /**
   * Whether the header's time fields can be a clock's: nanoseconds within a second,
   * seconds not negative, and the mjd header's day fraction within a day. With the
   * frame id this tells a header from stray bytes when searching for the next frame.
   */
  private plausibleTime(view: DataView, at: number): boolean {
    const secAt = this.current || !this.mjd ? at + 8 : at + 20;
    const sec = readI64(view, secAt, this.le);
    const nsec = readI64(view, secAt + 8, this.le);
    if (!(sec >= 0 && nsec >= 0 && nsec < 1e9)) return false;
    if (this.current || !this.mjd) return true;
    const frac = view.getFloat64(at + 12, this.le);
    return view.getInt32(at + 8, this.le) >= 0 && frac >= 0 && frac < 1;
  }

  private loseSync(header: Uint8Array, view: DataView, at: number): void {
    const c = this.counters;
    c.unknownFrames++;
    c.resyncs++;
    this.lost = true;
    this.skipped = 0;
    const expected = this.current
      ? `${FRAME_COMMAND_STATUS} (command status), ${this.layout.telemetry.frameId} (telemetry) or ${this.layout.config.frameId} (config)`
      : `${this.layout.telemetry.frameId} (telemetry) or ${this.layout.config.frameId} (config)`;
    const id = this.frameIdAt(view, at);
    const known = id === this.layout.telemetry.frameId || id === this.layout.config.frameId || (this.current && id === FRAME_COMMAND_STATUS);
    const what = known ? `implausible header time for frame id ${id}` : `unknown frame id ${id}`;
    this.lastError = `${what} in header [${hex(header)}]; expected ${expected}; searching for the next frame header`;
  }

  private regainSync(): void {
    this.lost = false;
    this.lastError = `${this.lastError}: found after ${this.skipped} bytes`;
  }

  private skip(n: number): void {
    this.skipped += n;
    this.counters.discardedBytes += n;
  }

  private frame(view: DataView, at: number, t: number): void {
    const c = this.counters;
    const le = this.le;
    const id = this.frameIdAt(view, at);
    c.frames++;
    this.lastFrameId = id;
    this.lastCounter = view.getUint32(at + 4, le);
    const secAt = this.current || !this.mjd ? at + 8 : at + 20;
    this.lastHeaderTime = readI64(view, secAt, le) + readI64(view, secAt + 8, le) * 1e-9;
    const body = at + this.headerSize;
    if (id === this.layout.telemetry.frameId) {
      c.telemetryFrames++;
      this.sink.telemetry(this.telemetryReader.read(view, body), t);
    } else if (id === this.layout.config.frameId) {
      c.configFrames++;
      const values = this.configReader.read(view, body);
      this.sink.config(values, this.configReader.readTexts(view, body), t);
    } else {
      c.statusFrames++;
      const reasonBytes = new Uint8Array(view.buffer, view.byteOffset + body + 12, REASON_BYTES);
      const nul = reasonBytes.indexOf(0);
      const reason = this.reasonDecoder.decode(nul < 0 ? reasonBytes : reasonBytes.subarray(0, nul));
      this.sink.commandStatus(this.lastCounter, view.getUint32(body, le), view.getFloat64(body + 4, le), reason, t);
    }
  }
}

function readI64(view: DataView, at: number, le: boolean): number {
  return le ? view.getInt32(at + 4, true) * 4294967296 + view.getUint32(at, true) : view.getInt32(at, false) * 4294967296 + view.getUint32(at + 4, false);
}

function writeI64(view: DataView, at: number, v: number, le: boolean): void {
  view.setBigInt64(at, BigInt(Math.trunc(v)), le);
}

// ---------------------------------------------------------------- encoders

export interface CommandFields {
  counter: number;
  code: number;
  params: ArrayLike<number>;
}

/** A current-generation command (60 bytes): commander, counter, code, param1..6. */
export function encodeCommand(cmd: CommandFields, littleEndian = true): Uint8Array {
  const out = new Uint8Array(COMMAND_BYTES);
  const v = new DataView(out.buffer);
  v.setUint32(0, COMMANDER, littleEndian);
  v.setUint32(4, cmd.counter >>> 0, littleEndian);
  v.setUint32(8, cmd.code >>> 0, littleEndian);
  for (let i = 0; i < 6; i++) v.setFloat64(12 + 8 * i, cmd.params[i] ?? 0, littleEndian);
  return out;
}

/** A legacy command (58 bytes): sync_pattern, counter, code, param1..6. */
export function encodeLegacyCommand(cmd: CommandFields, syncPattern: number, littleEndian = true): Uint8Array {
  const out = new Uint8Array(LEGACY_COMMAND_BYTES);
  const v = new DataView(out.buffer);
  v.setUint16(0, syncPattern, littleEndian);
  v.setUint32(2, cmd.counter >>> 0, littleEndian);
  v.setUint32(6, cmd.code >>> 0, littleEndian);
  for (let i = 0; i < 6; i++) v.setFloat64(10 + 8 * i, cmd.params[i] ?? 0, littleEndian);
  return out;
}

export interface DecodedCommand {
  commander: number;
  syncPattern: number;
  counter: number;
  code: number;
  params: number[];
}

/** The controller's side: reads a command of either generation at `at` (the caller checked the length). */
export function decodeCommand(bytes: Uint8Array, at: number, generation: Generation, littleEndian = true): DecodedCommand {
  const v = new DataView(bytes.buffer, bytes.byteOffset + at);
  const params: number[] = [];
  if (generation === 'current') {
    for (let i = 0; i < 6; i++) params.push(v.getFloat64(12 + 8 * i, littleEndian));
    return { commander: v.getUint32(0, littleEndian), syncPattern: 0, counter: v.getUint32(4, littleEndian), code: v.getUint32(8, littleEndian), params };
  }
  for (let i = 0; i < 6; i++) params.push(v.getFloat64(10 + 8 * i, littleEndian));
  return { commander: 0, syncPattern: v.getUint16(0, littleEndian), counter: v.getUint32(2, littleEndian), code: v.getUint32(6, littleEndian), params };
}

/** Seconds since the epoch -> TAI seconds (37 leap seconds since 2017). */
export const TAI_MINUS_UTC = 37;
const MJD_UNIX_EPOCH = 40587;

export interface HeaderFields {
  frameId: number;
  counter: number;
  /** TAI seconds for the current generation and the 24-byte legacy header; UTC for the mjd header. */
  time: number;
  syncPattern?: number;
}

/** A header of the given generation (the controller's side, and tests). */
export function encodeHeader(h: HeaderFields, generation: Generation, legacyHeader: LegacyHeader = 'mjd', littleEndian = true): Uint8Array {
  const out = new Uint8Array(headerBytes(generation, legacyHeader));
  const v = new DataView(out.buffer);
  const sec = Math.floor(h.time);
  const nsec = Math.round((h.time - sec) * 1e9);
  if (generation === 'current') {
    v.setUint32(0, h.frameId, littleEndian);
    v.setUint32(4, h.counter >>> 0, littleEndian);
    writeI64(v, 8, sec, littleEndian);
    writeI64(v, 16, nsec, littleEndian);
    return out;
  }
  v.setUint16(0, h.syncPattern ?? 0, littleEndian);
  v.setUint16(2, h.frameId, littleEndian);
  v.setUint32(4, h.counter >>> 0, littleEndian);
  if (legacyHeader === 'mjd') {
    const days = h.time / 86400 + MJD_UNIX_EPOCH;
    v.setInt32(8, Math.floor(days), littleEndian);
    v.setFloat64(12, days - Math.floor(days), littleEndian);
    writeI64(v, 20, sec, littleEndian);
    writeI64(v, 28, nsec, littleEndian);
  } else {
    writeI64(v, 8, sec, littleEndian);
    writeI64(v, 16, nsec, littleEndian);
  }
  return out;
}

/** A command status body (62 bytes): status, duration, reason NUL-padded and cut at 50 bytes. */
export function encodeCommandStatus(status: number, duration: number, reason: string, littleEndian = true): Uint8Array {
  const out = new Uint8Array(COMMAND_STATUS_BYTES);
  const v = new DataView(out.buffer);
  v.setUint32(0, status, littleEndian);
  v.setFloat64(4, duration, littleEndian);
  out.set(new TextEncoder().encode(reason).subarray(0, REASON_BYTES), 12);
  return out;
}
