// The fast reader of one compiled structure: built once per layout, it turns the
// bytes of a frame into numbers with no lookup, object or string per field.
//
// Hot-path invariants (the decode+store budget depends on them):
// - The field list is flattened at construction into two typed arrays (kind and
//   byte offset); read() is one loop with a switch over DataView getters.
// - 64-bit integers are read as two 32-bit halves (no BigInt per value): exact up
//   to 2^53, the nearest double beyond, which is what a plot can show anyway.
// - Values land in a Float64Array owned by the reader, reused for every frame; the
//   caller appends them to the store in a second flat loop.
import type { CompiledStruct, FieldType } from '../../../shared/api/hexrot-layout';

const K_I8 = 0;
const K_U8 = 1;
const K_I16 = 2;
const K_U16 = 3;
const K_I32 = 4;
const K_U32 = 5;
const K_I64 = 6;
const K_U64 = 7;
const K_F32 = 8;
const K_F64 = 9;
const K_BOOL = 10;

const KIND: Record<FieldType, number> = {
  int8: K_I8, uint8: K_U8, int16: K_I16, uint16: K_U16, int32: K_I32, uint32: K_U32,
  int64: K_I64, uint64: K_U64, float32: K_F32, float64: K_F64, bool: K_BOOL, char: K_I8,
};

const TWO_32 = 4294967296;

export class StructReader {
  readonly size: number;
  readonly count: number;
  /** The values of the last frame read, in field order. */
  readonly values: Float64Array;
  private readonly kinds: Uint8Array;
  private readonly offsets: Int32Array;
  private readonly textDecoder = new TextDecoder('utf-8', { fatal: false });

  constructor(readonly struct: CompiledStruct, readonly littleEndian: boolean) {
    this.size = struct.size;
    this.count = struct.numeric.length;
    this.values = new Float64Array(this.count);
    this.kinds = new Uint8Array(this.count);
    this.offsets = new Int32Array(this.count);
    struct.numeric.forEach((f, i) => {
      this.kinds[i] = KIND[f.type];
      this.offsets[i] = f.offset;
    });
  }

  /** Reads the structure starting at `base` in `view` into `values`; the caller checked there are `size` bytes. */
  read(view: DataView, base: number): Float64Array {
    const le = this.littleEndian;
    const kinds = this.kinds;
    const offsets = this.offsets;
    const out = this.values;
    for (let i = 0; i < kinds.length; i++) {
      const at = base + offsets[i]!;
      switch (kinds[i]) {
        case K_I8: out[i] = view.getInt8(at); break;
        case K_U8: out[i] = view.getUint8(at); break;
        case K_I16: out[i] = view.getInt16(at, le); break;
        case K_U16: out[i] = view.getUint16(at, le); break;
        case K_I32: out[i] = view.getInt32(at, le); break;
        case K_U32: out[i] = view.getUint32(at, le); break;
        case K_I64: out[i] = le
          ? view.getInt32(at + 4, true) * TWO_32 + view.getUint32(at, true)
          : view.getInt32(at, false) * TWO_32 + view.getUint32(at + 4, false); break;
        case K_U64: out[i] = le
          ? view.getUint32(at + 4, true) * TWO_32 + view.getUint32(at, true)
          : view.getUint32(at, false) * TWO_32 + view.getUint32(at + 4, false); break;
        case K_F32: out[i] = view.getFloat32(at, le); break;
        case K_F64: out[i] = view.getFloat64(at, le); break;
        default: out[i] = view.getUint8(at) !== 0 ? 1 : 0; break;
      }
    }
    return out;
  }

  /** The char arrays of the structure at `base`, as text up to the first NUL (config only: not a hot path). */
  readTexts(view: DataView, base: number): Record<string, string> {
    const out: Record<string, string> = {};
    for (const t of this.struct.texts) {
      const bytes = new Uint8Array(view.buffer, view.byteOffset + base + t.offset, t.length);
      const nul = bytes.indexOf(0);
      out[t.name] = this.textDecoder.decode(nul < 0 ? bytes : bytes.subarray(0, nul));
    }
    return out;
  }
}

/** Writes values into a structure (the emulator's side, and tests): the inverse of StructReader.read. */
export function writeStruct(struct: CompiledStruct, littleEndian: boolean, view: DataView, base: number, values: ArrayLike<number>, texts: Record<string, string> = {}): void {
  const le = littleEndian;
  struct.numeric.forEach((f, i) => {
    const at = base + f.offset;
    const v = values[i] ?? 0;
    switch (f.type) {
      case 'int8': case 'char': view.setInt8(at, v); break;
      case 'uint8': view.setUint8(at, v); break;
      case 'bool': view.setUint8(at, v ? 1 : 0); break;
      case 'int16': view.setInt16(at, v, le); break;
      case 'uint16': view.setUint16(at, v, le); break;
      case 'int32': view.setInt32(at, v, le); break;
      case 'uint32': view.setUint32(at, v, le); break;
      case 'int64': view.setBigInt64(at, BigInt(Math.trunc(v)), le); break;
      case 'uint64': view.setBigUint64(at, BigInt(Math.trunc(v)), le); break;
      case 'float32': view.setFloat32(at, v, le); break;
      case 'float64': view.setFloat64(at, v, le); break;
    }
  });
  const encoder = new TextEncoder();
  for (const t of struct.texts) {
    const dst = new Uint8Array(view.buffer, view.byteOffset + base + t.offset, t.length);
    dst.fill(0);
    dst.set(encoder.encode(texts[t.name] ?? '').subarray(0, t.length));
  }
}
