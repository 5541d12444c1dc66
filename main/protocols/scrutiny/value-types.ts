// Scrutiny's embedded value types: the type byte (kind << 4 | log2 size), its name, and
// values read from and written to memory bytes in either byte order.

import { hexByte } from './hex';

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
  if (!kind || !size) return `type 0x${hexByte(type)}`;
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
