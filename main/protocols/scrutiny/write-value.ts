// What a write puts in the firmware is what the user typed, or nothing: the device
// checks no value, so a value an integer type cannot hold (out of range, or with a
// fraction) is refused here, before anything is sent. Wrapping it (300 becoming 44 in
// a uint8) or rounding it would write a setpoint nobody asked for. Saturating, as the
// Python server does silently, happens only when the caller asks for it.
import { TypeKind, typeName, typeSize } from './value-types';
import { ApiError } from '../../../shared/api/errors';

/** The bounds of what a write can hold: inclusive min and max, and whether it takes integers only. */
export interface WriteRange {
  /** How the range is named in a refusal: "uint8", "a 3-bit field", "/alias/speed". */
  what: string;
  min: number;
  max: number;
  /** Exclusive upper bound when max itself is not a double (2^63 - 1, 2^64 - 1): values must stay below it. */
  below?: number;
  integer: boolean;
  /** The bounds as written in a refusal (exact for 64-bit types, which doubles cannot spell). */
  text: string;
}

const FLOAT32_MAX = 3.4028234663852886e38;

/** The range of a Scrutiny type byte. */
export function typeRange(type: number): WriteRange {
  const kind = type >> 4;
  const bits = typeSize(type) * 8;
  const what = typeName(type);
  if (kind === TypeKind.bool) return { what, min: 0, max: 1, integer: true, text: '0 or 1' };
  if (kind === TypeKind.float) {
    const max = bits === 32 ? FLOAT32_MAX : Number.MAX_VALUE;
    return { what, min: -max, max, integer: false, text: `${-max} to ${max}` };
  }
  if (kind === TypeKind.uint) {
    const top = 2n ** BigInt(bits) - 1n;
    return { what, min: 0, max: Number(top), ...(bits > 52 ? { below: 2 ** bits } : {}), integer: true, text: `0 to ${top}` };
  }
  const top = 2n ** BigInt(bits - 1) - 1n;
  return { what, min: -(2 ** (bits - 1)), max: Number(top), ...(bits > 52 ? { below: 2 ** (bits - 1) } : {}), integer: true, text: `${-top - 1n} to ${top}` };
}

/** The range of an unsigned bit field. */
export function bitFieldRange(bitSize: number): WriteRange {
  const top = 2n ** BigInt(bitSize) - 1n;
  return { what: `a ${bitSize}-bit field`, min: 0, max: Number(top), ...(bitSize > 52 ? { below: 2 ** bitSize } : {}), integer: true, text: `0 to ${top}` };
}

/** The largest double a write can carry within the range (2^63 - 1 is not one: the double below 2^63). */
function top(r: WriteRange): number {
  if (r.below === undefined) return r.max;
  return r.below - 2 ** (Math.floor(Math.log2(r.below)) - 52);
}

/**
 * The value to write for `value`, or an InvalidRequest naming the range. With
 * `saturate`, out-of-range values are held at the nearest bound and fractions
 * truncated toward zero (the Python server's make_value_valid), instead of refused.
 */
export function checkWriteValue(value: number, r: WriteRange, saturate = false): number {
  if (!Number.isFinite(value)) throw new ApiError('InvalidRequest', `${value} is not a finite number: ${r.what} takes ${r.text}`);
  const high = r.below !== undefined ? value >= r.below : value > r.max;
  if (saturate) {
    const whole = r.integer ? Math.trunc(value) : value;
    return high ? top(r) : whole < r.min ? r.min : whole;
  }
  if (high || value < r.min) throw new ApiError('InvalidRequest', `${value} is out of range for ${r.what} (${r.text}): not sent`);
  if (r.integer && !Number.isInteger(value)) throw new ApiError('InvalidRequest', `${value} is not a whole number: ${r.what} takes integers (${r.text}): not sent`);
  return value;
}

/**
 * A raw value computed from an alias's gain and offset carries the rounding of that
 * arithmetic ((1.2 - 0) / 0.1 is 11.999999999999998): within a few ulps of a whole
 * number it is that number, anything further is a fraction the user typed.
 */
export function snapToInteger(raw: number): number {
  const n = Math.round(raw);
  return Math.abs(raw - n) <= 8 * Number.EPSILON * Math.max(1, Math.abs(n)) ? n : raw;
}
