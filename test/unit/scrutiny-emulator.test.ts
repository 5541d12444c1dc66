// The emulated scrutiny-embedded device, byte for byte: session rules, heartbeat,
// parameters, memory regions, RPVs and the datalogger with every trigger condition.
import { describe, expect, it } from 'vitest';
import { FrameDecoder } from '../../main/protocols/scrutiny/codec';
import { CommControl, DataLogControl, GetInfo } from '../../main/protocols/scrutiny/commands';
import { crc32 } from '../../main/protocols/scrutiny/crc32';
import { DL_CONDITIONS, encodeDlConfig, type DlConfig, type DlOperand } from '../../main/protocols/scrutiny/datalog-config';
import { requests, responses } from '../../main/protocols/scrutiny/messages';
import { EmulatedScrutinyDevice, type DeviceParams } from '../../main/protocols/scrutiny/emulator-device';
import { EMU_BASE, EMU_FORBIDDEN, EMU_READONLY, emuVariable } from '../../main/protocols/scrutiny/emulator-memory';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

/** A device and a way to send it request frames through its own receiver, at a chosen time. */
function bench(params: Partial<DeviceParams> = {}) {
  const dev = new EmulatedScrutinyDevice(params);
  let now = 100;
  let reply: Uint8Array | null = null;
  const rx: FrameDecoder = dev.decoder('test', (cmd, subfn, payload, t) => {
    reply = dev.handle('peer', cmd, subfn, payload, t);
  });
  const send = (frame: Uint8Array, at = now): Uint8Array | null => {
    reply = null;
    now = at;
    rx.reset();
    rx.push(frame, at);
    return reply;
  };
  /** The response's payload when OK; throws with the code otherwise. */
  const ok = (frame: Uint8Array): Uint8Array => {
    const r = send(frame);
    if (!r) throw new Error('no answer');
    if (r[2] !== 0) throw new Error(`code ${r[2]}`);
    return r.subarray(5, r.length - 4);
  };
  const code = (frame: Uint8Array): number | null => send(frame)?.[2] ?? null;
  const connect = (): number => responses.connect(ok(requests.connect())).ok ? Buffer.from(ok(requests.getParams()).buffer).length && dev.sessionId! : 0;
  const run = (seconds: number) => {
    // Advance the firmware's loops by whole milliseconds.
    for (let i = 0; i < seconds * 1000; i += 5) dev.run(0.005 * (i / 5 + 1) + runBase, runBase);
    runBase += seconds;
  };
  let runBase = 0;
  return { dev, send, ok, code, connect, run, at: (t: number) => { now = t; } };
}

describe('scrutiny emulated device', () => {
  it('answers only Discover (with its magic) and Connect without a session', () => {
    const b = bench();
    expect(b.send(requests.getParams())).toBeNull();
    expect(b.send(requests.getInfo(GetInfo.ProtocolVersion))).toBeNull();
    expect(b.send(requests.readRpv([0x1000]))).toBeNull();
    const wrongMagic = requests.getInfo(0, Uint8Array.of(1, 2, 3, 4));
    wrongMagic[0] = 2;
    wrongMagic[1] = CommControl.Discover;
    expect(b.send(Uint8Array.from([...wrongMagic.subarray(0, 8), ...u32be(crc32(wrongMagic, 0, 8))]))).toBeNull();
    const d = b.send(requests.discover())!;
    expect(hex(d.subarray(0, 5))).toBe(`82010000${(18 + 1 + 35).toString(16)}`);
    expect(responses.discover(d.subarray(5, d.length - 4))).toMatchObject({ ok: true, value: { protocolMajor: 1, protocolMinor: 0, displayName: 'Benchscope emulated scrutiny device' } });
    expect(crc32(d, 0, d.length - 4)).toBe(Buffer.from(d).readUInt32BE(d.length - 4));
  });

  it('opens one session: Connect echoes the magic and a session id, a second Connect gets Busy with no payload', () => {
    const b = bench();
    const r = b.send(requests.connect())!;
    expect(hex(r.subarray(0, 9))).toBe('820400000882902266');
    expect(Buffer.from(r).readUInt32BE(9)).toBe(b.dev.sessionId);
    const busy = b.send(requests.connect())!;
    expect(hex(busy)).toBe(hex(Uint8Array.from([0x82, 4, 4, 0, 0, ...u32be(crc32(Uint8Array.of(0x82, 4, 4, 0, 0)))])));
  });

  it('answers a heartbeat with ~challenge, refuses a wrong session id or a repeated challenge, and drops the session after its timeout', () => {
    const b = bench({ heartbeatTimeoutUs: 1_000_000 });
    b.ok(requests.connect());
    const id = b.dev.sessionId!;
    expect(hex(b.ok(requests.heartbeat(id, 0x1234)))).toBe(`${id.toString(16).padStart(8, '0')}edcb`);
    expect(b.code(requests.heartbeat(id, 0x1234))).toBe(1); // same challenge as last time
    expect(b.code(requests.heartbeat(id ^ 1, 0x1235))).toBe(1);
    b.ok(requests.heartbeat(id, 0x1235));
    b.at(100.9);
    b.ok(requests.heartbeat(id, 0x1236)); // within the timeout: session kept alive
    b.at(102.0); // 1.1 s of silence
    expect(b.send(requests.heartbeat(id, 0x1237))).toBeNull();
    expect(b.dev.sessionId).toBeNull();
    expect(b.dev.counters.sessionsExpired).toBe(1);
    b.ok(requests.connect());
  });

  it('gives its parameters in 18 bytes and frees the session on Disconnect', () => {
    const b = bench({ rxBufferSize: 128, txBufferSize: 200, maxBitrate: 100_000 });
    b.ok(requests.connect());
    expect(hex(b.ok(requests.getParams()))).toBe('008000c8000186a0004c4b400000c3500408');
    expect(b.code(requests.disconnect(b.dev.sessionId! ^ 0xff))).toBe(1);
    b.ok(requests.disconnect(b.dev.sessionId!));
    expect(b.dev.sessionId).toBeNull();
    expect(b.send(requests.getParams())).toBeNull();
  });

  it('ignores a request larger than its receive buffer', () => {
    const b = bench({ rxBufferSize: 32 });
    b.ok(requests.connect());
    expect(b.send(requests.readRpv(Array.from({ length: 17 }, () => 0x1000)))).toBeNull();
    expect(b.send(requests.readRpv(Array.from({ length: 16 }, () => 0x1000)))).not.toBeNull();
  });

  it('describes its regions, RPVs and loops', () => {
    const b = bench();
    b.ok(requests.connect());
    expect(hex(b.ok(requests.getInfo(GetInfo.SupportedFeatures)))).toBe('f0');
    expect(hex(b.ok(requests.getInfo(GetInfo.SpecialMemoryRegionCount)))).toBe('0101');
    expect(hex(b.ok(requests.regionLocation(1, 0)))).toBe(`0100${EMU_FORBIDDEN.start.toString(16)}${EMU_FORBIDDEN.end.toString(16)}`);
    expect(b.code(requests.regionLocation(0, 1))).toBe(5);
    expect(hex(b.ok(requests.rpvDefinition(0, 2)))).toBe('100022' + '100112');
    expect(b.code(requests.rpvDefinition(5, 10))).toBe(5);
    expect(responses.loopDefinition(b.ok(requests.loopDefinition(0)))).toEqual({ ok: true, value: { id: 0, type: 0, dataloggingAllowed: true, timestep100ns: 10000, name: 'Control 1kHz' } });
    expect(responses.loopDefinition(b.ok(requests.loopDefinition(1)))).toMatchObject({ ok: true, value: { type: 1, timestep100ns: null } });
  });

  it('reads memory, refusing forbidden regions (Forbidden) and responses beyond its tx buffer (Overflow)', () => {
    const b = bench({ txBufferSize: 64 });
    b.ok(requests.connect());
    const r = b.ok(requests.readMemory([{ address: EMU_READONLY.start, length: 4 }], 4));
    expect(hex(r)).toBe(`${EMU_READONLY.start.toString(16)}0004` + '03020100');
    expect(b.code(requests.readMemory([{ address: EMU_FORBIDDEN.end, length: 1 }], 4))).toBe(6);
    expect(b.code(requests.readMemory([{ address: EMU_FORBIDDEN.start - 2, length: 4 }], 4))).toBe(6);
    expect(b.code(requests.readMemory([{ address: EMU_BASE, length: 58 }], 4))).toBe(0);
    expect(b.code(requests.readMemory([{ address: EMU_BASE, length: 59 }], 4))).toBe(3);
  });

  it('writes memory and masked memory, refusing read-only and forbidden ranges and a device without writes', () => {
    const b = bench();
    b.ok(requests.connect());
    const addr = emuVariable('/global/demo/setpoint').address;
    expect(hex(b.ok(requests.writeMemory([{ address: addr, data: Uint8Array.of(1, 2, 3, 4) }], 4, false)))).toBe(`${addr.toString(16)}0004`);
    b.ok(requests.writeMemory([{ address: addr, data: Uint8Array.of(0xff, 0xff, 0, 0), mask: Uint8Array.of(0x0f, 0xf0, 0, 0) }], 4, true));
    expect(hex(b.ok(requests.readMemory([{ address: addr, length: 4 }], 4)).subarray(6))).toBe('0ff20304');
    expect(b.code(requests.writeMemory([{ address: EMU_READONLY.start + 2, data: Uint8Array.of(0) }], 4, false))).toBe(6);
    expect(b.code(requests.writeMemory([{ address: EMU_FORBIDDEN.start - 1, data: Uint8Array.of(0, 0) }], 4, false))).toBe(6);
    const ro = bench({ memoryWrite: false });
    ro.ok(requests.connect());
    expect(ro.code(requests.writeMemory([{ address: addr, data: Uint8Array.of(0) }], 4, false))).toBe(6);
    expect(ro.code(requests.writeRpv([{ id: 0x1005, type: 0x10, value: 3 }]))).toBe(6);
  });

  it('reads RPVs big-endian and writes them back', () => {
    const b = bench();
    b.ok(requests.connect());
    expect(hex(b.ok(requests.writeRpv([{ id: 0x1006, type: 0x22, value: -2.5 }, { id: 0x1005, type: 0x10, value: 200 }])))).toBe('100604' + '100501');
    expect(hex(b.ok(requests.readRpv([0x1006, 0x1005])))).toBe('1006c0200000' + '1005c8');
    expect(b.code(requests.readRpv([0x7777]))).toBe(1);
  });

  it('runs the user command (the emulated application reverses the payload)', () => {
    const b = bench();
    b.ok(requests.connect());
    expect(hex(b.ok(requests.userCommand(3, Uint8Array.of(1, 2, 3))))).toBe('030201');
  });
});

describe('scrutiny emulated datalogger', () => {
  const counter = emuVariable('/global/demo/counter').address;
  const flags = emuVariable('/global/demo/flags/level').address;

  function configure(b: ReturnType<typeof bench>, cfg: Partial<DlConfig>): number | null {
    const c: DlConfig = {
      loopId: 0, configId: 1, decimation: 1, probeLocation: 128, timeout100ns: 0, condition: 0, holdTime100ns: 0,
      operands: [], signals: [{ kind: 'memory', address: counter, size: 4 }, { kind: 'time' }], ...cfg,
    };
    return b.code(requests.datalog(DataLogControl.Configure, encodeDlConfig(c, 4)));
  }

  function status(b: ReturnType<typeof bench>) {
    const r = responses.datalogStatus(b.ok(requests.datalog(DataLogControl.GetStatus)));
    if (!r.ok) throw new Error(r.error);
    return r.value;
  }

  it('refuses Arm before Configure and a loop that does not allow datalogging', () => {
    const b = bench();
    b.ok(requests.connect());
    expect(hex(b.ok(requests.datalog(DataLogControl.GetSetup)))).toBe('000010000020');
    expect(b.code(requests.datalog(DataLogControl.Arm))).toBe(5);
    expect(configure(b, { loopId: 2 })).toBe(6);
    expect(configure(b, { signals: [{ kind: 'memory', address: EMU_FORBIDDEN.start, size: 4 }] })).toBe(6);
    expect(configure(b, {})).toBe(0);
    expect(status(b).state).toBe(1);
  });

  const literal = (value: number): DlOperand => ({ kind: 'literal', value });
  const counterOp: DlOperand = { kind: 'var', type: 0x12, address: counter };
  // Each condition with operands that become true once the counter passed ~300 iterations.
  const cases: [typeof DL_CONDITIONS[number], DlOperand[], (c: number) => boolean][] = [
    ['alwaysTrue', [], () => true],
    ['eq', [{ kind: 'rpv', id: 0x1003 }, literal(0)], (c) => c % 2000 === 1000],
    ['neq', [{ kind: 'var', type: 0x00, address: emuVariable('/global/demo/motor/mode').address }, literal(0)], () => true],
    ['lt', [literal(300), counterOp], (c) => c > 300],
    ['lte', [literal(300), counterOp], (c) => c >= 300],
    ['gt', [counterOp, literal(300)], (c) => c > 300],
    ['gte', [counterOp, literal(300)], (c) => c >= 300],
    ['changeMoreThan', [{ kind: 'varbit', type: 0x12, address: flags, bitOffset: 8, bitSize: 8 }, literal(-100)], () => true],
    ['isWithin', [{ kind: 'rpv', id: 0x1003 }, literal(500), literal(10)], (c) => Math.abs(500 - (c % 2000)) <= 10],
  ];

  it('evaluates changeMoreThan as scrutiny-embedded: against the previous evaluation, the delta truncated for an integer operand', () => {
    const armed = (delta: number) => {
      const b = bench();
      b.ok(requests.connect());
      b.run(0.05);
      expect(configure(b, { condition: DL_CONDITIONS.indexOf('changeMoreThan'), operands: [counterOp, literal(delta)], probeLocation: 255 })).toBe(0);
      b.ok(requests.datalog(DataLogControl.Arm));
      b.run(1.5);
      return status(b).state;
    };
    // The counter goes up by exactly 1 per iteration: "more than 1" never holds ...
    expect(armed(1)).toBe(2);
    // ... 0.5 truncates to 0 for a uint32 operand, and +1 is more than 0.
    expect(armed(0.5)).toBe(4);
    // A negative delta looks for a drop: the counter never drops.
    expect(armed(-1)).toBe(2);
  });

  for (const [condition, operands, accepts] of cases) {
    it(`triggers on ${condition} and completes with the trigger in its acquisition`, () => {
      const b = bench();
      b.ok(requests.connect());
      b.run(0.2);
      expect(configure(b, { condition: DL_CONDITIONS.indexOf(condition), operands, probeLocation: 255 })).toBe(0);
      b.ok(requests.datalog(DataLogControl.Arm));
      expect(status(b).state).toBe(2);
      b.run(3);
      const st = status(b);
      expect(st.state).toBe(4);
      expect(st.writeCounterSinceTrigger).toBe(st.bytesToAcquireAfterTrigger);
      const meta = responses.acquisitionMetadata(b.ok(requests.datalog(DataLogControl.GetAcquisitionMetadata)));
      if (!meta.ok) throw new Error(meta.error);
      // probe 255 = everything before the trigger: the trigger is the last point.
      expect(meta.value.pointsAfterTrigger).toBe(1);
      const data = readAll(b);
      expect(data.length).toBe(meta.value.dataSize);
      const lastCounter = Buffer.from(data).readUInt32LE(data.length - 8);
      if (condition === 'changeMoreThan') {
        // The phase bits wrap from 255 to 0: a change of -255, more negative than -100.
        expect(lastCounter % 256).toBe(0);
      } else {
        expect(accepts(lastCounter), `counter ${lastCounter} at the trigger`).toBe(true);
      }
      // The trigger is looked for once the buffer holds what comes before it: the whole buffer here.
      expect(data.length).toBe(4096);
      // Entries are consecutive loop iterations, time in 100 ns steps of 1 ms.
      const t0 = Buffer.from(data).readUInt32BE(4);
      const t1 = Buffer.from(data).readUInt32BE(12);
      expect(t1 - t0).toBe(10_000);
    });
  }

  it('holds a condition for its hold time before triggering', () => {
    const b = bench();
    b.ok(requests.connect());
    b.run(0.1);
    // Counter >= 1000 from iteration 1000; held 50 ms -> trigger at 1050.
    configure(b, { condition: DL_CONDITIONS.indexOf('gte'), operands: [counterOp, literal(1000)], probeLocation: 255, holdTime100ns: 500_000 });
    b.ok(requests.datalog(DataLogControl.Arm));
    b.run(1.5);
    const data = readAll(b);
    expect(Buffer.from(data).readUInt32LE(data.length - 8)).toBe(1050);
  });

  it('sends the acquisition in chunks within its tx buffer with a rolling counter and a final CRC of all data', () => {
    const b = bench({ txBufferSize: 64 });
    b.ok(requests.connect());
    configure(b, { probeLocation: 0 });
    b.ok(requests.datalog(DataLogControl.Arm));
    b.run(1);
    const chunks: Uint8Array[] = [];
    for (;;) {
      const r = b.send(requests.datalog(DataLogControl.ReadAcquisition))!;
      expect(r.length - 9).toBeLessThanOrEqual(64);
      const c = b.ok(requests.datalog(DataLogControl.GetStatus)) && r.subarray(5, r.length - 4);
      chunks.push(c);
      if (c[0] === 1) break;
    }
    expect(chunks.map((c) => c[1])).toEqual(chunks.map((_, i) => i));
    const data = Buffer.concat(chunks.map((c, i) => c.subarray(4, i === chunks.length - 1 ? c.length - 4 : c.length)));
    expect(data.length).toBe(4096 - (4096 % 8));
    expect(Buffer.from(chunks.at(-1)!).readUInt32BE(chunks.at(-1)!.length - 4)).toBe(crc32(data));
  });

  function readAll(b: ReturnType<typeof bench>): Uint8Array {
    const parts: Uint8Array[] = [];
    for (let i = 0; i < 1000; i++) {
      const c = b.ok(requests.datalog(DataLogControl.ReadAcquisition));
      if (c[0] === 1) {
        parts.push(c.subarray(4, c.length - 4));
        const data = Buffer.concat(parts);
        expect(Buffer.from(c).readUInt32BE(c.length - 4)).toBe(crc32(data));
        return data;
      }
      parts.push(c.subarray(4));
    }
    throw new Error('never finished');
  }
});

function u32be(v: number): number[] {
  return [v >>> 24, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff];
}
