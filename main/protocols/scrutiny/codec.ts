// Scrutiny device protocol 1.0 framing and payloads (../shared/protocols/scrutiny.md).
//
//   request : cmd u8 (bit7 = 0) | subfn u8 | len u16 | data[len] | crc32 u32
//   response: cmd|0x80 u8 | subfn u8 | code u8 | len u16 | data[len] | crc32 u32
//
// Invariants of the receive path (load-bearing):
// - FrameDecoder never throws on device input: every byte ends up in a frame, or
//   is counted as garbage / a bad CRC / an oversized length, and the decoder resyncs
//   one byte further on.
// - A decoded frame's payload is a view into the decoder's buffer, valid only during
//   the callback: no copy, no object per frame on the hot path.
// - Payload parsers (parse*) return a result or a string saying what was received and
//   what was expected; they never throw either.

export const Cmd = {
  GetInfo: 0x01,
  CommControl: 0x02,
  MemoryControl: 0x03,
  UserCommand: 0x04,
  DataLogControl: 0x05,
} as const;

export const GetInfo = {
  ProtocolVersion: 1, SoftwareId: 2, SupportedFeatures: 3, SpecialMemoryRegionCount: 4,
  SpecialMemoryRegionLocation: 5, RPVCount: 6, RPVDefinition: 7, LoopCount: 8, LoopDefinition: 9,
} as const;
export const CommControl = { Discover: 1, Heartbeat: 2, GetParams: 3, Connect: 4, Disconnect: 5 } as const;
export const MemoryControl = { Read: 1, Write: 2, WriteMasked: 3, ReadRPV: 4, WriteRPV: 5 } as const;
export const DataLogControl = {
  GetSetup: 1, Configure: 2, Arm: 3, Disarm: 4, GetStatus: 5, GetAcquisitionMetadata: 6, ReadAcquisition: 7, Reset: 8,
} as const;

export const ResponseCode = {
  OK: 0, InvalidRequest: 1, UnsupportedFeature: 2, Overflow: 3, Busy: 4, FailureToProceed: 5, Forbidden: 6,
} as const;
export type ResponseCodeName = keyof typeof ResponseCode;
const CODE_NAMES: readonly ResponseCodeName[] = ['OK', 'InvalidRequest', 'UnsupportedFeature', 'Overflow', 'Busy', 'FailureToProceed', 'Forbidden'];

export function responseCodeName(code: number): string {
  return CODE_NAMES[code] ?? `unknown code ${code}`;
}

/** A non-OK response from the device, typed by its code. */
export class DeviceResponseError extends Error {
  readonly codeName: string;
  constructor(readonly cmd: number, readonly subfn: number, readonly code: number) {
    super(`device answered ${commandName(cmd, subfn)} with ${responseCodeName(code)} (${code})`);
    this.codeName = responseCodeName(code);
  }
}

const COMMAND_NAMES: Record<number, [string, Record<number, string>]> = {
  [Cmd.GetInfo]: ['GetInfo', invert(GetInfo)],
  [Cmd.CommControl]: ['CommControl', invert(CommControl)],
  [Cmd.MemoryControl]: ['MemoryControl', invert(MemoryControl)],
  [Cmd.UserCommand]: ['UserCommand', {}],
  [Cmd.DataLogControl]: ['DataLogControl', invert(DataLogControl)],
};

function invert(o: Record<string, number>): Record<number, string> {
  return Object.fromEntries(Object.entries(o).map(([k, v]) => [v, k]));
}

export function commandName(cmd: number, subfn: number): string {
  const c = COMMAND_NAMES[cmd & 0x7f];
  if (!c) return `cmd 0x${cmd.toString(16).padStart(2, '0')}/${subfn}`;
  return `${c[0]}.${c[1][subfn] ?? subfn}`;
}

export const DISCOVER_MAGIC = Uint8Array.of(0x7e, 0x18, 0xfc, 0x68);
export const CONNECT_MAGIC = Uint8Array.of(0x82, 0x90, 0x22, 0x66);
export const REQUEST_HEADER = 4;
export const RESPONSE_HEADER = 5;
export const CRC_SIZE = 4;

// ---------------------------------------------------------------- CRC-32 (zlib / IEEE 802.3)

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

/** CRC-32 of bytes[start, end); pass a previous result as `crc` to continue a running CRC. */
export function crc32(bytes: Uint8Array, start = 0, end = bytes.length, crc = 0): number {
  let c = ~crc >>> 0;
  for (let i = start; i < end; i++) c = CRC_TABLE[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
  return ~c >>> 0;
}

// ---------------------------------------------------------------- frame encoding

export function encodeRequest(cmd: number, subfn: number, payload: Uint8Array = EMPTY): Uint8Array {
  const out = new Uint8Array(REQUEST_HEADER + payload.length + CRC_SIZE);
  out[0] = cmd & 0x7f;
  out[1] = subfn;
  out[2] = payload.length >>> 8;
  out[3] = payload.length & 0xff;
  out.set(payload, REQUEST_HEADER);
  writeU32(out, REQUEST_HEADER + payload.length, crc32(out, 0, REQUEST_HEADER + payload.length));
  return out;
}

export function encodeResponse(cmd: number, subfn: number, code: number, payload: Uint8Array = EMPTY): Uint8Array {
  const data = code === ResponseCode.OK ? payload : EMPTY; // a non-OK response has no payload
  const out = new Uint8Array(RESPONSE_HEADER + data.length + CRC_SIZE);
  out[0] = (cmd & 0x7f) | 0x80;
  out[1] = subfn;
  out[2] = code;
  out[3] = data.length >>> 8;
  out[4] = data.length & 0xff;
  out.set(data, RESPONSE_HEADER);
  writeU32(out, RESPONSE_HEADER + data.length, crc32(out, 0, RESPONSE_HEADER + data.length));
  return out;
}

function writeU32(b: Uint8Array, at: number, v: number): void {
  b[at] = v >>> 24;
  b[at + 1] = (v >>> 16) & 0xff;
  b[at + 2] = (v >>> 8) & 0xff;
  b[at + 3] = v & 0xff;
}

const EMPTY = new Uint8Array(0);

// ---------------------------------------------------------------- frame decoding

export interface FrameCounters {
  frames: number;
  /** Bytes skipped while looking for a frame start. */
  garbageBytes: number;
  badCrc: number;
  /** Headers announcing more data than the receiver accepts. */
  oversized: number;
  /** Headers that cannot start a frame (wrong direction bit, unknown command or code). */
  badHeaders: number;
  /** Partial frames dropped after the receive timeout. */
  timeouts: number;
  /** Times the decoder had to skip bytes to find a frame again. */
  resyncs: number;
}

/**
 * Receives one frame: `code` is -1 for a request. `payload` is a view valid only
 * during the call.
 */
export type FrameHandler = (cmd: number, subfn: number, code: number, payload: Uint8Array, t: number) => void;

export interface FrameDecoderOptions {
  /** 'response' on the host side, 'request' on the device side. */
  kind: 'request' | 'response';
  /** Largest payload accepted; a longer announced length is a resync. */
  maxPayload: number;
  /** A partial frame older than this (seconds) is dropped when new bytes arrive (device: 50 ms). */
  rxTimeoutS: number;
  /** Named in lastError: which link or peer the bytes came from. */
  source: string;
}

export class FrameDecoder {
  readonly counters: FrameCounters = { frames: 0, garbageBytes: 0, badCrc: 0, oversized: 0, badHeaders: 0, timeouts: 0, resyncs: 0 };
  lastError: string | null = null;
  maxPayload: number;
  private buf: Uint8Array;
  private len = 0;
  private lastT = -Infinity;
  private skipping = false;
  private readonly header: number;

  constructor(private readonly opts: FrameDecoderOptions, private readonly onFrame: FrameHandler) {
    this.header = opts.kind === 'request' ? REQUEST_HEADER : RESPONSE_HEADER;
    this.maxPayload = opts.maxPayload;
    this.buf = new Uint8Array(Math.max(256, this.header + opts.maxPayload + CRC_SIZE));
  }

  /** Drops any partial frame (a datagram boundary, a reconnect). */
  reset(): void {
    if (this.len > 0) this.counters.timeouts++;
    this.len = 0;
    this.skipping = false;
  }

  setMaxPayload(n: number): void {
    this.maxPayload = n;
    const need = this.header + n + CRC_SIZE;
    if (need > this.buf.length) {
      const b = new Uint8Array(need);
      b.set(this.buf.subarray(0, this.len));
      this.buf = b;
    }
  }

  push(chunk: Uint8Array, t: number): void {
    if (this.len > 0 && t - this.lastT > this.opts.rxTimeoutS) {
      this.counters.timeouts++;
      this.note(`dropped ${this.len} bytes of an unfinished frame after ${Math.round(this.opts.rxTimeoutS * 1000)} ms of silence`);
      this.len = 0;
    }
    this.lastT = t;
    let at = 0;
    while (at < chunk.length) {
      const room = this.buf.length - this.len;
      if (room === 0) {
        // Cannot happen: a header is checked against maxPayload, which sized the buffer.
        this.counters.garbageBytes += this.len;
        this.len = 0;
        continue;
      }
      const n = Math.min(room, chunk.length - at);
      this.buf.set(chunk.subarray(at, at + n), this.len);
      this.len += n;
      at += n;
      this.scan(t);
    }
  }

  private scan(t: number): void {
    const b = this.buf;
    const h = this.header;
    let start = 0;
    for (;;) {
      const avail = this.len - start;
      if (avail < 1) break;
      const c0 = b[start]!;
      const isResponse = (c0 & 0x80) !== 0;
      const cmd = c0 & 0x7f;
      if (isResponse !== (this.opts.kind === 'response') || cmd < 1 || cmd > 5) {
        start = this.drop(start, 'badHeader', `byte 0x${hex2(c0)} cannot start a ${this.opts.kind} (expected ${this.opts.kind === 'response' ? '0x81..0x85' : '0x01..0x05'})`);
        continue;
      }
      if (avail < h) break;
      const subfn = b[start + 1]!;
      const code = this.opts.kind === 'response' ? b[start + 2]! : -1;
      if (code > 6) {
        start = this.drop(start, 'badHeader', `response code ${code} (expected 0..6)`);
        continue;
      }
      const dataLen = (b[start + h - 2]! << 8) | b[start + h - 1]!;
      if (dataLen > this.maxPayload) {
        start = this.drop(start, 'oversized', `${commandName(cmd, subfn)} announcing ${dataLen} data bytes (at most ${this.maxPayload} expected)`);
        continue;
      }
      const total = h + dataLen + CRC_SIZE;
      if (avail < total) break;
      const end = start + h + dataLen;
      const got = ((b[end]! << 24) | (b[end + 1]! << 16) | (b[end + 2]! << 8) | b[end + 3]!) >>> 0;
      const want = crc32(b, start, end);
      if (got !== want) {
        start = this.drop(start, 'badCrc', `${commandName(cmd, subfn)} with CRC 0x${got.toString(16).padStart(8, '0')} (computed 0x${want.toString(16).padStart(8, '0')})`);
        continue;
      }
      this.skipping = false;
      this.counters.frames++;
      this.onFrame(cmd, subfn, code, b.subarray(start + h, end), t);
      start += total;
    }
    if (start > 0) {
      b.copyWithin(0, start, this.len);
      this.len -= start;
    }
  }

  private drop(start: number, why: 'badHeader' | 'oversized' | 'badCrc', what: string): number {
    if (why === 'badHeader') this.counters.badHeaders++;
    else if (why === 'oversized') this.counters.oversized++;
    else this.counters.badCrc++;
    this.counters.garbageBytes++;
    // One report per resync, and always for a bad CRC or length: those name a frame.
    if (!this.skipping || why !== 'badHeader') this.note(`received ${what}; skipping to resync`);
    if (!this.skipping) {
      this.skipping = true;
      this.counters.resyncs++;
    }
    return start + 1;
  }

  private note(text: string): void {
    this.lastError = `${this.opts.source}: ${text}`;
  }
}

function hex2(n: number): string {
  return n.toString(16).padStart(2, '0');
}

// ---------------------------------------------------------------- payload writer / reader

/** Big-endian payload builder for requests and responses. */
export class PayloadWriter {
  private b: Uint8Array;
  private n = 0;
  constructor(size = 64) {
    this.b = new Uint8Array(size);
  }
  private room(k: number): void {
    if (this.n + k <= this.b.length) return;
    const nb = new Uint8Array(Math.max(this.b.length * 2, this.n + k));
    nb.set(this.b.subarray(0, this.n));
    this.b = nb;
  }
  u8(v: number): this { this.room(1); this.b[this.n++] = v & 0xff; return this; }
  u16(v: number): this { this.room(2); this.b[this.n++] = (v >>> 8) & 0xff; this.b[this.n++] = v & 0xff; return this; }
  u32(v: number): this { this.room(4); writeU32(this.b, this.n, v >>> 0); this.n += 4; return this; }
  f32(v: number): this { this.room(4); new DataView(this.b.buffer).setFloat32(this.n, v); this.n += 4; return this; }
  bytes(v: Uint8Array): this { this.room(v.length); this.b.set(v, this.n); this.n += v.length; return this; }
  /** An address of `size` bytes (1, 2, 4 or 8). */
  addr(v: number, size: number): this {
    this.room(size);
    let x = BigInt(Math.trunc(v));
    for (let i = size - 1; i >= 0; i--) {
      this.b[this.n + i] = Number(x & 0xffn);
      x >>= 8n;
    }
    this.n += size;
    return this;
  }
  get length(): number { return this.n; }
  done(): Uint8Array { return this.b.slice(0, this.n); }
}

class Short extends Error {}

/** Bounds-checked big-endian reader; a short read throws Short, caught by parse(). */
export class PayloadReader {
  pos = 0;
  constructor(readonly b: Uint8Array) {}
  get left(): number { return this.b.length - this.pos; }
  need(n: number): void { if (this.pos + n > this.b.length) throw new Short(`${this.b.length} bytes where at least ${this.pos + n} were expected`); }
  u8(): number { this.need(1); return this.b[this.pos++]!; }
  u16(): number { this.need(2); const v = (this.b[this.pos]! << 8) | this.b[this.pos + 1]!; this.pos += 2; return v; }
  u32(): number {
    this.need(4);
    const b = this.b, p = this.pos;
    this.pos += 4;
    return ((b[p]! << 24) | (b[p + 1]! << 16) | (b[p + 2]! << 8) | b[p + 3]!) >>> 0;
  }
  f32(): number { this.need(4); const v = new DataView(this.b.buffer, this.b.byteOffset + this.pos, 4).getFloat32(0); this.pos += 4; return v; }
  bytes(n: number): Uint8Array { this.need(n); const v = this.b.subarray(this.pos, this.pos + n); this.pos += n; return v; }
  addr(size: number): number {
    this.need(size);
    let v = 0;
    for (let i = 0; i < size; i++) v = v * 256 + this.b[this.pos + i]!;
    this.pos += size;
    return v;
  }
  end(): void { if (this.pos !== this.b.length) throw new Short(`${this.b.length} bytes where ${this.pos} were expected`); }
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; error: string };

/** Runs a payload parser; a short or malformed payload becomes an error saying what was received. */
export function parse<T>(what: string, payload: Uint8Array, fn: (r: PayloadReader) => T): Parsed<T> {
  try {
    const r = new PayloadReader(payload);
    const value = fn(r);
    r.end();
    return { ok: true, value };
  } catch (e) {
    if (e instanceof Short || e instanceof RangeError) return { ok: false, error: `${what}: received ${e.message}` };
    return { ok: false, error: `${what}: ${(e as Error).message}` };
  }
}

export class PayloadError extends Error {}

// ---------------------------------------------------------------- value types

export const TypeKind = { sint: 0, uint: 1, float: 2, bool: 3, cfloat: 4 } as const;
export type TypeKindName = keyof typeof TypeKind;
const KIND_NAMES: readonly TypeKindName[] = ['sint', 'uint', 'float', 'bool', 'cfloat'];

export function typeByte(kind: TypeKindName, sizeBytes: number): number {
  return (TypeKind[kind] << 4) | Math.log2(sizeBytes);
}

/** Size in bytes of a type byte's value, or 0 for unknown (0xFF) or unsupported. */
export function typeSize(type: number): number {
  if (type === 0xff) return 0;
  const s = type & 0x0f;
  return s > 5 ? 0 : 1 << s;
}

export function typeName(type: number): string {
  if (type === 0xff) return 'unknown';
  const kind = KIND_NAMES[type >> 4];
  const size = typeSize(type);
  if (!kind || !size) return `type 0x${hex2(type)}`;
  return `${kind}${size * 8}`;
}

/** Parses names like "float32", "uint8", "bool8"; null if not a scalar type the protocol carries. */
export function typeFromName(name: string): number | null {
  const m = /^(sint|int|uint|float|bool|cfloat)(8|16|32|64|128|256)$/.exec(name);
  if (!m) return null;
  const kind = (m[1] === 'int' ? 'sint' : m[1]) as TypeKindName;
  return typeByte(kind, Number(m[2]) / 8);
}

/** True for the types a value can be decoded to a number from (<= 64 bits, not cfloat). */
export function isNumericType(type: number): boolean {
  const kind = type >> 4;
  const size = typeSize(type);
  if (!size || size > 8 || kind > 3) return false;
  return kind !== TypeKind.float || size === 4 || size === 8;
}

/**
 * Decodes the value of `type` at b[at] as a number (no allocation for <= 32 bits).
 * `little` for device-endian memory, false for RPVs (always big-endian). NaN if not numeric.
 */
export function decodeValue(b: Uint8Array, at: number, type: number, little: boolean): number {
  const size = typeSize(type);
  const kind = type >> 4;
  if (size === 1) {
    const v = b[at]!;
    return kind === TypeKind.sint ? (v << 24) >> 24 : kind === TypeKind.bool ? (v ? 1 : 0) : v;
  }
  if (size === 2) {
    const v = little ? b[at]! | (b[at + 1]! << 8) : (b[at]! << 8) | b[at + 1]!;
    return kind === TypeKind.sint ? (v << 16) >> 16 : kind === TypeKind.bool ? (v ? 1 : 0) : kind === TypeKind.float ? NaN : v;
  }
  if (size === 4) {
    const u = little
      ? (b[at]! | (b[at + 1]! << 8) | (b[at + 2]! << 16) | (b[at + 3]! << 24)) >>> 0
      : ((b[at]! << 24) | (b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!) >>> 0;
    if (kind === TypeKind.float) {
      F32_U32[0] = u;
      return F32[0]!;
    }
    return kind === TypeKind.sint ? u | 0 : kind === TypeKind.bool ? (u ? 1 : 0) : u;
  }
  if (size === 8) {
    for (let i = 0; i < 8; i++) F64_BYTES[i] = b[at + (little ? i : 7 - i)]!;
    if (kind === TypeKind.float) return F64[0]!;
    if (kind === TypeKind.sint) return Number(I64[0]!);
    if (kind === TypeKind.bool) return U64[0]! ? 1 : 0;
    return Number(U64[0]!);
  }
  return NaN;
}

/** Encodes `value` as `type` into b[at]; integers are rounded and wrapped to the type's width. */
export function encodeValue(b: Uint8Array, at: number, type: number, little: boolean, value: number): void {
  const size = typeSize(type);
  const kind = type >> 4;
  const v = kind === TypeKind.bool ? (value ? 1 : 0) : value;
  if (size === 8) {
    if (kind === TypeKind.float) F64[0] = v;
    else if (kind === TypeKind.sint) I64[0] = BigInt(Math.round(v));
    else U64[0] = BigInt.asUintN(64, BigInt(Math.round(v)));
    for (let i = 0; i < 8; i++) b[at + (little ? i : 7 - i)] = F64_BYTES[i]!;
    return;
  }
  let u: number;
  if (kind === TypeKind.float && size === 4) {
    F32[0] = v;
    u = F32_U32[0]!;
  } else {
    u = Math.round(v) >>> 0;
  }
  for (let i = 0; i < size; i++) {
    const byte = (u >>> (8 * i)) & 0xff;
    b[at + (little ? i : size - 1 - i)] = byte;
  }
}

const F32 = new Float32Array(1);
const F32_U32 = new Uint32Array(F32.buffer);
const F64 = new Float64Array(1);
const F64_BYTES = new Uint8Array(F64.buffer);
const I64 = new BigInt64Array(F64.buffer);
const U64 = new BigUint64Array(F64.buffer);

// ---------------------------------------------------------------- command payloads (host side)

export interface DiscoverInfo { protocolMajor: number; protocolMinor: number; firmwareId: string; displayName: string }
export interface CommParams {
  rxBufferSize: number; txBufferSize: number; maxBitrate: number; heartbeatTimeoutUs: number; rxTimeoutUs: number;
  addressSize: number; charBit: number;
}
export interface SupportedFeatures { memoryWrite: boolean; datalogging: boolean; userCommand: boolean; sixtyfourBits: boolean }
export interface RegionLocation { type: 0 | 1; index: number; start: number; end: number }
export interface RpvDefinition { id: number; type: number }
export interface LoopDefinition { id: number; type: 0 | 1; dataloggingAllowed: boolean; timestep100ns: number | null; name: string }
export interface DataloggingSetup { bufferSize: number; encoding: number; maxSignals: number }
export interface DataloggingStatus { state: number; bytesToAcquireAfterTrigger: number; writeCounterSinceTrigger: number }
export interface AcquisitionMetadata { acquisitionId: number; configId: number; nPoints: number; dataSize: number; pointsAfterTrigger: number }

const utf8 = new TextDecoder('utf-8', { fatal: false });

export function toHex(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < b.length; i++) s += hex2(b[i]!);
  return s;
}

export function fromHex(s: string): Uint8Array | null {
  const clean = s.replace(/[\s:]/g, '');
  if (clean.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(clean)) return null;
  const out = new Uint8Array(clean.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(clean.slice(2 * i, 2 * i + 2), 16);
  return out;
}

export const requests = {
  discover: () => encodeRequest(Cmd.CommControl, CommControl.Discover, DISCOVER_MAGIC),
  connect: () => encodeRequest(Cmd.CommControl, CommControl.Connect, CONNECT_MAGIC),
  heartbeat: (sessionId: number, challenge: number) =>
    encodeRequest(Cmd.CommControl, CommControl.Heartbeat, new PayloadWriter(6).u32(sessionId).u16(challenge).done()),
  getParams: () => encodeRequest(Cmd.CommControl, CommControl.GetParams),
  disconnect: (sessionId: number) => encodeRequest(Cmd.CommControl, CommControl.Disconnect, new PayloadWriter(4).u32(sessionId).done()),
  getInfo: (subfn: number, payload?: Uint8Array) => encodeRequest(Cmd.GetInfo, subfn, payload),
  regionLocation: (type: 0 | 1, index: number) => encodeRequest(Cmd.GetInfo, GetInfo.SpecialMemoryRegionLocation, Uint8Array.of(type, index)),
  rpvDefinition: (start: number, count: number) =>
    encodeRequest(Cmd.GetInfo, GetInfo.RPVDefinition, new PayloadWriter(4).u16(start).u16(count).done()),
  loopDefinition: (loopId: number) => encodeRequest(Cmd.GetInfo, GetInfo.LoopDefinition, Uint8Array.of(loopId)),
  readMemory: (blocks: readonly { address: number; length: number }[], addressSize: number) => {
    const w = new PayloadWriter(blocks.length * (addressSize + 2));
    for (const b of blocks) w.addr(b.address, addressSize).u16(b.length);
    return encodeRequest(Cmd.MemoryControl, MemoryControl.Read, w.done());
  },
  writeMemory: (blocks: readonly { address: number; data: Uint8Array; mask?: Uint8Array }[], addressSize: number, masked: boolean) => {
    const w = new PayloadWriter();
    for (const b of blocks) {
      w.addr(b.address, addressSize).u16(b.data.length).bytes(b.data);
      if (masked) w.bytes(b.mask ?? new Uint8Array(b.data.length).fill(0xff));
    }
    return encodeRequest(Cmd.MemoryControl, masked ? MemoryControl.WriteMasked : MemoryControl.Write, w.done());
  },
  readRpv: (ids: ArrayLike<number>) => {
    const w = new PayloadWriter(ids.length * 2);
    for (let i = 0; i < ids.length; i++) w.u16(ids[i]!);
    return encodeRequest(Cmd.MemoryControl, MemoryControl.ReadRPV, w.done());
  },
  writeRpv: (values: readonly { id: number; type: number; value: number }[]) => {
    const w = new PayloadWriter();
    for (const v of values) {
      const tmp = new Uint8Array(typeSize(v.type));
      encodeValue(tmp, 0, v.type, false, v.value);
      w.u16(v.id).bytes(tmp);
    }
    return encodeRequest(Cmd.MemoryControl, MemoryControl.WriteRPV, w.done());
  },
  userCommand: (subfn: number, data: Uint8Array) => encodeRequest(Cmd.UserCommand, subfn, data),
  datalog: (subfn: number, payload?: Uint8Array) => encodeRequest(Cmd.DataLogControl, subfn, payload),
};

export const responses = {
  discover: (p: Uint8Array) => parse<DiscoverInfo>('Discover response', p, (r) => {
    const protocolMajor = r.u8();
    const protocolMinor = r.u8();
    const firmwareId = toHex(r.bytes(16));
    const n = r.u8();
    if (n > 64) throw new PayloadError(`name length ${n} (at most 64 expected)`);
    return { protocolMajor, protocolMinor, firmwareId, displayName: utf8.decode(r.bytes(n)) };
  }),
  connect: (p: Uint8Array) => parse('Connect response', p, (r) => {
    const magic = r.bytes(4);
    if (toHex(magic) !== toHex(CONNECT_MAGIC)) throw new PayloadError(`magic ${toHex(magic)} (expected ${toHex(CONNECT_MAGIC)})`);
    return r.u32();
  }),
  heartbeat: (p: Uint8Array) => parse('Heartbeat response', p, (r) => ({ sessionId: r.u32(), challengeResponse: r.u16() })),
  getParams: (p: Uint8Array) => parse<CommParams>('GetParams response', p, (r) => {
    const v: CommParams = {
      rxBufferSize: r.u16(), txBufferSize: r.u16(), maxBitrate: r.u32(), heartbeatTimeoutUs: r.u32(),
      rxTimeoutUs: r.u32(), addressSize: r.u8(), charBit: r.u8(),
    };
    if (![1, 2, 4, 8].includes(v.addressSize)) throw new PayloadError(`address size ${v.addressSize} bytes (1, 2, 4 or 8 expected)`);
    return v;
  }),
  protocolVersion: (p: Uint8Array) => parse('ProtocolVersion response', p, (r) => ({ major: r.u8(), minor: r.u8() })),
  supportedFeatures: (p: Uint8Array) => parse<SupportedFeatures>('SupportedFeatures response', p, (r) => {
    const b = r.u8();
    return { memoryWrite: !!(b & 0x80), datalogging: !!(b & 0x40), userCommand: !!(b & 0x20), sixtyfourBits: !!(b & 0x10) };
  }),
  regionCount: (p: Uint8Array) => parse('SpecialMemoryRegionCount response', p, (r) => ({ readonly: r.u8(), forbidden: r.u8() })),
  regionLocation: (p: Uint8Array, addressSize: number) => parse<RegionLocation>('SpecialMemoryRegionLocation response', p, (r) => {
    const type = r.u8();
    if (type > 1) throw new PayloadError(`region type ${type} (0 read-only or 1 forbidden expected)`);
    return { type: type as 0 | 1, index: r.u8(), start: r.addr(addressSize), end: r.addr(addressSize) };
  }),
  rpvCount: (p: Uint8Array) => parse('RPVCount response', p, (r) => r.u16()),
  rpvDefinition: (p: Uint8Array) => parse<RpvDefinition[]>('RPVDefinition response', p, (r) => {
    if (r.left % 3 !== 0) throw new PayloadError(`${r.left} bytes (a multiple of 3 expected)`);
    const out: RpvDefinition[] = [];
    while (r.left > 0) out.push({ id: r.u16(), type: r.u8() });
    return out;
  }),
  loopCount: (p: Uint8Array) => parse('LoopCount response', p, (r) => r.u8()),
  loopDefinition: (p: Uint8Array) => parse<LoopDefinition>('LoopDefinition response', p, (r) => {
    const id = r.u8();
    const type = r.u8();
    if (type > 1) throw new PayloadError(`loop type ${type} (0 fixed frequency or 1 variable expected)`);
    const attributes = r.u8();
    const timestep100ns = type === 0 ? r.u32() : null;
    const n = r.u8();
    if (n > 32) throw new PayloadError(`loop name length ${n} (at most 32 expected)`);
    return { id, type: type as 0 | 1, dataloggingAllowed: !!(attributes & 0x80), timestep100ns, name: utf8.decode(r.bytes(n)) };
  }),
  softwareId: (p: Uint8Array) => parse('SoftwareId response', p, (r) => toHex(r.bytes(r.left))),
  /** Memory read response blocks, validated against what was asked. */
  readMemory: (p: Uint8Array, asked: readonly { address: number; length: number }[], addressSize: number) =>
    parse('MemoryControl.Read response', p, (r) => {
      const out: { address: number; data: Uint8Array }[] = [];
      for (const a of asked) {
        const address = r.addr(addressSize);
        const length = r.u16();
        if (address !== a.address || length !== a.length) {
          throw new PayloadError(`block 0x${address.toString(16)}+${length} (expected 0x${a.address.toString(16)}+${a.length})`);
        }
        out.push({ address, data: r.bytes(length) });
      }
      return out;
    }),
  writeMemory: (p: Uint8Array, asked: readonly { address: number; data: Uint8Array }[], addressSize: number) =>
    parse('MemoryControl.Write response', p, (r) => {
      for (const a of asked) {
        const address = r.addr(addressSize);
        const length = r.u16();
        if (address !== a.address || length !== a.data.length) {
          throw new PayloadError(`block 0x${address.toString(16)}+${length} (expected 0x${a.address.toString(16)}+${a.data.length})`);
        }
      }
      return asked.length;
    }),
  writeRpv: (p: Uint8Array) => parse('MemoryControl.WriteRPV response', p, (r) => {
    const out: { id: number; size: number }[] = [];
    while (r.left > 0) out.push({ id: r.u16(), size: r.u8() });
    return out;
  }),
  datalogSetup: (p: Uint8Array) => parse<DataloggingSetup>('DataLogControl.GetSetup response', p, (r) => ({ bufferSize: r.u32(), encoding: r.u8(), maxSignals: r.u8() })),
  datalogStatus: (p: Uint8Array) => parse<DataloggingStatus>('DataLogControl.GetStatus response', p, (r) => ({
    state: r.u8(), bytesToAcquireAfterTrigger: r.u32(), writeCounterSinceTrigger: r.u32(),
  })),
  acquisitionMetadata: (p: Uint8Array) => parse<AcquisitionMetadata>('DataLogControl.GetAcquisitionMetadata response', p, (r) => ({
    acquisitionId: r.u16(), configId: r.u16(), nPoints: r.u32(), dataSize: r.u32(), pointsAfterTrigger: r.u32(),
  })),
  acquisitionChunk: (p: Uint8Array) => parse('DataLogControl.ReadAcquisition response', p, (r) => ({
    finished: r.u8() !== 0, rollingCounter: r.u8(), acquisitionId: r.u16(), data: r.bytes(r.left),
  })),
};

/**
 * Walks a ReadRPV response without allocating: `onValue(id, value)` per entry.
 * `typeOf(id)` gives an RPV's type byte (-1 when unknown). Returns null or what was wrong.
 */
export function walkRpvValues(p: Uint8Array, typeOf: (id: number) => number, onValue: (id: number, value: number) => void): string | null {
  let at = 0;
  while (at < p.length) {
    if (at + 2 > p.length) return `ReadRPV response: ${p.length - at} stray byte(s) at offset ${at} (an id of 2 bytes expected)`;
    const id = (p[at]! << 8) | p[at + 1]!;
    const type = typeOf(id);
    if (type < 0) return `ReadRPV response: RPV 0x${id.toString(16).padStart(4, '0')} that the device did not define`;
    const size = typeSize(type);
    if (at + 2 + size > p.length) return `ReadRPV response: RPV 0x${id.toString(16).padStart(4, '0')} with ${p.length - at - 2} value bytes (${size} expected)`;
    onValue(id, decodeValue(p, at + 2, type, false));
    at += 2 + size;
  }
  return null;
}

// ---------------------------------------------------------------- datalogging configuration

export type DlOperand =
  | { kind: 'literal'; value: number }
  | { kind: 'var'; type: number; address: number }
  | { kind: 'varbit'; type: number; address: number; bitOffset: number; bitSize: number }
  | { kind: 'rpv'; id: number };
export type DlSignal = { kind: 'memory'; address: number; size: number } | { kind: 'rpv'; id: number } | { kind: 'time' };

export const DL_CONDITIONS = ['alwaysTrue', 'eq', 'neq', 'lt', 'lte', 'gt', 'gte', 'changeMoreThan', 'isWithin'] as const;
export type DlCondition = (typeof DL_CONDITIONS)[number];
/** Operands each condition takes. */
export const DL_CONDITION_OPERANDS: Record<DlCondition, number> = {
  alwaysTrue: 0, eq: 2, neq: 2, lt: 2, lte: 2, gt: 2, gte: 2, changeMoreThan: 2, isWithin: 3,
};

export interface DlConfig {
  loopId: number;
  configId: number;
  decimation: number;
  probeLocation: number;
  timeout100ns: number;
  condition: number;
  holdTime100ns: number;
  operands: DlOperand[];
  signals: DlSignal[];
}

export function encodeDlConfig(c: DlConfig, addressSize: number): Uint8Array {
  const w = new PayloadWriter(64);
  w.u8(c.loopId).u16(c.configId).u16(c.decimation).u8(c.probeLocation).u32(c.timeout100ns).u8(c.condition).u32(c.holdTime100ns);
  w.u8(c.operands.length);
  for (const o of c.operands) {
    if (o.kind === 'literal') w.u8(0).f32(o.value);
    else if (o.kind === 'var') w.u8(1).u8(o.type).addr(o.address, addressSize);
    else if (o.kind === 'varbit') w.u8(2).u8(o.type).addr(o.address, addressSize).u8(o.bitOffset).u8(o.bitSize);
    else w.u8(3).u16(o.id);
  }
  w.u8(c.signals.length);
  for (const s of c.signals) {
    if (s.kind === 'memory') w.u8(0).addr(s.address, addressSize).u8(s.size);
    else if (s.kind === 'rpv') w.u8(1).u16(s.id);
    else w.u8(2);
  }
  return w.done();
}

export function decodeDlConfig(p: Uint8Array, addressSize: number): Parsed<DlConfig> {
  return parse('DataLogControl.Configure request', p, (r) => {
    const c: DlConfig = {
      loopId: r.u8(), configId: r.u16(), decimation: r.u16(), probeLocation: r.u8(), timeout100ns: r.u32(),
      condition: r.u8(), holdTime100ns: r.u32(), operands: [], signals: [],
    };
    const nOps = r.u8();
    if (nOps > 3) throw new PayloadError(`${nOps} operands (at most 3 expected)`);
    for (let i = 0; i < nOps; i++) {
      const k = r.u8();
      if (k === 0) c.operands.push({ kind: 'literal', value: r.f32() });
      else if (k === 1) c.operands.push({ kind: 'var', type: r.u8(), address: r.addr(addressSize) });
      else if (k === 2) c.operands.push({ kind: 'varbit', type: r.u8(), address: r.addr(addressSize), bitOffset: r.u8(), bitSize: r.u8() });
      else if (k === 3) c.operands.push({ kind: 'rpv', id: r.u16() });
      else throw new PayloadError(`operand kind ${k} (0..3 expected)`);
    }
    const nSig = r.u8();
    for (let i = 0; i < nSig; i++) {
      const k = r.u8();
      if (k === 0) c.signals.push({ kind: 'memory', address: r.addr(addressSize), size: r.u8() });
      else if (k === 1) c.signals.push({ kind: 'rpv', id: r.u16() });
      else if (k === 2) c.signals.push({ kind: 'time' });
      else throw new PayloadError(`signal kind ${k} (0..2 expected)`);
    }
    return c;
  });
}
