import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  TELEMETRY_FRAME_MAGIC, TelemetryFrameWriter, decodeTelemetryFrame, encodeTelemetryFrame, telemetryFrameBytes,
  type TelemetryBlock, type TelemetryFrame,
} from '../../shared/api/telemetry-frame';

const f64 = (...xs: number[]) => Float64Array.from(xs);
/** Byte-exact comparison: NaN payloads and -0 included. */
const bytesOf = (a: Float64Array) => Array.from(new Uint8Array(a.buffer, a.byteOffset, a.byteLength));

function ok(r: TelemetryFrame | { error: string }): TelemetryFrame {
  if ('error' in r) throw new Error(r.error);
  return r;
}

function errorOf(r: TelemetryFrame | { error: string }): string {
  if (!('error' in r)) throw new Error('expected an error');
  return r.error;
}

const sample = () => encodeTelemetryFrame(3, [{ id: 7, times: f64(1, 2), values: f64(10, 20) }, { id: 9, times: f64(), values: f64() }]);

describe('telemetry frame', () => {
  it('lays out the header and blocks little-endian and 8-byte aligned', () => {
    const buf = sample();
    expect(buf.byteLength).toBe(telemetryFrameBytes(2, 2));
    expect(buf.byteLength).toBe(64);
    const v = new DataView(buf);
    expect(v.getUint32(0, true)).toBe(TELEMETRY_FRAME_MAGIC);
    expect(new TextDecoder().decode(new Uint8Array(buf, 0, 4))).toBe('BSTF');
    expect([v.getUint16(4, true), v.getUint16(6, true), v.getUint32(8, true), v.getUint32(12, true)]).toEqual([1, 2, 3, 0]);
    expect([v.getUint32(16, true), v.getUint32(20, true), v.getFloat64(24, true), v.getFloat64(40, true)]).toEqual([7, 2, 1, 10]);
  });

  it('decodes into views on the frame, without copying', () => {
    const buf = sample();
    const frame = ok(decodeTelemetryFrame(buf));
    expect(frame.dropped).toBe(3);
    expect(frame.blocks.map((b) => [b.id, Array.from(b.times), Array.from(b.values)])).toEqual([[7, [1, 2], [10, 20]], [9, [], []]]);
    expect(frame.blocks[0]!.times.buffer).toBe(buf);
  });

  it('round-trips any blocks and drop count', () => {
    const block = fc.record({ id: fc.nat({ max: 0xffffffff }), samples: fc.array(fc.tuple(fc.double(), fc.double()), { maxLength: 50 }) });
    fc.assert(fc.property(fc.nat({ max: 0xffffffff }), fc.array(block, { maxLength: 20 }), (dropped, blocks) => {
      const input: TelemetryBlock[] = blocks.map((b) => ({ id: b.id, times: f64(...b.samples.map((s) => s[0])), values: f64(...b.samples.map((s) => s[1])) }));
      const frame = ok(decodeTelemetryFrame(encodeTelemetryFrame(dropped, input)));
      expect(frame.dropped).toBe(dropped);
      expect(frame.blocks.length).toBe(input.length);
      frame.blocks.forEach((b, k) => {
        expect(b.id).toBe(input[k]!.id);
        expect(bytesOf(b.times)).toEqual(bytesOf(input[k]!.times));
        expect(bytesOf(b.values)).toEqual(bytesOf(input[k]!.values));
      });
    }), { numRuns: 300 });
  });

  it('saturates a drop count past 32 bits', () => {
    expect(ok(decodeTelemetryFrame(encodeTelemetryFrame(2 ** 40, []))).dropped).toBe(0xffffffff);
  });

  it('refuses bad magic, unknown version, short buffers, oversized n and trailing bytes', () => {
    const patch = (at: number, write: (v: DataView) => void) => {
      const buf = sample().slice(0);
      write(new DataView(buf, at));
      return buf;
    };
    expect(errorOf(decodeTelemetryFrame(new ArrayBuffer(0)))).toMatch(/0 bytes, shorter than the 16-byte header/);
    expect(errorOf(decodeTelemetryFrame(patch(0, (v) => v.setUint32(0, 0x12345678, true))))).toMatch(/bad magic 0x12345678/);
    expect(errorOf(decodeTelemetryFrame(patch(4, (v) => v.setUint16(0, 2, true))))).toMatch(/version 2 not supported/);
    expect(errorOf(decodeTelemetryFrame(patch(6, (v) => v.setUint16(0, 500, true))))).toMatch(/500 signals announced but only 64 bytes/);
    expect(errorOf(decodeTelemetryFrame(patch(20, (v) => v.setUint32(0, 0xffffffff, true))))).toMatch(/signal 7 announces 4294967295 samples/);
    expect(errorOf(decodeTelemetryFrame(patch(6, (v) => v.setUint16(0, 1, true))))).toMatch(/8 trailing bytes after the last of 1 blocks/);
    const longer = new Uint8Array(sample().byteLength + 8);
    longer.set(new Uint8Array(sample()));
    expect(errorOf(decodeTelemetryFrame(longer.buffer))).toMatch(/8 trailing bytes/);
  });

  it('refuses every truncation of a valid frame', () => {
    const full = sample();
    for (let len = 0; len < full.byteLength; len++) {
      expect(errorOf(decodeTelemetryFrame(full.slice(0, len))), `length ${len}`).toMatch(/telemetry frame: /);
    }
  });

  it('accepts an aligned Uint8Array view and refuses a misaligned one', () => {
    const inner = new Uint8Array(sample());
    const aligned = new Uint8Array(inner.length + 8);
    aligned.set(inner, 8);
    expect(ok(decodeTelemetryFrame(aligned.subarray(8))).blocks[0]!.values[1]).toBe(20);
    const misaligned = new Uint8Array(inner.length + 4);
    misaligned.set(inner, 4);
    expect(errorOf(decodeTelemetryFrame(misaligned.subarray(4)))).toMatch(/byte offset 4, not 8-byte aligned/);
  });

  it('never throws on random bytes; whatever it accepts is consistent', () => {
    const headerish = fc.tuple(fc.nat({ max: 3 }), fc.nat({ max: 4 }), fc.uint8Array({ maxLength: 200 })).map(([count, n, rest]) => {
      const buf = new ArrayBuffer(16 + rest.length - (rest.length % 8));
      const v = new DataView(buf);
      v.setUint32(0, TELEMETRY_FRAME_MAGIC, true);
      v.setUint16(4, 1, true);
      v.setUint16(6, count, true);
      new Uint8Array(buf, 16).set(rest.subarray(0, buf.byteLength - 16));
      if (buf.byteLength >= 24) v.setUint32(20, n, true);
      return buf;
    });
    fc.assert(fc.property(fc.oneof(fc.uint8Array({ maxLength: 200 }).map((a) => a.slice().buffer), headerish), (buf) => {
      const r = decodeTelemetryFrame(buf);
      if ('error' in r) return;
      let bytes = 16;
      for (const b of r.blocks) {
        expect(b.times.length).toBe(b.values.length);
        bytes += 8 + 16 * b.times.length;
      }
      expect(bytes).toBe(buf.byteLength);
    }), { numRuns: 2000 });
  });

  it('the writer refuses misuse: too many signals, a block past the end, an unfinished frame', () => {
    expect(() => new TelemetryFrameWriter(70000, 0, 0)).toThrow(/0 to 65535 signals/);
    const w = new TelemetryFrameWriter(1, 2, 0);
    expect(() => w.finish()).toThrow(/incomplete/);
    expect(() => w.block(1, 3)).toThrow(/does not fit/);
    w.block(1, 2);
    expect(() => w.block(2, 0)).toThrow(/does not fit/);
    expect(w.finish().byteLength).toBe(16 + 8 + 32);
    expect(() => encodeTelemetryFrame(0, [{ id: 1, times: f64(1), values: f64() }])).toThrow(/1 times but 0 values/);
  });
});
