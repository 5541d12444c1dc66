import { describe, expect, it } from 'vitest';
import { bitReader } from '../../main/links/can/monitor';
import { frameBits } from '../../main/links/can/frame';
import { CanFrameInput, parseHexBytes } from '../../shared/api/can';

const read = (s: Partial<Parameters<typeof bitReader>[0]>, bytes: number[]) =>
  bitReader({ startBit: 0, bitLength: 8, byteOrder: 'little', signed: false, scale: 1, offset: 0, ...s })(Uint8Array.from(bytes));

describe('CAN signal bits', () => {
  it('reads little-endian (Intel) ranges from the least significant bit of byte 0', () => {
    expect(read({ startBit: 0, bitLength: 16 }, [0x34, 0x12])).toBe(0x1234);
    expect(read({ startBit: 4, bitLength: 8 }, [0xa0, 0x0b])).toBe(0xba);
    expect(read({ startBit: 7, bitLength: 1 }, [0x80])).toBe(1);
    expect(read({ startBit: 0, bitLength: 32 }, [0xff, 0xff, 0xff, 0xff])).toBe(0xffffffff);
    expect(read({ startBit: 0, bitLength: 32, signed: true }, [0xfe, 0xff, 0xff, 0xff])).toBe(-2);
  });

  it('reads big-endian (Motorola, MSB first) ranges, signed and scaled', () => {
    expect(read({ startBit: 0, bitLength: 16, byteOrder: 'big' }, [0x12, 0x34])).toBe(0x1234);
    expect(read({ startBit: 4, bitLength: 8, byteOrder: 'big' }, [0x0a, 0xb0])).toBe(0xab);
    expect(read({ startBit: 0, bitLength: 12, byteOrder: 'big', signed: true, scale: 0.1, offset: 5 }, [0xff, 0xf0])).toBeCloseTo(4.9);
  });

  it('gives no value when the frame is shorter than the range', () => {
    expect(read({ startBit: 8, bitLength: 9 }, [1, 2])).toBeNull();
    expect(read({ startBit: 8, bitLength: 8 }, [1, 2])).toBe(2);
  });

  it('parses hex data as typed and checks lengths against classic and FD', () => {
    expect(parseHexBytes('de:ad,BE ef')).toEqual([0xde, 0xad, 0xbe, 0xef]);
    expect(parseHexBytes('abc')).toBeNull();
    expect(CanFrameInput.safeParse({ id: 1, fd: true, data: '00'.repeat(12) }).success).toBe(true);
    expect(CanFrameInput.safeParse({ id: 1, fd: true, data: '00'.repeat(13) }).success).toBe(false);
    expect(CanFrameInput.safeParse({ id: 1, rtr: true, fd: true }).success).toBe(false);
  });

  it('estimates more bus time for extended ids, more data, and less with a faster FD data phase', () => {
    const f = (p: object) => frameBits({ extended: false, fd: false, brs: false, data: new Uint8Array(8), ...p });
    expect(f({})).toBeGreaterThan(100);
    expect(f({ extended: true })).toBeGreaterThan(f({}));
    expect(f({ data: new Uint8Array(1) })).toBeLessThan(f({}));
    expect(frameBits({ extended: false, fd: true, brs: true, data: new Uint8Array(64) }, 0.25))
      .toBeLessThan(frameBits({ extended: false, fd: true, brs: false, data: new Uint8Array(64) }));
  });
});
