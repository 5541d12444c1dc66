// Scrutiny writes: a value an integer type cannot hold is refused, naming the range,
// never wrapped or rounded; saturation only when asked for. Checked over the encoder:
// what is accepted is exactly what the bytes hold.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeValue, encodeValue, typeFromName } from '../../main/protocols/scrutiny/value-types';
import { bitFieldRange, checkWriteValue, snapToInteger, typeRange } from '../../main/protocols/scrutiny/write-value';
import { ApiError } from '../../shared/api/errors';

const type = (name: string) => typeFromName(name)!;
const refusal = (f: () => unknown) => {
  try {
    f();
  } catch (e) {
    expect((e as ApiError).code).toBe('InvalidRequest');
    return (e as Error).message;
  }
  throw new Error('not refused');
};

describe('scrutiny write values', () => {
  it('refuses the values the issue saw wrapped or rounded, naming the range', () => {
    expect(refusal(() => checkWriteValue(300, typeRange(type('uint8'))))).toBe('300 is out of range for uint8 (0 to 255): not sent');
    expect(refusal(() => checkWriteValue(-1, typeRange(type('uint16'))))).toMatch(/^-1 is out of range for uint16 \(0 to 65535\)/);
    expect(refusal(() => checkWriteValue(99999999999, typeRange(type('sint32'))))).toMatch(/out of range for sint32 \(-2147483648 to 2147483647\)/);
    expect(refusal(() => checkWriteValue(3.7, typeRange(type('sint16'))))).toMatch(/^3\.7 is not a whole number: sint16 takes integers/);
    expect(refusal(() => checkWriteValue(2, typeRange(type('bool8'))))).toMatch(/bool8 \(0 or 1\)/);
    expect(refusal(() => checkWriteValue(16, bitFieldRange(4)))).toMatch(/out of range for a 4-bit field \(0 to 15\)/);
    expect(refusal(() => checkWriteValue(2 ** 64, typeRange(type('uint64'))))).toMatch(/uint64 \(0 to 18446744073709551615\)/);
    expect(refusal(() => checkWriteValue(2 ** 63, typeRange(type('sint64'))))).toMatch(/sint64 \(-9223372036854775808 to 9223372036854775807\)/);
    expect(refusal(() => checkWriteValue(1e39, typeRange(type('float32'))))).toMatch(/out of range for float32/);
  });

  it('saturates and truncates toward zero only when asked, as the Python server does', () => {
    expect(checkWriteValue(300, typeRange(type('uint8')), true)).toBe(255);
    expect(checkWriteValue(-1, typeRange(type('uint16')), true)).toBe(0);
    expect(checkWriteValue(1.7, typeRange(type('uint8')), true)).toBe(1);
    expect(checkWriteValue(-1.7, typeRange(type('sint8')), true)).toBe(-1);
    expect(checkWriteValue(-1e12, typeRange(type('sint32')), true)).toBe(-2147483648);
    const u64 = checkWriteValue(1e30, typeRange(type('uint64')), true);
    expect(u64).toBeLessThan(2 ** 64);
    const b = new Uint8Array(8);
    encodeValue(b, 0, type('uint64'), true, u64);
    expect(Buffer.from(b).readBigUInt64LE(0)).toBe(BigInt(u64)); // the largest double below 2^64, not wrapped to 0
  });

  it('accepts exactly the values each integer type holds, and they encode to themselves', () => {
    const names = ['uint8', 'sint8', 'uint16', 'sint16', 'uint32', 'sint32', 'uint64', 'sint64', 'bool8'];
    fc.assert(fc.property(fc.constantFrom(...names), fc.oneof(fc.integer({ min: -(2 ** 40), max: 2 ** 40 }), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.integer({ min: -300, max: 70000 })), fc.boolean(), (name, value, little) => {
      const t = type(name);
      const r = typeRange(t);
      let accepted: number | null = null;
      try {
        accepted = checkWriteValue(value, r);
      } catch (e) {
        expect((e as ApiError).code).toBe('InvalidRequest');
        expect((e as Error).message).toContain(name);
      }
      const holds = Number.isInteger(value) && value >= r.min && (r.below !== undefined ? value < r.below : value <= r.max);
      expect(accepted !== null).toBe(holds);
      if (accepted !== null) {
        const b = new Uint8Array(8);
        encodeValue(b, 0, t, little, accepted);
        expect(decodeValue(b, 0, t, little) === value).toBe(true); // -0 is written as 0
      }
      const saturated = checkWriteValue(value, r, true);
      expect(saturated).toBeGreaterThanOrEqual(r.min);
      expect(r.below !== undefined ? saturated < r.below : saturated <= r.max).toBe(true);
    }), { numRuns: 2000 });
  });

  it('takes an alias raw value within rounding error as whole, a real fraction as a fraction', () => {
    expect(snapToInteger((1.2 - 0) / 0.1)).toBe(12);
    expect(snapToInteger(0.5)).toBe(0.5);
    expect(snapToInteger(12.345 / 0.001)).toBe(12345);
    expect(snapToInteger(180.0000001)).toBe(180.0000001);
  });
});
