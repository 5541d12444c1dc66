// The telemetry store: per signal, columnar ring buffers of sample times (seconds
// since the epoch) and values.
//
// Hot-path invariants (load-bearing; the decode+store budget depends on them):
// - A sample is two Float64Array slots (16 bytes), never an object, a string or JSON.
// - append/appendBulk never allocate once a ring has reached its capacity; before
//   that a ring only grows by doubling (amortised, and only until its first wrap).
// - Ring sizes are powers of two: the slot of sample k is `k & (size - 1)`. `total`
//   can pass 2^32: `&` takes the low 32 bits of an integral double exactly, and a
//   power-of-two size up to 2^30 divides 2^32, so the slot stays right.
// - Signal ids are never reused: a client still holding a removed id reads nothing
//   instead of another signal's samples.
// - Samples are numbered 0..total-1 per signal; a ring holds the newest `size` of
//   them. Readers keep a cursor (the next sample number they want); what fell out of
//   the ring is lost and they learn how much from oldest().

const MIN_RING = 1024;
const DEFAULT_CAPACITY = 1 << 18;

export interface TelemetrySignalInfo {
  id: number;
  sessionId: string;
  name: string;
  unit: string | null;
  total: number;
  states?: string[];
}

class SignalRing {
  times: Float64Array;
  values: Float64Array;
  total = 0;
  /** A discrete signal's state names (value = index), or null for a numeric one. */
  states: string[] | null = null;
  constructor(readonly sessionId: string, public name: string, readonly unit: string | null, size: number) {
    this.times = new Float64Array(size);
    this.values = new Float64Array(size);
  }
}

export class TelemetryStore {
  /** Samples held per signal once its ring is full (a power of two). */
  readonly capacity: number;
  private readonly rings: (SignalRing | undefined)[] = [];
  private readonly idByKey = new Map<string, number>();

  constructor(opts: { capacity?: number } = {}) {
    const capacity = opts.capacity ?? DEFAULT_CAPACITY;
    if (!Number.isInteger(capacity) || capacity < 1 || capacity > 1 << 30 || (capacity & (capacity - 1)) !== 0) {
      throw new RangeError(`telemetry store capacity must be a power of two from 1 to 2^30, got ${capacity}`);
    }
    this.capacity = capacity;
  }

  /**
   * Returns the signal's id; declaring the same (session, name) again returns the same id
   * (and takes new state names, when given: a discrete sensor's values may change).
   */
  declare(sessionId: string, name: string, unit?: string, states?: readonly string[]): number {
    const key = `${sessionId}\u0000${name}`;
    const known = this.idByKey.get(key);
    if (known !== undefined) {
      if (states) this.setStates(known, states);
      return known;
    }
    const id = this.rings.length;
    const ring = new SignalRing(sessionId, name, unit ?? null, Math.min(MIN_RING, this.capacity));
    if (states) ring.states = [...states];
    this.rings.push(ring);
    this.idByKey.set(key, id);
    return id;
  }

  /** Sets a signal's state names; true when they changed. */
  setStates(id: number, states: readonly string[] | null): boolean {
    const ring = this.rings[id];
    if (!ring) return false;
    const same = states === null ? ring.states === null
      : ring.states !== null && ring.states.length === states.length && ring.states.every((s, i) => s === states[i]);
    if (same) return false;
    ring.states = states === null ? null : [...states];
    return true;
  }

  /** Gives a signal another name, its samples and id kept; false when the session already has a signal of that name. */
  rename(id: number, name: string): boolean {
    const ring = this.rings[id];
    if (!ring) return false;
    if (ring.name === name) return true;
    const key = `${ring.sessionId}\u0000${name}`;
    if (this.idByKey.has(key)) return false;
    this.idByKey.delete(`${ring.sessionId}\u0000${ring.name}`);
    this.idByKey.set(key, id);
    ring.name = name;
    return true;
  }

  /** Drops one signal and its samples; its id is not reused. */
  remove(id: number): void {
    const ring = this.rings[id];
    if (!ring) return;
    this.rings[id] = undefined;
    this.idByKey.delete(`${ring.sessionId}\u0000${ring.name}`);
  }

  /** The id of a session's signal by name, or null. */
  find(sessionId: string, name: string): number | null {
    return this.idByKey.get(`${sessionId}\u0000${name}`) ?? null;
  }

  removeSession(sessionId: string): void {
    for (let id = 0; id < this.rings.length; id++) {
      const ring = this.rings[id];
      if (ring === undefined || ring.sessionId !== sessionId) continue;
      this.rings[id] = undefined;
      this.idByKey.delete(`${sessionId}\u0000${ring.name}`);
    }
  }

  list(sessionId?: string): TelemetrySignalInfo[] {
    const out: TelemetrySignalInfo[] = [];
    this.rings.forEach((ring, id) => {
      if (ring === undefined || (sessionId !== undefined && ring.sessionId !== sessionId)) return;
      const info: TelemetrySignalInfo = { id, sessionId: ring.sessionId, name: ring.name, unit: ring.unit, total: ring.total };
      if (ring.states) info.states = ring.states;
      out.push(info);
    });
    return out;
  }

  has(id: number): boolean {
    return this.rings[id] !== undefined;
  }

  /** Samples ever appended to the signal (0 for an unknown id). */
  total(id: number): number {
    return this.rings[id]?.total ?? 0;
  }

  /** Number of the oldest sample still held; samples below it are lost. */
  oldest(id: number): number {
    const ring = this.rings[id];
    return ring === undefined ? 0 : Math.max(0, ring.total - ring.times.length);
  }

  /** Appends one sample. An unknown (removed) id is ignored: a decoder may outlive its session briefly. */
  append(id: number, t: number, v: number): void {
    const ring = this.rings[id];
    if (ring === undefined) return;
    const k = ring.total;
    if (k === ring.times.length && k < this.capacity) this.grow(ring, k + 1);
    const slot = k & (ring.times.length - 1);
    ring.times[slot] = t;
    ring.values[slot] = v;
    ring.total = k + 1;
  }

  appendBulk(id: number, times: Float64Array, values: Float64Array, n: number): void {
    const ring = this.rings[id];
    if (ring === undefined || n <= 0) return;
    n = Math.min(n, times.length, values.length);
    // Only the newest `capacity` samples can be held: skip the rest, still counting them.
    const from = Math.max(0, n - this.capacity);
    const count = n - from;
    // Grow before moving `total`: grow() copies samples 0..total-1, which must still be in place.
    if (ring.times.length < this.capacity && ring.total + count > ring.times.length) this.grow(ring, ring.total + count);
    ring.total += from;
    const size = ring.times.length;
    const slot = ring.total & (size - 1);
    const first = Math.min(count, size - slot);
    ring.times.set(times.subarray(from, from + first), slot);
    ring.values.set(values.subarray(from, from + first), slot);
    if (first < count) {
      ring.times.set(times.subarray(from + first, n), 0);
      ring.values.set(values.subarray(from + first, n), 0);
    }
    ring.total += count;
  }

  /**
   * Copies samples numbered from `cursor` (raised to oldest() when they fell out of
   * the ring) into the output arrays at `outOffset`, at most `maxCount`. Returns the
   * number copied; the reader's next cursor is max(cursor, oldest(id)) + copied.
   */
  copySince(id: number, cursor: number, outTimes: Float64Array, outValues: Float64Array, outOffset: number, maxCount: number): number {
    const ring = this.rings[id];
    if (ring === undefined) return 0;
    const size = ring.times.length;
    const from = Math.max(cursor, ring.total - size, 0);
    const count = Math.min(ring.total - from, maxCount);
    if (count <= 0) return 0;
    const slot = from & (size - 1);
    const first = Math.min(count, size - slot);
    outTimes.set(ring.times.subarray(slot, slot + first), outOffset);
    outValues.set(ring.values.subarray(slot, slot + first), outOffset);
    if (first < count) {
      outTimes.set(ring.times.subarray(0, count - first), outOffset + first);
      outValues.set(ring.values.subarray(0, count - first), outOffset + first);
    }
    return count;
  }

  /** Bytes allocated per sample slot, over every ring (the 16-byte budget). */
  bytesPerSample(): number {
    let bytes = 0;
    let slots = 0;
    for (const ring of this.rings) {
      if (ring === undefined) continue;
      bytes += ring.times.byteLength + ring.values.byteLength;
      slots += ring.times.length;
    }
    return slots === 0 ? 16 : bytes / slots;
  }

  /** Doubles the ring until it can hold `needed` samples (or reaches capacity); only before the first wrap. */
  private grow(ring: SignalRing, needed: number): void {
    let size = ring.times.length;
    while (size < needed && size < this.capacity) size *= 2;
    const times = new Float64Array(size);
    const values = new Float64Array(size);
    times.set(ring.times.subarray(0, ring.total));
    values.set(ring.values.subarray(0, ring.total));
    ring.times = times;
    ring.values = values;
  }
}
