// The recorder's own MCAP writer: what it writes, the MCAP library reads back
// exactly, streamed and through the index; times as NanosClock makes them.
import { mkdtemp, open, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { McapIndexedReader, McapStreamReader } from '@mcap/core';
import { FileHandleReadable } from '@mcap/nodejs';
import { NsWords, SampleMcapWriter } from '../../main/files/mcap-sample-writer';
import { decodeSample, NanosClock, SAMPLE_SCHEMA_NAME, SAMPLE_SCHEMA_TEXT } from '../../main/files/mcap-format';

describe('SampleMcapWriter', () => {
  let dir: string;
  beforeAll(async () => { dir = await mkdtemp(path.join(os.tmpdir(), 'benchscope-mcapw-')); });
  afterAll(async () => { await rm(dir, { recursive: true, force: true }); });

  it('gives the same u64 ns as NanosClock for any time', () => {
    const words = new NsWords();
    const clock = new NanosClock();
    fc.assert(fc.property(fc.double({ min: 0, max: 4_000_000_000, noNaN: true }), (t) => {
      words.set(t);
      const ns = clock.toNs(t);
      expect((BigInt(words.hi) << 32n) | BigInt(words.lo)).toBe(ns);
    }), { numRuns: 20_000 });
    // Fractions that round up to a whole second, and times in the same second one after the other.
    // eslint-disable-next-line no-loss-of-precision -- the nearest double is the point: these land a hair below a whole second
    for (const t of [1_790_000_000.9999999999, 1_790_000_000, 1_790_000_000.5, 1_790_000_000.999_999_999_6, 0.9999999999]) {
      words.set(t);
      expect((BigInt(words.hi) << 32n) | BigInt(words.lo)).toBe(clock.toNs(t));
    }
  });

  it('writes samples and other messages that the MCAP library reads back exactly', async () => {
    const file = path.join(dir, 'w.mcap');
    const handle = await open(file, 'w');
    const w = new SampleMcapWriter(handle, { chunkBytes: 4096 });
    await w.start({ profile: '', library: 'test' });
    const schemaId = await w.registerSchema({ name: SAMPLE_SCHEMA_NAME, encoding: 'ros2msg', data: new TextEncoder().encode(SAMPLE_SCHEMA_TEXT) });
    const a = await w.registerChannel({ topic: 's/a', messageEncoding: 'cdr', schemaId, metadata: new Map([['signal', 'a']]) });
    const text = await w.registerChannel({ topic: 's/console', messageEncoding: 'json', schemaId: 0, metadata: new Map() });
    await w.addMetadata({ name: 'benchscope.recording', metadata: new Map([['sessions', '[]']]) });
    const n = 1000;
    const times = Float64Array.from({ length: n }, (_, k) => 1_790_000_000.25 + k * 0.001);
    const values = Float64Array.from({ length: n }, (_, k) => Math.sin(k) * 1e3);
    await w.addSamples(a, times, values, 600, 4_294_967_000); // sequences pass 2^32
    const big = new TextEncoder().encode(JSON.stringify({ dir: 'rx', text: 'x'.repeat(100_000) })); // larger than a chunk
    await w.addMessage(text, 7, 1_790_000_000.7, big);
    const b = await w.registerChannel({ topic: 's/b', messageEncoding: 'cdr', schemaId, metadata: new Map() });
    await w.addSamples(a, times.subarray(600), values.subarray(600), 400, 4_294_967_600);
    await w.addSamples(b, times, values, n, 0);
    await w.end();
    await handle.close();

    const bytes = await readFile(file);
    expect(w.bytes).toBe(bytes.length);
    // Streamed, with CRC checks on (ours are 0: not computed).
    const stream = new McapStreamReader({ validateCrcs: true });
    stream.append(bytes);
    const got = new Map<number, { t: bigint[]; v: number[]; seq: number[] }>();
    let footer = false;
    const big2: Uint8Array[] = [];
    for (let r; (r = stream.nextRecord());) {
      if (r.type === 'Footer') footer = true;
      if (r.type !== 'Message') continue;
      if (r.channelId === text) { big2.push(r.data); continue; }
      const g = got.get(r.channelId) ?? { t: [], v: [], seq: [] };
      got.set(r.channelId, g);
      g.t.push(r.logTime);
      g.v.push(decodeSample(r.data));
      g.seq.push(r.sequence);
    }
    expect(footer).toBe(true);
    const clock = new NanosClock();
    expect(got.get(a)!.t).toEqual(Array.from(times, (t) => clock.toNs(t)));
    expect(got.get(a)!.v).toEqual([...values]);
    expect(got.get(a)!.seq.slice(295, 297)).toEqual([4_294_967_295, 0]);
    expect(got.get(b)!.v).toEqual([...values]);
    expect(Buffer.from(big2[0]!).equals(Buffer.from(big))).toBe(true);

    // Through the index (as Foxglove reads), in time order, with the metadata found by name.
    const rh = await open(file, 'r');
    try {
      const reader = await McapIndexedReader.Initialize({ readable: new FileHandleReadable(rh) });
      expect(reader.chunkIndexes.length).toBeGreaterThan(10);
      expect([...reader.channelsById.values()].map((c) => c.topic)).toEqual(['s/a', 's/console', 's/b']);
      let count = 0;
      let last = 0n;
      for await (const m of reader.readMessages({ topics: ['s/a', 's/b'] })) {
        expect(m.logTime >= last).toBe(true);
        last = m.logTime;
        count++;
      }
      expect(count).toBe(2 * n);
      const mid = clock.toNs(times[500]!);
      let inRange = 0;
      for await (const m of reader.readMessages({ topics: ['s/a'], startTime: mid, endTime: mid })) { expect(decodeSample(m.data)).toBe(values[500]); inRange++; }
      expect(inRange).toBe(1);
      const metas = [];
      for await (const m of reader.readMetadata({ name: 'benchscope.recording' })) metas.push(m);
      expect(metas).toHaveLength(1);
    } finally {
      await rh.close();
    }
  });
});
