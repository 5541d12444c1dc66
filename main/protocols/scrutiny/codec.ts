// Scrutiny device protocol 1.0 framing (../shared/protocols/scrutiny.md): frames out, and frames
// found in a byte stream.
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

import { commandName, ResponseCode } from './commands';
import { crc32 } from './crc32';
import { hexByte } from './hex';
import { writeU32 } from './payload';

export const REQUEST_HEADER = 4;
export const RESPONSE_HEADER = 5;
export const CRC_SIZE = 4;

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

const EMPTY = new Uint8Array(0);

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
        start = this.drop(start, 'badHeader', `byte 0x${hexByte(c0)} cannot start a ${this.opts.kind} (expected ${this.opts.kind === 'response' ? '0x81..0x85' : '0x01..0x05'})`);
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
