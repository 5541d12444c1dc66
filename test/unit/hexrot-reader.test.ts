import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileLayoutText } from '../../shared/api/hexrot-layout';
import { StructReader, writeStruct } from '../../main/protocols/hexrot/reader';

const layoutText = (endian: string) => `#pragma endian ${endian}
#pragma config C 3
#pragma telemetry T 2
struct C { char name[6]; uint16_t id; };
struct T { int8_t a; uint8_t b; int16_t c; uint16_t d; int32_t e; uint32_t f; long g; uint64_t h; float i; double j; bool k; double pos[2]; };
`;

/** The telemetry packed by hand with Buffer's own writers, not by the code under test. */
function handPacked(le: boolean): Buffer {
  const b = Buffer.alloc(1 + 1 + 2 + 2 + 4 + 4 + 8 + 8 + 4 + 8 + 1 + 16 + 3);
  let o = 3; // the structure starts 3 bytes into the buffer: unaligned on purpose
  o = b.writeInt8(-5, o);
  o = b.writeUInt8(250, o);
  o = le ? b.writeInt16LE(-30000, o) : b.writeInt16BE(-30000, o);
  o = le ? b.writeUInt16LE(65000, o) : b.writeUInt16BE(65000, o);
  o = le ? b.writeInt32LE(-2_000_000_000, o) : b.writeInt32BE(-2_000_000_000, o);
  o = le ? b.writeUInt32LE(4_000_000_000, o) : b.writeUInt32BE(4_000_000_000, o);
  o = le ? b.writeBigInt64LE(-1_234_567_890_123n, o) : b.writeBigInt64BE(-1_234_567_890_123n, o);
  o = le ? b.writeBigUInt64LE(9_007_199_254_740_991n, o) : b.writeBigUInt64BE(9_007_199_254_740_991n, o);
  o = le ? b.writeFloatLE(1.5, o) : b.writeFloatBE(1.5, o);
  o = le ? b.writeDoubleLE(-123.456, o) : b.writeDoubleBE(-123.456, o);
  o = b.writeUInt8(7, o); // any non-zero byte is true
  o = le ? b.writeDoubleLE(1e-300, o) : b.writeDoubleBE(1e-300, o);
  if (le) b.writeDoubleLE(Math.PI, o);
  else b.writeDoubleBE(Math.PI, o);
  return b;
}

const EXPECTED = [-5, 250, -30000, 65000, -2_000_000_000, 4_000_000_000, -1_234_567_890_123, 9_007_199_254_740_991, 1.5, -123.456, 1, 1e-300, Math.PI];

describe('hexrot structure reader', () => {
  it.each(['little', 'big'])('reads a hand-packed %s-endian structure field by field', (endian) => {
    const layout = compileLayoutText(layoutText(endian));
    const reader = new StructReader(layout.telemetry, layout.littleEndian);
    const buf = handPacked(endian === 'little');
    expect(reader.size).toBe(buf.length - 3);
    const values = reader.read(new DataView(buf.buffer, buf.byteOffset, buf.byteLength), 3);
    expect(Array.from(values)).toEqual(EXPECTED);
    expect(layout.telemetry.numeric.map((f) => f.name)).toEqual(['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'k', 'pos[0]', 'pos[1]']);
  });

  it('reads char arrays as text up to the first NUL, and the rest of the structure around them', () => {
    const layout = compileLayoutText(layoutText('big'));
    const reader = new StructReader(layout.config, false);
    const buf = Buffer.from([0x68, 0x65, 0x78, 0x00, 0x7a, 0x7a, 0x12, 0x34]);
    const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    expect(Array.from(reader.read(view, 0))).toEqual([0x1234]);
    expect(reader.readTexts(view, 0)).toEqual({ name: 'hex' });
  });

  it('reads back what writeStruct wrote, for any values the types can hold', () => {
    for (const endian of ['little', 'big']) {
      const layout = compileLayoutText(layoutText(endian));
      const reader = new StructReader(layout.telemetry, layout.littleEndian);
      fc.assert(fc.property(
        fc.integer({ min: -128, max: 127 }), fc.integer({ min: 0, max: 255 }), fc.integer({ min: -32768, max: 32767 }),
        fc.integer({ min: 0, max: 65535 }), fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), fc.integer({ min: 0, max: 2 ** 32 - 1 }),
        fc.integer({ min: Number.MIN_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER }), fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }),
        fc.double({ noNaN: true }), fc.boolean(),
        (a, b, c, d, e, f, g, h, j, k) => {
          const values = [a, b, c, d, e, f, g, h, 0.25, j, k ? 1 : 0, -j, j / 3];
          const buf = new Uint8Array(layout.telemetry.size);
          const view = new DataView(buf.buffer);
          writeStruct(layout.telemetry, layout.littleEndian, view, 0, values);
          expect(Array.from(reader.read(view, 0))).toEqual(values);
        },
      ), { numRuns: 300 });
    }
  });
});
