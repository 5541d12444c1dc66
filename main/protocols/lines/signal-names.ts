// Signal ids keyed by the bytes of their name, so that a key=value or JSON field
// finds its signal without building a string: the string is made once, when the
// name is new. Open addressing over an FNV-1a hash; names live in one byte pool.

export const NAME_NOT_FOUND = -1;

export class SignalNameTable {
  private slots = new Int32Array(64).fill(-1);
  private readonly hashes: number[] = [];
  private readonly starts: number[] = [];
  private readonly lengths: number[] = [];
  private readonly ids: number[] = [];
  private pool = new Uint8Array(1024);
  private poolUsed = 0;

  get size(): number {
    return this.ids.length;
  }

  /** The id stored for the name b[s..e), or NAME_NOT_FOUND. */
  find(b: Uint8Array, s: number, e: number): number {
    const h = hash(b, s, e);
    const mask = this.slots.length - 1;
    for (let slot = h & mask; ; slot = (slot + 1) & mask) {
      const entry = this.slots[slot]!;
      if (entry < 0) return NAME_NOT_FOUND;
      if (this.hashes[entry] === h && this.lengths[entry] === e - s && this.sameBytes(entry, b, s, e)) return this.ids[entry]!;
    }
  }

  /** Stores the id for a name that find() did not know. */
  add(b: Uint8Array, s: number, e: number, id: number): void {
    if ((this.ids.length + 1) * 2 > this.slots.length) this.rehash(this.slots.length * 2);
    const len = e - s;
    if (this.poolUsed + len > this.pool.length) {
      const pool = new Uint8Array(Math.max(this.pool.length * 2, this.poolUsed + len));
      pool.set(this.pool.subarray(0, this.poolUsed));
      this.pool = pool;
    }
    this.pool.set(b.subarray(s, e), this.poolUsed);
    const entry = this.ids.length;
    const h = hash(b, s, e);
    this.hashes.push(h);
    this.starts.push(this.poolUsed);
    this.lengths.push(len);
    this.ids.push(id);
    this.poolUsed += len;
    this.place(entry, h);
  }

  private sameBytes(entry: number, b: Uint8Array, s: number, e: number): boolean {
    const pool = this.pool;
    for (let i = s, j = this.starts[entry]!; i < e; i++, j++) if (b[i] !== pool[j]) return false;
    return true;
  }

  private place(entry: number, h: number): void {
    const mask = this.slots.length - 1;
    let slot = h & mask;
    while (this.slots[slot]! >= 0) slot = (slot + 1) & mask;
    this.slots[slot] = entry;
  }

  private rehash(size: number): void {
    this.slots = new Int32Array(size).fill(-1);
    for (let entry = 0; entry < this.ids.length; entry++) this.place(entry, this.hashes[entry]!);
  }
}

function hash(b: Uint8Array, s: number, e: number): number {
  let h = 0x811c9dc5;
  for (let i = s; i < e; i++) h = Math.imul(h ^ b[i]!, 0x01000193);
  return h >>> 0;
}
