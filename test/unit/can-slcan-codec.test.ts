import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { dlcOfLength, fdLengthAtMost, frameProblem, type CanFrame } from '../../main/links/can/frame';
import { bitrateCommand, encodeSlcanFrame, SlcanDecoder } from '../../main/links/can/slcan-codec';

const text = (b: Uint8Array) => Buffer.from(b).toString('latin1');
const frame = (p: Partial<CanFrame>): CanFrame => ({ id: 0x123, extended: false, rtr: false, fd: false, brs: false, data: new Uint8Array(), t: 0, ...p });

function decodeAll(input: string | Uint8Array) {
  const frames: { f: CanFrame; ms: number | null }[] = [];
  const replies: boolean[] = [];
  const d = new SlcanDecoder('slcan /dev/ttyACM0', { frame: (f, ms) => frames.push({ f, ms }), reply: (ok) => replies.push(ok) });
  d.push(typeof input === 'string' ? Buffer.from(input, 'latin1') : input, 1000);
  return { d, frames, replies };
}

describe('SLCAN encoding', () => {
  it('writes the Lawicel lines for standard, extended, remote and FD frames', () => {
    expect(text(encodeSlcanFrame(frame({ data: Uint8Array.of(0x11, 0x22, 0xab) })))).toBe('t12331122AB\r');
    expect(text(encodeSlcanFrame(frame({ id: 0x1abcdef0, extended: true, data: Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8) })))).toBe('T1ABCDEF080102030405060708\r');
    expect(text(encodeSlcanFrame(frame({ id: 0x7ff, rtr: true })))).toBe('r7FF0\r');
    expect(text(encodeSlcanFrame(frame({ id: 0x5, extended: true, rtr: true })))).toBe('R000000050\r');
    expect(text(encodeSlcanFrame(frame({ fd: true, data: new Uint8Array(12).fill(0xee) })))).toBe(`d1239${'EE'.repeat(12)}\r`);
    expect(text(encodeSlcanFrame(frame({ fd: true, brs: true, data: new Uint8Array(64) })))).toBe(`b123F${'00'.repeat(64)}\r`);
    expect(text(encodeSlcanFrame(frame({ id: 0x18db33f1, extended: true, fd: true, brs: true, data: new Uint8Array(20) })))).toBe(`B18DB33F1B${'00'.repeat(20)}\r`);
    expect(text(encodeSlcanFrame(frame({ data: Uint8Array.of(0xff) }), 0xea5f))).toBe('t1231FFEA5F\r');
  });

  it('keeps the length a remote frame asks for, both ways', () => {
    expect(text(encodeSlcanFrame(frame({ id: 0x7ff, rtr: true, dlc: 6 })))).toBe('r7FF6\r');
    expect(text(encodeSlcanFrame(frame({ id: 0x1abcdef0, extended: true, rtr: true, dlc: 8 })))).toBe('R1ABCDEF08\r');
    const frames: CanFrame[] = [];
    const d = new SlcanDecoder('slcan test', { frame: (f) => frames.push(f) });
    d.push(Buffer.from('r7FF6\rR1ABCDEF08\r', 'latin1'), 1);
    expect(frames.map((f) => [f.id, f.rtr, f.dlc, f.data.length])).toEqual([[0x7ff, true, 6, 0], [0x1abcdef0, true, 8, 0]]);
    expect(text(encodeSlcanFrame(frames[0]!))).toBe('r7FF6\r');
    expect(() => encodeSlcanFrame(frame({ rtr: true, dlc: 9 }))).toThrow(/DLC 9 out of range/);
    expect(() => encodeSlcanFrame(frame({ rtr: true, data: Uint8Array.of(1) }))).toThrow(/remote frame carries no data/);
  });

  it('refuses frames that cannot exist', () => {
    expect(() => encodeSlcanFrame(frame({ id: 0x800 }))).toThrow(/0x800.*up to 0x7FF/);
    expect(() => encodeSlcanFrame(frame({ data: new Uint8Array(9) }))).toThrow(/at most 8/);
    expect(() => encodeSlcanFrame(frame({ fd: true, data: new Uint8Array(10) }))).toThrow(/not a CAN FD length/);
    expect(frameProblem(frame({ brs: true }))).toMatch(/bitrate switch needs a CAN FD/);
    expect(frameProblem(frame({ id: 0x20000000, extended: true }))).toMatch(/0x1FFFFFFF/);
  });

  it('maps bitrates to S codes and lengths to FD DLCs', () => {
    expect(bitrateCommand(500000)).toBe('S6');
    expect(bitrateCommand(10000)).toBe('S0');
    expect(bitrateCommand(1000000)).toBe('S8');
    expect(bitrateCommand(83333)).toBeNull();
    expect(dlcOfLength(48, true)).toBe(14);
    expect(dlcOfLength(9, false)).toBe(-1);
    expect([0, 8, 9, 13, 30, 63, 64, 200].map(fdLengthAtMost)).toEqual([0, 8, 8, 12, 24, 48, 64, 64]);
  });
});

describe('SLCAN decoding', () => {
  it('reads frames of every kind, with and without the adapter timestamp, across chunk boundaries', () => {
    const lines = 't1233112233\rT1ABCDEF02BEEF\rr1232\rd123A' + '01'.repeat(16) + '\rB00000001F' + '02'.repeat(64) + '1234\r';
    const frames: CanFrame[] = [];
    const stamps: (number | null)[] = [];
    const d = new SlcanDecoder('slcan test', { frame: (f, ms) => { frames.push(f); stamps.push(ms); } });
    const bytes = Buffer.from(lines, 'latin1');
    for (let i = 0; i < bytes.length; i += 7) d.push(bytes.subarray(i, i + 7), 5);
    expect(frames.map((f) => [f.id, f.extended, f.rtr, f.fd, f.brs, f.data.length])).toEqual([
      [0x123, false, false, false, false, 3], [0x1abcdef0, true, false, false, false, 2], [0x123, false, true, false, false, 0],
      [0x123, false, false, true, false, 16], [1, true, false, true, true, 64],
    ]);
    expect(Buffer.from(frames[0].data).toString('hex')).toBe('112233');
    expect(stamps).toEqual([null, null, null, null, 0x1234]);
    expect(d.counters).toMatchObject({ frames: 5, malformed: 0 });
  });

  it('counts CR as OK, BEL as refused, z/Z as transmit acknowledgements', () => {
    const { d, replies } = decodeAll('\r\x07z\rZ\rV1013\r');
    expect(replies).toEqual([true, false]);
    expect(d.counters).toMatchObject({ oks: 1, errors: 1, txAcks: 2, malformed: 0 });
  });

  it('counts malformed lines, names the adapter and keeps decoding after them', () => {
    const { d, frames } = decodeAll('t12\rt1239AA\rt12X1AA\rt8001AA\rt1232AA\rt1231ZZ\rhello\rd1239AA\rt1231AB\r');
    expect(frames).toHaveLength(1);
    expect(frames[0].f.data[0]).toBe(0xab);
    expect(d.counters.malformed).toBe(8);
    expect(d.lastProblem).toMatch(/^slcan \/dev\/ttyACM0: malformed SLCAN line: "d1239AA"/);
  });

  it('never throws on arbitrary bytes and always accounts for every line', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 400 }), fc.integer({ min: 1, max: 50 }), (bytes, step) => {
      const d = new SlcanDecoder('fuzz', { frame: () => undefined });
      for (let i = 0; i < bytes.length; i += step) d.push(bytes.subarray(i, i + step), 0);
      const c = d.counters;
      expect(c.frames + c.malformed + c.oks + c.txAcks).toBeLessThanOrEqual(bytes.length);
    }), { numRuns: 300 });
  });

  it('decodes what it encodes, for any valid frame', () => {
    const anyFrame = fc.record({
      extended: fc.boolean(), fd: fc.boolean(), brs: fc.boolean(), idBits: fc.integer({ min: 0, max: 0x1fffffff }),
      len: fc.integer({ min: 0, max: 15 }), stamp: fc.option(fc.integer({ min: 0, max: 59999 }), { nil: undefined }),
    });
    fc.assert(fc.property(anyFrame, (r) => {
      const id = r.extended ? r.idBits : r.idBits & 0x7ff;
      const n = r.fd ? [0, 1, 2, 3, 4, 5, 6, 7, 8, 12, 16, 20, 24, 32, 48, 64][r.len] : Math.min(r.len, 8);
      const f = frame({ id, extended: r.extended, fd: r.fd, brs: r.fd && r.brs, data: Uint8Array.from({ length: n }, (_, i) => (i * 37 + id) & 0xff) });
      const { frames } = decodeAll(encodeSlcanFrame(f, r.stamp));
      expect(frames).toHaveLength(1);
      const got = frames[0];
      expect({ ...got.f, data: [...got.f.data], t: 0 }).toEqual({ ...f, data: [...f.data], t: 0 });
      expect(got.ms).toBe(r.stamp ?? null);
    }), { numRuns: 300 });
  });
});
