import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  COMMAND_STATUS_BYTES, decodeCommand, encodeCommand, encodeCommandStatus, encodeHeader, encodeLegacyCommand,
  HexrotDecoder, type Generation, type HexrotSink, type LegacyHeader,
} from '../../main/protocols/hexrot/codec';
import { resolveLayout } from '../../shared/api/hexrot-layout';
import { writeStruct } from '../../main/protocols/hexrot/reader';

const layout = resolveLayout('simple');

interface Seen { telemetry: number[][]; config: number[][]; status: [number, number, number, string][] }

function decoder(generation: Generation = 'current', legacyHeader: LegacyHeader = 'mjd'): { d: HexrotDecoder; seen: Seen } {
  const seen: Seen = { telemetry: [], config: [], status: [] };
  const sink: HexrotSink = {
    telemetry: (v) => seen.telemetry.push(Array.from(v)),
    config: (v) => seen.config.push(Array.from(v)),
    commandStatus: (counter, status, duration, reason) => seen.status.push([counter, status, duration, reason]),
  };
  return { d: new HexrotDecoder(layout, generation, sink, { legacyHeader }), seen };
}

function telemetryFrame(values: number[], generation: Generation = 'current', legacyHeader: LegacyHeader = 'mjd', frameId = 2): Uint8Array {
  const body = new Uint8Array(36);
  writeStruct(layout.telemetry, true, new DataView(body.buffer), 0, values);
  return Buffer.concat([encodeHeader({ frameId, counter: 0, time: 1_800_000_000.25 }, generation, legacyHeader), body]);
}

function configFrame(values: number[], generation: Generation = 'current', legacyHeader: LegacyHeader = 'mjd'): Uint8Array {
  const body = new Uint8Array(25);
  writeStruct(layout.config, true, new DataView(body.buffer), 0, values);
  return Buffer.concat([encodeHeader({ frameId: 3, counter: 0, time: 1_800_000_000 }, generation, legacyHeader), body]);
}

function statusFrame(counter: number, status: number, duration: number, reason: string): Uint8Array {
  return Buffer.concat([encodeHeader({ frameId: 1, counter, time: 0 }, 'current'), encodeCommandStatus(status, duration, reason)]);
}

/** Every byte is in a decoded frame, discarded, or pending. */
function accounted(d: HexrotDecoder): boolean {
  const c = d.counters;
  const H = d.headerSize;
  const framed = c.telemetryFrames * (H + 36) + c.configFrames * (H + 25) + c.statusFrames * (H + COMMAND_STATUS_BYTES);
  return framed + c.discardedBytes + d.pendingBytes === c.bytes;
}

describe('hexrot codec, current generation', () => {
  it('decodes config, telemetry and command status frames, byte by byte as the fact sheet lays them out', () => {
    const { d, seen } = decoder();
    const cfg = configFrame([1, -25, 25, 47]);
    const tel = telemetryFrame([7, 2, 0, 1.5, 1.25]);
    const st = statusFrame(41, 2, 0, 'Position 99.0 out of range [-25.0, 25.0].');
    expect([cfg.length, tel.length, st.length]).toEqual([24 + 25, 24 + 36, 24 + 62]);
    expect(Buffer.from(tel.subarray(0, 8))).toEqual(Buffer.from([2, 0, 0, 0, 0, 0, 0, 0]));
    d.push(Buffer.concat([cfg, tel, st]), 100);
    expect(seen.config).toEqual([[1, -25, 25, 47]]);
    expect(seen.telemetry).toEqual([[7, 2, 0, 1.5, 1.25]]);
    expect(seen.status).toEqual([[41, 2, 0, 'Position 99.0 out of range [-25.0, 25.0].']]);
    expect(d.lastCounter).toBe(41);
    expect(d.counters.frames).toBe(3);
    expect(d.lastError).toBeNull();
  });

  it('reads the header time and cuts a reason at 50 bytes', () => {
    const { d, seen } = decoder();
    d.push(telemetryFrame([0, 0, 0, 0, 0]), 1);
    expect(d.lastHeaderTime).toBeCloseTo(1_800_000_000.25, 6);
    d.push(statusFrame(1, 2, 0, 'x'.repeat(80)), 1);
    expect(seen.status[0]![3]).toBe('x'.repeat(50));
  });

  it('assembles frames split at any byte boundary into the same messages', () => {
    const stream = Buffer.concat([configFrame([0, -1, 1, 2]), telemetryFrame([1, 2, 3, 4, 5]), statusFrame(9, 1, 2.5, ''), telemetryFrame([6, 7, 8, 9, 10])]);
    fc.assert(fc.property(fc.array(fc.integer({ min: 0, max: stream.length }), { maxLength: 12 }), (cuts) => {
      const { d, seen } = decoder();
      const points = [0, ...cuts.sort((a, b) => a - b), stream.length];
      for (let i = 1; i < points.length; i++) d.push(stream.subarray(points[i - 1], points[i]), 1);
      expect(seen.telemetry).toEqual([[1, 2, 3, 4, 5], [6, 7, 8, 9, 10]]);
      expect(seen.config).toEqual([[0, -1, 1, 2]]);
      expect(seen.status).toEqual([[9, 1, 2.5, '']]);
      expect(accounted(d)).toBe(true);
    }), { numRuns: 300 });
  });

  it('reports an unknown frame id with what was expected, searches for the next header and reads on', () => {
    const { d, seen } = decoder();
    // Header with frame id 9, then 62 bytes of 0xaa, then a good frame in a later chunk.
    d.push(Buffer.concat([encodeHeader({ frameId: 9, counter: 0, time: 0 }, 'current'), new Uint8Array(62).fill(0xaa)]), 1);
    expect(d.counters.unknownFrames).toBe(1);
    expect(d.counters.resyncs).toBe(1);
    expect(d.lastError).toMatch(/unknown frame id 9 in header \[09 00 00 00/);
    expect(d.lastError).toMatch(/expected 1 \(command status\), 2 \(telemetry\) or 3 \(config\); searching for the next frame header$/);
    d.push(telemetryFrame([1, 1, 1, 1, 1]), 2);
    expect(seen.telemetry).toEqual([[1, 1, 1, 1, 1]]);
    expect(d.lastError).toMatch(/: found after 86 bytes$/);
    expect(d.counters.unknownFrames).toBe(1);
    expect(accounted(d)).toBe(true);
  });

  it('finds the next frame after stray bytes inside a chunk, losing no later frame', () => {
    const { d, seen } = decoder();
    const good = telemetryFrame([3, 3, 3, 3, 3]);
    d.push(Buffer.concat([encodeHeader({ frameId: 77, counter: 0, time: 0 }, 'current'), new Uint8Array(10), good, good]), 1);
    expect(seen.telemetry).toEqual([[3, 3, 3, 3, 3], [3, 3, 3, 3, 3]]);
    expect(d.counters.unknownFrames).toBe(1);
    expect(d.counters.discardedBytes).toBe(24 + 10);
    expect(accounted(d)).toBe(true);
  });

  it('takes a known frame id with times no clock gives for stray bytes', () => {
    const { d, seen } = decoder();
    const bad = Buffer.from(telemetryFrame([9, 9, 9, 9, 9]));
    bad.writeBigInt64LE(2_000_000_000n, 16); // tai_nsec beyond a second
    d.push(Buffer.concat([bad, telemetryFrame([4, 4, 4, 4, 4])]), 1);
    expect(seen.telemetry).toEqual([[4, 4, 4, 4, 4]]);
    expect(d.lastError).toMatch(/implausible header time for frame id 2 .*found after 60 bytes/);
  });

  it('yields the same frames and errors for any split of any stream (frames and garbage) into reads', () => {
    const segment = fc.oneof(
      fc.constant(telemetryFrame([1, 2, 3, 4, 5])), fc.constant(configFrame([0, -1, 1, 2])), fc.constant(statusFrame(4, 1, 0.5, 'ok')),
      fc.uint8Array({ maxLength: 90 }),
    );
    fc.assert(fc.property(fc.array(segment, { maxLength: 10 }), fc.array(fc.integer({ min: 0, max: 2000 }), { maxLength: 16 }), (segments, rawCuts) => {
      const stream = Buffer.concat(segments);
      const whole = decoder();
      whole.d.push(stream, 1);
      whole.d.reset();
      const split = decoder();
      const cuts = [...new Set(rawCuts.map((c) => c % (stream.length + 1)))].sort((a, b) => a - b);
      const points = [0, ...cuts, stream.length];
      for (let i = 1; i < points.length; i++) split.d.push(stream.subarray(points[i - 1], points[i]), 1);
      split.d.reset();
      expect(split.seen).toEqual(whole.seen);
      expect(split.d.counters).toEqual(whole.d.counters);
      expect(split.d.lastError).toBe(whole.d.lastError);
      expect(accounted(split.d)).toBe(true);
    }), { numRuns: 400 });
  });

  it('counts a frame cut by the end of the connection as truncated', () => {
    const { d } = decoder();
    d.push(telemetryFrame([1, 2, 3, 4, 5]).subarray(0, 40), 1);
    expect(d.pendingBytes).toBe(40);
    d.reset();
    expect(d.counters.truncatedFrames).toBe(1);
    expect(d.lastError).toMatch(/connection ended inside a 60-byte frame \(frame id 2\): 40 bytes received/);
    expect(accounted(d)).toBe(true);
  });

  it('never throws on garbage, oversized or short input, and accounts for every byte', () => {
    fc.assert(fc.property(fc.array(fc.uint8Array({ maxLength: 3000 }), { maxLength: 8 }), (chunks) => {
      const { d } = decoder();
      for (const c of chunks) d.push(c, 1);
      expect(accounted(d)).toBe(true);
      d.reset();
      expect(d.pendingBytes).toBe(0);
    }), { numRuns: 300 });
    const { d, seen } = decoder();
    const big = Buffer.concat(Array.from({ length: 20_000 }, (_, i) => telemetryFrame([i, 0, 0, 0, 0])));
    d.push(big, 1);
    expect(seen.telemetry.length).toBe(20_000);
    expect(seen.telemetry[19_999]![0]).toBe(19_999);
  });

  it('encodes a 60-byte command: commander 2, counter, code, six doubles', () => {
    const bytes = encodeCommand({ counter: 0xffffffff, code: 4, params: [12.5, -1] });
    expect(bytes.length).toBe(60);
    const b = Buffer.from(bytes);
    expect([b.readUInt32LE(0), b.readUInt32LE(4), b.readUInt32LE(8), b.readDoubleLE(12), b.readDoubleLE(20), b.readDoubleLE(52)]).toEqual([2, 0xffffffff, 4, 12.5, -1, 0]);
    expect(decodeCommand(bytes, 0, 'current')).toEqual({ commander: 2, syncPattern: 0, counter: 0xffffffff, code: 4, params: [12.5, -1, 0, 0, 0, 0] });
    const be = Buffer.from(encodeCommand({ counter: 1, code: 2, params: [3] }, false));
    expect([be.readUInt32BE(0), be.readUInt32BE(4), be.readUInt32BE(8), be.readDoubleBE(12)]).toEqual([2, 1, 2, 3]);
  });
});

describe('hexrot codec, legacy generation', () => {
  it.each([['mjd', 36], ['tai', 24]] as const)('decodes config and telemetry after the %s header (%i bytes)', (header, size) => {
    const { d, seen } = decoder('legacy', header);
    expect(d.headerSize).toBe(size);
    const tel = telemetryFrame([5, 2, 0, 3, 3], 'legacy', header);
    expect(tel.length).toBe(size + 36);
    d.push(Buffer.concat([configFrame([0, -25, 25, 47], 'legacy', header), tel]), 1);
    expect(seen.config).toEqual([[0, -25, 25, 47]]);
    expect(seen.telemetry).toEqual([[5, 2, 0, 3, 3]]);
    expect(d.lastHeaderTime).toBeCloseTo(1_800_000_000.25, 6);
  });

  it('lays the mjd header out at offsets 0, 2, 4, 8, 12, 20, 28', () => {
    const h = Buffer.from(encodeHeader({ frameId: 2, counter: 7, time: 86400 * 3 + 43200, syncPattern: 0x8888 }, 'legacy', 'mjd'));
    expect([h.readUInt16LE(0), h.readUInt16LE(2), h.readUInt32LE(4), h.readInt32LE(8), h.readDoubleLE(12), Number(h.readBigInt64LE(20)), Number(h.readBigInt64LE(28))])
      .toEqual([0x8888, 2, 7, 40590, 0.5, 86400 * 3 + 43200, 0]);
  });

  it('has no command status frame: frame id 1 is unknown there', () => {
    const { d } = decoder('legacy', 'tai');
    d.push(Buffer.concat([encodeHeader({ frameId: 1, counter: 0, time: 0 }, 'legacy', 'tai'), new Uint8Array(10)]), 1);
    expect(d.counters.unknownFrames).toBe(1);
    expect(d.lastError).toMatch(/expected 2 \(telemetry\) or 3 \(config\)/);
  });

  it.each(['mjd', 'tai'] as const)('finds its way back after 10 stray bytes, in any split of the stream into reads (%s header)', (header) => {
    const frames = [configFrame([1, -25, 25, 47], 'legacy', header), ...Array.from({ length: 6 }, (_, i) => telemetryFrame([i, 2, 0, i / 2, i], 'legacy', header))];
    fc.assert(fc.property(
      fc.uint8Array({ minLength: 10, maxLength: 10 }),
      fc.integer({ min: 1, max: 6 }),
      fc.array(fc.integer({ min: 0, max: 1000 }), { maxLength: 20 }),
      (stray, after, rawCuts) => {
        const stream = Buffer.concat([...frames.slice(0, after), stray, ...frames.slice(after)]);
        const whole = decoder('legacy', header);
        whole.d.push(stream, 1);
        const split = decoder('legacy', header);
        const cuts = [...new Set(rawCuts.map((c) => c % (stream.length + 1)))].sort((a, b) => a - b);
        const points = [0, ...cuts, stream.length];
        for (let i = 1; i < points.length; i++) split.d.push(stream.subarray(points[i - 1], points[i]), 1);
        expect(split.seen).toEqual(whole.seen);
        expect(split.d.counters).toEqual(whole.d.counters);
        expect(split.d.lastError).toBe(whole.d.lastError);
        // Every frame after the stray bytes is decoded: none is lost for them.
        const later = frames.length - after;
        expect(whole.seen.telemetry.slice(-later).map((v) => v[0])).toEqual(Array.from({ length: later }, (_, i) => after - 1 + i));
        expect(accounted(split.d)).toBe(true);
      },
    ), { numRuns: 400 });
  });

  it('encodes a 58-byte command: sync_pattern, counter, code, six doubles at offsets 0, 2, 6, 10', () => {
    const b = Buffer.from(encodeLegacyCommand({ counter: 3, code: 4, params: [1, 2, 3, 4, 5, 6] }, 0x1234));
    expect(b.length).toBe(58);
    expect([b.readUInt16LE(0), b.readUInt32LE(2), b.readUInt32LE(6), b.readDoubleLE(10), b.readDoubleLE(50)]).toEqual([0x1234, 3, 4, 1, 6]);
    expect(decodeCommand(b, 0, 'legacy')).toEqual({ commander: 0, syncPattern: 0x1234, counter: 3, code: 4, params: [1, 2, 3, 4, 5, 6] });
  });
});
