// The Scrutiny codec: framing both ways, CRC-32, resync on bad input, payloads.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeRequest, encodeResponse, FrameDecoder } from '../../main/protocols/scrutiny/codec';
import { Cmd, CommControl, GetInfo, ResponseCode } from '../../main/protocols/scrutiny/commands';
import { crc32 } from '../../main/protocols/scrutiny/crc32';
import { decodeDlConfig, encodeDlConfig, type DlConfig } from '../../main/protocols/scrutiny/datalog-config';
import { requests, responses, walkRpvValues } from '../../main/protocols/scrutiny/messages';
import { decodeValue, encodeValue, typeByte, typeFromName, typeName } from '../../main/protocols/scrutiny/value-types';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

interface Got { cmd: number; subfn: number; code: number; payload: string }

function responseDecoder(maxPayload = 1024) {
  const frames: Got[] = [];
  const d = new FrameDecoder({ kind: 'response', maxPayload, rxTimeoutS: 0.05, source: 'udp 127.0.0.1:8765' },
    (cmd, subfn, code, payload) => frames.push({ cmd, subfn, code, payload: hex(payload) }));
  return { d, frames };
}

describe('scrutiny framing', () => {
  it('encodes Discover exactly as the fact sheet shows, CRC included', () => {
    expect(hex(requests.discover())).toBe('020100047e18fc68164517dc');
    expect(hex(encodeRequest(Cmd.CommControl, CommControl.Discover, Uint8Array.of(0x7e, 0x18, 0xfc, 0x68)))).toBe('020100047e18fc68164517dc');
  });

  it('uses the zlib CRC-32 and can continue a running CRC', () => {
    const b = new TextEncoder().encode('123456789');
    expect(crc32(b)).toBe(0xcbf43926);
    expect(crc32(b, 4, 9, crc32(b, 0, 4))).toBe(0xcbf43926);
  });

  it('lays out a response with the direction bit, code and length, and drops the payload of a non-OK one', () => {
    const ok = encodeResponse(Cmd.MemoryControl, 4, ResponseCode.OK, Uint8Array.of(1, 2, 3));
    expect(hex(ok.subarray(0, 8))).toBe('8304000003010203');
    expect(crc32(ok, 0, 8)).toBe(Buffer.from(ok.subarray(8)).readUInt32BE(0));
    const busy = encodeResponse(Cmd.CommControl, CommControl.Connect, ResponseCode.Busy, Uint8Array.of(9, 9));
    expect(hex(busy.subarray(0, 5))).toBe('8204040000');
    expect(busy.length).toBe(9);
  });

  it('decodes frames whatever the chunking, interleaved with garbage, and counts what it skipped', () => {
    const frameArb = fc.record({
      cmd: fc.integer({ min: 1, max: 5 }), subfn: fc.integer({ min: 0, max: 255 }), code: fc.integer({ min: 0, max: 6 }),
      payload: fc.uint8Array({ maxLength: 64 }),
    });
    // Garbage that cannot start a response (bit 7 clear) so that every frame survives.
    const garbageArb = fc.uint8Array({ maxLength: 8 }).map((g) => g.map((x) => x & 0x7f));
    fc.assert(fc.property(fc.array(fc.tuple(garbageArb, frameArb), { maxLength: 10 }), fc.integer({ min: 1, max: 13 }), (items, cut) => {
      const parts: Uint8Array[] = [];
      let garbage = 0;
      for (const [g, f] of items) {
        parts.push(g, encodeResponse(f.cmd, f.subfn, f.code, f.payload));
        garbage += g.length;
      }
      const all = Buffer.concat(parts);
      const { d, frames } = responseDecoder();
      for (let i = 0; i < all.length; i += cut) d.push(all.subarray(i, i + cut), 1);
      expect(frames.map((f) => [f.cmd, f.subfn, f.code, f.payload])).toEqual(
        items.map(([, f]) => [f.cmd, f.subfn, f.code, f.code === 0 ? hex(f.payload) : '']));
      expect(d.counters.garbageBytes).toBe(garbage);
    }));
  });

  it('never throws and never delivers a frame with a wrong CRC from arbitrary bytes', () => {
    fc.assert(fc.property(fc.array(fc.uint8Array({ maxLength: 300 }), { maxLength: 8 }), (chunks) => {
      const { d, frames } = responseDecoder(128);
      for (const c of chunks) d.push(c, 1);
      for (const f of frames) expect(f.payload.length / 2).toBeLessThanOrEqual(128);
    }));
  });

  it('counts a bad CRC, resyncs and decodes the next good frame', () => {
    const good = encodeResponse(Cmd.GetInfo, GetInfo.RPVCount, 0, Uint8Array.of(0, 7));
    const bad = Uint8Array.from(good);
    bad[bad.length - 1]! ^= 0xff;
    const { d, frames } = responseDecoder();
    d.push(Buffer.concat([bad, good]), 1);
    expect(frames).toHaveLength(1);
    expect(frames[0]!.payload).toBe('0007');
    expect(d.counters.badCrc).toBe(1);
    expect(d.counters.resyncs).toBe(1);
    expect(d.lastError).toMatch(/udp 127\.0\.0\.1:8765: received GetInfo\.RPVCount with CRC 0x[0-9a-f]{8} \(computed 0x[0-9a-f]{8}\)/);
  });

  it('refuses an announced length above the receive buffer without waiting for it', () => {
    const big = encodeResponse(Cmd.MemoryControl, 1, 0, new Uint8Array(300));
    const small = encodeResponse(Cmd.CommControl, CommControl.Heartbeat, 0, Uint8Array.of(0, 0, 0, 1, 0xff, 0xfe));
    const { d, frames } = responseDecoder(256);
    d.push(Buffer.concat([big, small]), 1);
    expect(d.counters.oversized).toBeGreaterThanOrEqual(1);
    expect(frames.at(-1)).toEqual({ cmd: 2, subfn: 2, code: 0, payload: '00000001fffe' });
    expect(d.lastError).toContain('announcing 300 data bytes (at most 256 expected)');
  });

  it('drops a truncated frame after the receive timeout and decodes what follows', () => {
    const f = encodeResponse(Cmd.CommControl, CommControl.GetParams, 0, new Uint8Array(18));
    const { d, frames } = responseDecoder();
    d.push(f.subarray(0, 10), 1.0);
    d.push(f, 1.2); // 200 ms later: the half frame is stale
    expect(frames).toHaveLength(1);
    expect(d.counters.timeouts).toBe(1);
  });

  it('rejects a bad response code and a request on the response side', () => {
    const { d, frames } = responseDecoder();
    const badCode = encodeResponse(1, 1, 0, Uint8Array.of(1, 0));
    badCode[2] = 9;
    d.push(Buffer.concat([badCode, requests.discover()]), 1);
    expect(frames).toHaveLength(0);
    expect(d.counters.badHeaders).toBeGreaterThan(0);
  });

  it('decodes requests on the device side with its own buffer limit', () => {
    const got: string[] = [];
    const d = new FrameDecoder({ kind: 'request', maxPayload: 16, rxTimeoutS: 0.05, source: 'device' }, (cmd, subfn, code, p) => got.push(`${cmd}/${subfn}/${code}/${hex(p)}`));
    d.push(Buffer.concat([requests.readRpv(Array.from({ length: 20 }, (_, i) => i)), requests.connect()]), 1);
    expect(got).toEqual(['2/4/-1/82902266']);
    expect(d.counters.oversized).toBeGreaterThanOrEqual(1);
  });
});

describe('scrutiny payloads', () => {
  it('parses Discover, refusing a name longer than 64 bytes', () => {
    const name = new TextEncoder().encode('board');
    const p = Buffer.concat([Uint8Array.of(1, 0), new Uint8Array(16).fill(0xab), Uint8Array.of(name.length), name]);
    expect(responses.discover(p)).toEqual({ ok: true, value: { protocolMajor: 1, protocolMinor: 0, firmwareId: 'ab'.repeat(16), displayName: 'board' } });
    const long = Buffer.concat([Uint8Array.of(1, 0), new Uint8Array(16), Uint8Array.of(65), new Uint8Array(65)]);
    expect(responses.discover(long)).toEqual({ ok: false, error: 'Discover response: name length 65 (at most 64 expected)' });
  });

  it('reports a truncated or overlong payload with what was received and expected', () => {
    expect(responses.getParams(new Uint8Array(17))).toEqual({ ok: false, error: 'GetParams response: received 17 bytes where at least 18 were expected' });
    const params = Buffer.from('0100020000000000004c4b400000c35004' + '08', 'hex');
    expect(responses.getParams(params)).toEqual({ ok: true, value: {
      rxBufferSize: 256, txBufferSize: 512, maxBitrate: 0, heartbeatTimeoutUs: 5_000_000, rxTimeoutUs: 50_000, addressSize: 4, charBit: 8,
    } });
    expect(responses.getParams(Buffer.concat([params, Uint8Array.of(0)]))).toEqual({ ok: false, error: 'GetParams response: received 19 bytes where 18 were expected' });
    expect(responses.connect(Uint8Array.of(1, 2, 3, 4, 0, 0, 0, 1))).toMatchObject({ ok: false, error: expect.stringContaining('magic 01020304 (expected 82902266)') });
  });

  it('parses loops with and without a timestep, and regions in the address size', () => {
    expect(responses.loopDefinition(Buffer.from('00008000002710' + '03' + '616263', 'hex'))).toEqual({ ok: true, value: { id: 0, type: 0, dataloggingAllowed: true, timestep100ns: 10000, name: 'abc' } });
    expect(responses.loopDefinition(Buffer.from('0101000178', 'hex'))).toEqual({ ok: true, value: { id: 1, type: 1, dataloggingAllowed: false, timestep100ns: null, name: 'x' } });
    expect(responses.regionLocation(Buffer.from('01001000101fff', 'hex'), 2)).toEqual({ ok: false, error: expect.stringContaining('received') });
    expect(responses.regionLocation(Buffer.from('010010001fff', 'hex'), 2)).toEqual({ ok: true, value: { type: 1, index: 0, start: 0x1000, end: 0x1fff } });
    expect(responses.regionLocation(Buffer.from('0000' + '0000000012345678' + '00000000123456ff', 'hex'), 8)).toMatchObject({ ok: true, value: { start: 0x12345678, end: 0x123456ff } });
  });

  it('encodes typed values both endiannesses and names types as the sheet does', () => {
    expect(typeByte('uint', 4)).toBe(0x12);
    expect(typeByte('float', 4)).toBe(0x22);
    expect(typeName(0x22)).toBe('float32');
    expect(typeFromName('sint16')).toBe(0x01);
    for (const [name, v] of [['sint8', -5], ['uint16', 65000], ['sint32', -123456], ['uint32', 4e9], ['float32', 1.5], ['float64', Math.PI], ['sint64', -(2 ** 40)], ['uint64', 2 ** 52], ['bool8', 1]] as const) {
      const t = typeFromName(name)!;
      for (const little of [true, false]) {
        const b = new Uint8Array(8);
        encodeValue(b, 0, t, little, v);
        expect(decodeValue(b, 0, t, little)).toBe(v);
      }
    }
    const be = new Uint8Array(4);
    encodeValue(be, 0, 0x12, false, 0x01020304);
    expect(hex(be)).toBe('01020304');
  });

  it('walks ReadRPV values and names a short or unknown entry', () => {
    const types: Record<number, number> = { 0x1000: 0x22, 0x1001: 0x11 };
    const got: [number, number][] = [];
    const ok = Buffer.from('1000' + '3fc00000' + '1001' + 'beef', 'hex');
    expect(walkRpvValues(ok, (id) => types[id] ?? -1, (id, v) => got.push([id, v]))).toBeNull();
    expect(got).toEqual([[0x1000, 1.5], [0x1001, 0xbeef]]);
    expect(walkRpvValues(Buffer.from('1000' + '3fc000', 'hex'), (id) => types[id] ?? -1, () => {})).toBe('ReadRPV response: RPV 0x1000 with 3 value bytes (4 expected)');
    expect(walkRpvValues(Buffer.from('2000' + '00', 'hex'), (id) => types[id] ?? -1, () => {})).toContain('RPV 0x2000 that the device did not define');
  });

  it('round-trips a datalogging configuration with every operand and signal kind', () => {
    const c: DlConfig = {
      loopId: 1, configId: 7, decimation: 3, probeLocation: 128, timeout100ns: 1e6, condition: 8, holdTime100ns: 20,
      operands: [{ kind: 'var', type: 0x22, address: 0x20000000 }, { kind: 'literal', value: 0.5 }, { kind: 'varbit', type: 0x12, address: 0x20000018, bitOffset: 1, bitSize: 4 }],
      signals: [{ kind: 'memory', address: 0x20000004, size: 4 }, { kind: 'rpv', id: 0x1000 }, { kind: 'time' }],
    };
    const p = encodeDlConfig(c, 4);
    expect(hex(p.subarray(0, 16))).toBe('010007000380000f4240080000001403');
    expect(decodeDlConfig(p, 4)).toEqual({ ok: true, value: c });
    expect(decodeDlConfig(p.subarray(0, p.length - 1), 4).ok).toBe(false);
    const fourOps = Uint8Array.from(p);
    fourOps[15] = 4;
    expect(decodeDlConfig(fourOps, 4)).toEqual({ ok: false, error: 'DataLogControl.Configure request: 4 operands (at most 3 expected)' });
  });
});
