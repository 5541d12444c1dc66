// Chunk CRCs: a recording made by the real recorder carries the CRC-32 of every
// chunk's records (the MCAP library's own reader checks them and agrees), and a byte
// flipped anywhere in a chunk is noticed by every reader of ours (the whole-file read,
// the replay's indexed read, its marks, CSV export), which names the file and the chunk.
import { mkdtemp, readFile, rm, writeFile, open } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { McapIndexedReader, type McapTypes } from '@mcap/core';
import { FileHandleReadable } from '@mcap/nodejs';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConsoleLine, Mark } from '../../shared/api/contract';
import { Recorder, type RecordedSession } from '../../main/record/recorder';
import { readRecording } from '../../main/files/recording-files';
import { streamRecordingCsv } from '../../main/record/recording-csv';
import { openReplaySource } from '../../main/record/replay-source';
import { TelemetryStore } from '../../main/telemetry/store';

const T0 = 1_700_000_000;
/** Chunk record bytes before its records (opcode, length, start, end, size, crc, empty compression, records length). */
const CHUNK_HEAD = 1 + 8 + 8 + 8 + 8 + 4 + 4 + 8;

describe('MCAP chunk CRCs', () => {
  let dir: string;
  let file: string;
  let good: Buffer;
  let chunks: McapTypes.ChunkIndex[];
  let markChannel: number;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'benchscope-crc-'));
    file = path.join(dir, 'r.mcap');
    const store = new TelemetryStore();
    const a = store.declare('s1', 'a', 'V');
    const lines: ConsoleLine[] = [];
    const marks: Mark[] = [];
    const s: RecordedSession = {
      id: 's1', name: 'meter', protocolName: 'lines', consoleWatchers: 0,
      consoleSince: (cursor) => ({ lines: lines.slice(cursor), next: lines.length, lost: 0 }),
      marksSince: (cursor) => ({ marks: marks.slice(cursor), next: marks.length }),
    };
    const rec = new Recorder({ store, sessions: () => [s], file, periodMs: 1, chunkBytes: 4096 });
    await rec.start();
    const n = 2000;
    const t = Float64Array.from({ length: n }, (_, i) => T0 + i * 1e-3);
    const v = Float64Array.from({ length: n }, (_, i) => Math.sin(i));
    store.appendBulk(a, t, v, n);
    for (let i = 0; i < 20; i++) lines.push({ sessionId: 's1', dir: 'rx', t: T0 + i * 0.1, text: `line ${i}` });
    marks.push({ sessionId: 's1', t: T0 + 1, label: 'move started', severity: 'info', signal: 'a' });
    await new Promise((r) => setTimeout(r, 30));
    await rec.stop();
    good = await readFile(file);
    const handle = await open(file, 'r');
    try {
      const reader = await McapIndexedReader.Initialize({ readable: new FileHandleReadable(handle) });
      chunks = [...reader.chunkIndexes].sort((x, y) => Number(x.chunkStartOffset - y.chunkStartOffset));
      markChannel = [...reader.channelsById.values()].find((c) => c.topic === 'meter/marks')!.id;
      // The library's reader checks each chunk's CRC (it skips none: every one is set) and agrees.
      let messages = 0;
      for await (const _ of reader.readMessages()) messages++;
      expect(messages).toBe(n + 20 + 1);
    } finally {
      await handle.close();
    }
  });
  afterAll(async () => { await rm(dir, { recursive: true, force: true }); });

  /** The file with one bit flipped at `at` bytes into the records of chunk k. */
  async function flipped(k: number, at: number, bit = 0): Promise<string> {
    const c = chunks[k]!;
    const pos = Number(c.chunkStartOffset) + CHUNK_HEAD + (at % Number(c.uncompressedSize));
    const bad = Buffer.from(good);
    bad[pos]! ^= 1 << bit;
    const out = path.join(dir, `bad-${k}-${at}-${bit}.mcap`);
    await writeFile(out, bad);
    return out;
  }

  it('writes a CRC in every chunk, and the untouched file reads whole', async () => {
    expect(chunks.length).toBeGreaterThan(5);
    for (const c of chunks) {
      const crc = good.readUInt32LE(Number(c.chunkStartOffset) + 1 + 8 + 8 + 8 + 8);
      expect(crc, `chunk at byte ${c.chunkStartOffset}`).not.toBe(0);
    }
    const got = await readRecording(file);
    expect(got.signals[0]!.count).toBe(2000);
    const source = await openReplaySource(file);
    let samples = 0;
    await source.read(source.start - 1, source.end, (_ch, _t, _v, from, to) => { samples += to - from; });
    await source.close();
    expect(samples).toBe(2000);
  });

  it('a flipped byte in a sample time is noticed by the whole-file read, naming the file and the chunk', async () => {
    // Byte 15 of a message record is the low byte of its log time.
    const bad = await flipped(3, 15, 7);
    await expect(readRecording(bad)).rejects.toThrow(`${bad}: chunk 4 (messages from`);
    await expect(readRecording(bad)).rejects.toThrow(/fails its CRC check \(stored 0x[0-9a-f]{8}, computed 0x[0-9a-f]{8}\)/);
  });

  it('the replay and CSV export notice it too, naming the chunk by its byte offset', async () => {
    const bad = await flipped(2, 40);
    const source = await openReplaySource(bad);
    try {
      await expect(source.read(source.start - 1, source.end, () => undefined))
        .rejects.toThrow(`${bad}: the chunk at byte ${chunks[2]!.chunkStartOffset} (messages from`);
    } finally {
      await source.close();
    }
    await expect(streamRecordingCsv(bad, async () => undefined)).rejects.toThrow(/at byte \d+ .* fails its CRC check/);
  });

  it('a damaged chunk holding a mark is named when the replay opens (its marks are read then)', async () => {
    const k = chunks.findIndex((c) => c.messageIndexOffsets.has(markChannel));
    expect(k).toBeGreaterThanOrEqual(0);
    const bad = await flipped(k, 0, 3);
    await expect(openReplaySource(bad)).rejects.toThrow(`${bad}: the chunk at byte ${chunks[k]!.chunkStartOffset}`);
  });

  it('any single bit flipped in any chunk\'s records is noticed', async () => {
    await fc.assert(fc.asyncProperty(fc.nat(chunks.length - 1), fc.nat(), fc.integer({ min: 0, max: 7 }), async (k, at, bit) => {
      const bad = await flipped(k, at, bit);
      try {
        await expect(readRecording(bad)).rejects.toThrow(`chunk ${k + 1} (messages from`);
      } finally {
        await rm(bad);
      }
    }), { numRuns: 60 });
  });
});
