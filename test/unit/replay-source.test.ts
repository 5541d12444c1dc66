// The replay's chunk decoder and time conversion: exact against the MCAP library's
// own reading, and unbroken by truncated, oversized or garbage chunks.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { McapStreamReader, McapWriter, type IWritable } from '@mcap/core';
import { mkdtemp, open, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ChunkCrcError, decodeChunk, nsWordsToSeconds, openReplaySource, ReplaySourceError } from '../../main/record/replay-source';
import { SampleMcapWriter } from '../../main/files/mcap-sample-writer';
import { decodeSample, NanosClock, nsToSeconds, SAMPLE_SCHEMA_NAME, SAMPLE_SCHEMA_TEXT, SampleEncoder } from '../../main/files/mcap-format';

class Bytes implements IWritable {
  chunks: Uint8Array[] = [];
  size = 0;
  position(): bigint { return BigInt(this.size); }
  async write(b: Uint8Array): Promise<void> { this.chunks.push(b.slice()); this.size += b.length; }
  all(): Uint8Array { return Buffer.concat(this.chunks); }
}

/** A small recording (two sample channels, one console channel), its bytes and its chunk records' bytes. */
async function recording(n: number): Promise<{ file: Uint8Array; chunks: Uint8Array[]; byId: Map<number, number> }> {
  const out = new Bytes();
  const w = new McapWriter({ writable: out, chunkSize: 1024, useStatistics: false });
  await w.start({ profile: '', library: 'test' });
  const schemaId = await w.registerSchema({ name: SAMPLE_SCHEMA_NAME, encoding: 'ros2msg', data: new TextEncoder().encode(SAMPLE_SCHEMA_TEXT) });
  const a = await w.registerChannel({ topic: 's/a', messageEncoding: 'cdr', schemaId, metadata: new Map() });
  const b = await w.registerChannel({ topic: 's/b', messageEncoding: 'cdr', schemaId, metadata: new Map() });
  const text = await w.registerChannel({ topic: 's/console', messageEncoding: 'json', schemaId: 0, metadata: new Map() });
  const enc = new SampleEncoder();
  const clock = new NanosClock();
  for (let k = 0; k < n; k++) {
    const ns = clock.toNs(1_790_000_000.123456 + k * 0.0001);
    enc.set(Math.sin(k));
    await w.addMessage({ channelId: a, sequence: k, logTime: ns, publishTime: ns, data: enc.bytes });
    enc.set(-k);
    await w.addMessage({ channelId: b, sequence: k, logTime: ns, publishTime: ns, data: enc.bytes });
    if (k % 10 === 0) await w.addMessage({ channelId: text, sequence: k, logTime: ns, publishTime: ns, data: new TextEncoder().encode('{"dir":"rx","text":"x"}') });
  }
  await w.end();
  const file = out.all();
  // The chunk records, found by walking the file's top-level records.
  const chunks: Uint8Array[] = [];
  const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
  for (let p = 8; p + 9 <= file.length;) {
    const len = Number(view.getBigUint64(p + 1, true));
    if (file[p] === 0x06) chunks.push(file.subarray(p, p + 9 + len));
    p += 9 + len;
  }
  return { file, chunks, byId: new Map([[a, 0], [b, 1]]) };
}

describe('replay source', () => {
  it('converts u64 ns to the same seconds as nsToSeconds, for any time', () => {
    fc.assert(fc.property(fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }), (ns) => {
      const lo = Number(ns & 0xffffffffn);
      const hi = Number(ns >> 32n);
      expect(nsWordsToSeconds(lo, hi)).toBe(nsToSeconds(ns));
    }), { numRuns: 5000 });
  });

  it('decodes chunks to exactly what the MCAP library reads, per channel in order', async () => {
    const { file, chunks, byId } = await recording(500);
    expect(chunks.length).toBeGreaterThan(10);
    const reader = new McapStreamReader();
    reader.append(file);
    const expected: { t: number[]; v: number[] }[] = [{ t: [], v: [] }, { t: [], v: [] }];
    for (let rec; (rec = reader.nextRecord());) {
      const ch = rec.type === 'Message' ? byId.get(rec.channelId) : undefined;
      if (rec.type === 'Message' && ch !== undefined) {
        expected[ch]!.t.push(nsToSeconds(rec.logTime));
        expected[ch]!.v.push(decodeSample(rec.data));
      }
    }
    const got: { t: number[]; v: number[] }[] = [{ t: [], v: [] }, { t: [], v: [] }];
    for (const c of chunks) {
      const d = decodeChunk(c, byId, 2);
      for (let ch = 0; ch < 2; ch++) {
        got[ch]!.t.push(...(d.times[ch] ?? []));
        got[ch]!.v.push(...(d.values[ch] ?? []));
      }
    }
    expect(got).toEqual(expected);
    expect(got[0]!.v.length).toBe(500);
  });

  it('faces bad chunks: wrong record, truncated, oversized lengths, garbage, compressed', async () => {
    const { chunks, byId } = await recording(100);
    const good = chunks[0]!;
    const whole = decodeChunk(good, byId, 2);
    const n = whole.times[0]!.length;
    // Not a chunk where one is expected.
    expect(() => decodeChunk(Uint8Array.of(0x05, 0, 0, 0, 0, 0, 0, 0, 0), byId, 2)).toThrow(ReplaySourceError);
    expect(() => decodeChunk(new Uint8Array(3), byId, 2)).toThrow(ReplaySourceError);
    // Truncated anywhere: the whole messages before the cut, never more, never a throw other than ours.
    for (let cut = 60; cut < good.length; cut += 7) {
      const d = decodeChunk(good.subarray(0, cut), byId, 2);
      expect(d.times[0]?.length ?? 0).toBeLessThanOrEqual(n);
      expect([...(d.values[0] ?? [])]).toEqual([...whole.values[0]!.subarray(0, d.values[0]?.length ?? 0)]);
    }
    // A record length far past the end stops the walk there.
    const oversized = new Uint8Array(good);
    const view = new DataView(oversized.buffer);
    const firstRecord = 9 + 8 + 8 + 8 + 4 + 4 + 8;
    view.setUint32(firstRecord + 1, 0xffffff00, true);
    view.setUint32(firstRecord + 5, 0x7fff, true);
    // With its CRC it is refused as damaged; without one (a writer that computes none), the walk stops there.
    expect(() => decodeChunk(oversized, byId, 2)).toThrow(ChunkCrcError);
    view.setUint32(9 + 24, 0, true);
    const o = decodeChunk(oversized, byId, 2);
    expect(o.times[0]?.length ?? 0).toBe(0);
    // Garbage records after a valid chunk header: no exception escapes but ours.
    fc.assert(fc.property(fc.uint8Array({ minLength: 0, maxLength: 400 }), (junk) => {
      const head = good.slice(0, firstRecord);
      const buf = new Uint8Array(head.length + junk.length);
      buf.set(head);
      buf.set(junk, head.length);
      new DataView(buf.buffer).setBigUint64(firstRecord - 8, BigInt(junk.length), true);
      try {
        const d = decodeChunk(buf, byId, 2);
        for (const t of d.times) if (t) expect(t.every((x) => Number.isFinite(x))).toBe(true);
      } catch (e) {
        expect(e).toBeInstanceOf(ReplaySourceError);
      }
    }), { numRuns: 500 });
    // A compressed chunk is refused with its compression named.
    const lz4 = Buffer.concat([good.subarray(0, 9 + 28), Buffer.from([3, 0, 0, 0]), Buffer.from('lz4'), good.subarray(9 + 32)]);
    expect(() => decodeChunk(lz4, byId, 2)).toThrow(/compressed with lz4/);
    // A compression name longer than the chunk, or a header cut off: refused in words, not a RangeError.
    const longName = new Uint8Array(good);
    new DataView(longName.buffer).setUint32(9 + 28, 0x7fffffff, true);
    expect(() => decodeChunk(longName, byId, 2)).toThrow(ReplaySourceError);
    expect(() => decodeChunk(good.subarray(0, 20), byId, 2)).toThrow(ReplaySourceError);
  });

  it('puts a channel whose device clock went back in time order within a chunk', async () => {
    const out = new Bytes();
    const w = new McapWriter({ writable: out, chunkSize: 1 << 20, useStatistics: false });
    await w.start({ profile: '', library: 'test' });
    const schemaId = await w.registerSchema({ name: SAMPLE_SCHEMA_NAME, encoding: 'ros2msg', data: new TextEncoder().encode(SAMPLE_SCHEMA_TEXT) });
    const a = await w.registerChannel({ topic: 's/a', messageEncoding: 'cdr', schemaId, metadata: new Map() });
    const enc = new SampleEncoder();
    const clock = new NanosClock();
    // 0..9 s, then the device resets its clock to 5 s and counts on.
    const times = [...Array.from({ length: 10 }, (_, k) => k), ...Array.from({ length: 5 }, (_, k) => 5 + k + 0.5)];
    for (let k = 0; k < times.length; k++) {
      const ns = clock.toNs(1_790_000_000 + times[k]!);
      enc.set(k);
      await w.addMessage({ channelId: a, sequence: k, logTime: ns, publishTime: ns, data: enc.bytes });
    }
    await w.end();
    const file = out.all();
    const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
    let chunk: Uint8Array | null = null;
    for (let p = 8; p + 9 <= file.length;) {
      const len = Number(view.getBigUint64(p + 1, true));
      if (file[p] === 0x06) chunk = file.subarray(p, p + 9 + len);
      p += 9 + len;
    }
    const d = decodeChunk(chunk!, new Map([[a, 0]]), 1);
    expect([...d.times[0]!].map((t) => Math.round((t - 1_790_000_000) * 10) / 10)).toEqual([0, 1, 2, 3, 4, 5, 5.5, 6, 6.5, 7, 7.5, 8, 8.5, 9, 9.5]);
    // Each sample keeps its value (its number in the file).
    expect([...d.values[0]!]).toEqual([0, 1, 2, 3, 4, 5, 10, 6, 11, 7, 12, 8, 13, 9, 14]);
  });

  it('reads a range across many chunks a batch at a time, every sample once', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'benchscope-replay-src-'));
    try {
      const file = path.join(dir, 'many.mcap');
      const handle = await open(file, 'w');
      const w = new SampleMcapWriter(handle, { chunkBytes: 1024 });
      await w.start({ profile: '', library: 'test' });
      const schemaId = await w.registerSchema({ name: SAMPLE_SCHEMA_NAME, encoding: 'ros2msg', data: new TextEncoder().encode(SAMPLE_SCHEMA_TEXT) });
      const a = await w.registerChannel({ topic: 's/a', messageEncoding: 'cdr', schemaId, metadata: new Map([['session', 's'], ['signal', 'a']]) });
      const n = 10_000; // about 430 chunks of 1 KiB: several read batches
      const times = Float64Array.from({ length: n }, (_, k) => 1_790_000_000 + k * 0.01);
      const values = Float64Array.from({ length: n }, (_, k) => k);
      await w.addSamples(a, times, values, n, 0);
      await w.end();
      await handle.close();
      const source = await openReplaySource(file);
      const got: number[] = [];
      await source.read(source.start - 1, source.end, (_ch, _t, v, from, to) => { for (let k = from; k < to; k++) got.push(v[k]!); });
      await source.close();
      expect(got).toEqual([...values]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
