// Scrutiny payloads are big-endian: a writer that builds them and a bounds-checked reader.
//
// Invariant (load-bearing): payload parsers run through parse(), which returns a result or a
// string saying what was received and what was expected; a parser never throws at its caller.

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

/** Writes v big-endian into b[at..at+4). */
export function writeU32(b: Uint8Array, at: number, v: number): void {
  b[at] = v >>> 24;
  b[at + 1] = (v >>> 16) & 0xff;
  b[at + 2] = (v >>> 8) & 0xff;
  b[at + 3] = v & 0xff;
}
