import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { TelemetryStore } from '../../main/telemetry/store';
import { TelemetryBatcher, type TelemetryBatcherOptions } from '../../main/telemetry/batcher';
import { decodeTelemetryFrame, type TelemetryFrame } from '../../shared/api/telemetry-frame';

/** A client that decodes what it receives, and is busy when told. */
function client(batcher: TelemetryBatcher) {
  const frames: TelemetryFrame[] = [];
  const state = { busy: false };
  const handle = batcher.addClient((buf) => {
    const r = decodeTelemetryFrame(buf);
    if ('error' in r) throw new Error(r.error);
    frames.push(r);
  }, () => state.busy);
  /** Values received per signal id, over every frame. */
  const received = (id: number) => frames.flatMap((f) => f.blocks.filter((b) => b.id === id).flatMap((b) => Array.from(b.values)));
  return { frames, state, handle, received };
}

function setup(capacity = 1024, opts: TelemetryBatcherOptions = {}) {
  const store = new TelemetryStore({ capacity });
  const batcher = new TelemetryBatcher(store, opts);
  const a = store.declare('s', 'a');
  const b = store.declare('s', 'b');
  const push = (id: number, from: number, n: number) => {
    for (let k = from; k < from + n; k++) store.append(id, 1000 + k, k);
  };
  return { store, batcher, a, b, push };
}

const range = (from: number, n: number) => Array.from({ length: n }, (_, k) => from + k);

describe('telemetry batcher', () => {
  it('sends a fast client one frame per flush with the samples since its last one, times included', () => {
    const { batcher, a, push } = setup();
    const c = client(batcher);
    c.handle.subscribe([a]);
    push(a, 0, 3);
    batcher.flush();
    expect(c.frames.length).toBe(1);
    expect(Array.from(c.frames[0]!.blocks[0]!.times)).toEqual([1000, 1001, 1002]);
    batcher.flush();
    expect(c.frames.length).toBe(1); // nothing new, no empty frame
    push(a, 3, 2);
    batcher.flush();
    expect(c.received(a)).toEqual([0, 1, 2, 3, 4]);
    expect(c.handle.stats).toMatchObject({ framesSent: 2, samplesSent: 5, samplesDropped: 0, flushesSkipped: 0 });
  });

  it('starts a subscription at the current total, or with the held history when asked', () => {
    const { batcher, a, b, push } = setup();
    push(a, 0, 5);
    push(b, 0, 5);
    const c = client(batcher);
    c.handle.subscribe([a]);
    c.handle.subscribe([b], { history: true });
    push(a, 5, 1);
    batcher.flush();
    expect(c.received(a)).toEqual([5]);
    expect(c.received(b)).toEqual([0, 1, 2, 3, 4]);
  });

  it('skips a busy client, then sends it one frame with everything that coalesced', () => {
    const { batcher, a, push } = setup();
    const c = client(batcher);
    c.handle.subscribe([a]);
    c.state.busy = true;
    for (let k = 0; k < 5; k++) {
      push(a, k * 10, 10);
      batcher.flush();
    }
    expect(c.frames).toEqual([]);
    expect(c.handle.stats.flushesSkipped).toBe(5);
    c.state.busy = false;
    batcher.flush();
    expect(c.frames.length).toBe(1);
    expect(c.frames[0]!.dropped).toBe(0);
    expect(c.received(a)).toEqual(range(0, 50));
  });

  it('beyond the backlog bound a busy client loses the oldest, and its next frame says how many', () => {
    const { batcher, a, push } = setup(1024, { maxBacklogSamples: 100 });
    const c = client(batcher);
    c.handle.subscribe([a]);
    c.state.busy = true;
    push(a, 0, 250);
    batcher.flush();
    expect(c.handle.stats.samplesDropped).toBe(150); // counted while still busy
    push(a, 250, 10);
    c.state.busy = false;
    batcher.flush();
    expect(c.frames.length).toBe(1);
    expect(c.frames[0]!.dropped).toBe(160);
    expect(c.received(a)).toEqual(range(160, 100));
    push(a, 260, 1);
    batcher.flush();
    expect(c.frames[1]!.dropped).toBe(0);
  });

  it('with the default bound, a client behind the ring loses what the ring overwrote', () => {
    const { batcher, a, push } = setup(64);
    const c = client(batcher);
    c.handle.subscribe([a]);
    c.state.busy = true;
    push(a, 0, 200);
    batcher.flush();
    c.state.busy = false;
    batcher.flush();
    expect(c.frames[0]!.dropped).toBe(136);
    expect(c.received(a)).toEqual(range(136, 64));
  });

  it('reports drops in a frame even when no sample is left to send', () => {
    const { store, batcher, a, push } = setup(1024, { maxBacklogSamples: 10 });
    const c = client(batcher);
    c.handle.subscribe([a]);
    c.state.busy = true;
    push(a, 0, 30);
    batcher.flush();
    store.removeSession('s'); // the rest of the backlog goes with its session
    c.state.busy = false;
    batcher.flush();
    expect(c.frames).toEqual([{ dropped: 20, blocks: [] }]);
    batcher.flush();
    expect(c.frames.length).toBe(1);
  });

  it('serves two clients with different subscriptions independently', () => {
    const { batcher, a, b, push } = setup();
    const c1 = client(batcher);
    const c2 = client(batcher);
    c1.handle.subscribe([a]);
    c2.handle.subscribe([a, b]);
    c2.state.busy = true;
    push(a, 0, 3);
    push(b, 0, 2);
    batcher.flush();
    expect(c1.frames.length).toBe(1);
    expect(c1.frames[0]!.blocks.map((x) => x.id)).toEqual([a]);
    expect(c2.frames.length).toBe(0);
    c2.state.busy = false;
    batcher.flush();
    expect(c1.frames.length).toBe(1);
    expect(c2.received(a)).toEqual([0, 1, 2]);
    expect(c2.received(b)).toEqual([0, 1]);
  });

  it('stops after unsubscribe, removeClient, or removal of the signal\'s session', () => {
    const { store, batcher, a, b, push } = setup();
    const c = client(batcher);
    c.handle.subscribe([a, b, 12345]);
    c.handle.unsubscribe([b]);
    push(a, 0, 1);
    push(b, 0, 1);
    batcher.flush();
    expect(c.frames.flatMap((f) => f.blocks.map((x) => x.id))).toEqual([a]);
    store.removeSession('s');
    batcher.flush();
    const other = store.declare('s2', 'z');
    c.handle.subscribe([other]);
    batcher.removeClient(c.handle);
    push(other, 0, 1);
    batcher.flush();
    expect(c.frames.length).toBe(1);
  });

  it('a client whose send throws does not stop the others, and learns of its loss in its next frame', () => {
    const { batcher, a, push } = setup();
    let fail = true;
    const got: TelemetryFrame[] = [];
    const bad = batcher.addClient((buf) => {
      if (fail) throw new Error('socket closed');
      got.push(decodeTelemetryFrame(buf) as TelemetryFrame);
    }, () => false);
    const good = client(batcher);
    bad.subscribe([a]);
    good.handle.subscribe([a]);
    push(a, 0, 4);
    batcher.flush();
    expect(good.received(a)).toEqual([0, 1, 2, 3]);
    expect(bad.stats.samplesDropped).toBe(4);
    fail = false;
    push(a, 4, 1);
    batcher.flush();
    expect(got[0]!.dropped).toBe(4);
    expect(Array.from(got[0]!.blocks[0]!.values)).toEqual([4]);
  });

  it('spreads a backlog larger than a frame over several flushes without losing a sample', () => {
    const { batcher, a, b, push } = setup(1024, { maxSamplesPerFrame: 50 });
    const c = client(batcher);
    c.handle.subscribe([a, b]);
    c.state.busy = true;
    push(a, 0, 300);
    push(b, 0, 30);
    batcher.flush();
    c.state.busy = false;
    for (let k = 0; k < 20; k++) batcher.flush();
    expect(c.frames.every((f) => f.blocks.reduce((n, x) => n + x.values.length, 0) <= 50)).toBe(true);
    expect(c.received(a)).toEqual(range(0, 300));
    expect(c.received(b)).toEqual(range(0, 30));
    expect(c.handle.stats.samplesDropped).toBe(0);
  });

  it('a client that keeps up receives every sample in order, however appends and flushes interleave', () => {
    const op = fc.oneof(
      fc.record({ kind: fc.constant('append' as const), sig: fc.constantFrom(0, 1), n: fc.integer({ min: 1, max: 300 }) }),
      fc.record({ kind: fc.constant('flush' as const) }),
    );
    fc.assert(fc.property(fc.array(op, { maxLength: 60 }), (ops) => {
      const { batcher, a, b, push } = setup(512);
      const c = client(batcher);
      c.handle.subscribe([a, b]);
      const next = [0, 0];
      for (const o of ops) {
        if (o.kind === 'flush') {
          batcher.flush();
          continue;
        }
        // The ring holds 512: a client keeping up flushes before it overflows.
        const id = o.sig === 0 ? a : b;
        push(id, next[o.sig]!, o.n);
        next[o.sig]! += o.n;
        batcher.flush();
      }
      batcher.flush();
      expect(c.received(a)).toEqual(range(0, next[0]!));
      expect(c.received(b)).toEqual(range(0, next[1]!));
      expect(c.handle.stats.samplesDropped).toBe(0);
      expect(c.frames.every((f) => f.dropped === 0)).toBe(true);
    }), { numRuns: 200 });
  });
});
