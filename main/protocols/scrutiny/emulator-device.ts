// The device side of the Scrutiny protocol, as scrutiny-embedded behaves: it answers
// requests from its receive buffer, holds at most one session, checks heartbeats,
// enforces memory regions and buffer sizes, and runs the datalogger. Transport-free:
// emulator.ts puts it on UDP, TCP or a serial port.
import { encodeResponse, FrameDecoder } from './codec';
import { Cmd, CommControl, CONNECT_MAGIC, DataLogControl, DISCOVER_MAGIC, GetInfo, MemoryControl, ResponseCode } from './commands';
import { crc32 } from './crc32';
import { decodeDlConfig, type DlConfig } from './datalog-config';
import { fromHex } from './hex';
import { PayloadWriter } from './payload';
import { decodeValue, encodeValue, typeSize } from './value-types';
import {
  EMU_BASE, EMU_DISPLAY_NAME, EMU_FIRMWARE_ID, EMU_FORBIDDEN, EMU_LOOPS, EMU_MEMORY_SIZE, EMU_READONLY, EMU_RPVS,
  EmuMemory,
} from './emulator-memory';

export interface DeviceParams {
  rxBufferSize: number;
  txBufferSize: number;
  maxBitrate: number;
  heartbeatTimeoutUs: number;
  rxTimeoutUs: number;
  memoryWrite: boolean;
  datalogging: boolean;
  userCommand: boolean;
  dataloggingBufferSize: number;
  maxSignals: number;
}

export const DEFAULT_DEVICE_PARAMS: DeviceParams = {
  rxBufferSize: 256,
  txBufferSize: 256,
  maxBitrate: 0,
  heartbeatTimeoutUs: 5_000_000,
  rxTimeoutUs: 50_000,
  memoryWrite: true,
  datalogging: true,
  userCommand: true,
  dataloggingBufferSize: 4096,
  maxSignals: 32,
};

const ADDRESS_SIZE = 4;
const DL_STATE = { idle: 0, configured: 1, armed: 2, triggered: 3, completed: 4, error: 5 } as const;
type Reply = Uint8Array | null;

/** A peer the device talks to (a UDP sender, a TCP connection, the serial port). */
export type PeerId = string;

export class EmulatedScrutinyDevice {
  readonly params: DeviceParams;
  readonly memory = new EmuMemory();
  /** `overlapping`: requests received while an earlier one of the same peer still waited for its answer (a paced device). */
  readonly counters = { requests: 0, answered: 0, ignored: 0, sessionsOpened: 0, sessionsExpired: 0, heartbeats: 0, overlapping: 0 };
  /** Faults a test can inject: a wrong CRC at the end of acquisition downloads; GetParams answers one byte short (a count). */
  readonly faults = { acquisitionCrc: false, shortGetParams: 0 };
  /** While true the device answers nothing (tests: a hung firmware). */
  mute = false;
  private session: { id: number; peer: PeerId; lastHeartbeat: number; lastChallenge: number | null } | null = null;
  private readonly dl = new Datalogger(this);

  constructor(params: Partial<DeviceParams> = {}) {
    const given = Object.fromEntries(Object.entries(params).filter(([, v]) => v !== undefined));
    this.params = { ...DEFAULT_DEVICE_PARAMS, ...given };
  }

  get sessionId(): number | null {
    return this.session?.id ?? null;
  }

  get dataloggerState(): number {
    return this.dl.state;
  }

  /** A decoder for one peer's byte stream: bad CRC and oversized requests are dropped silently. */
  decoder(source: string, onFrame: (cmd: number, subfn: number, payload: Uint8Array, t: number) => void): FrameDecoder {
    return new FrameDecoder(
      { kind: 'request', maxPayload: this.params.rxBufferSize, rxTimeoutS: this.params.rxTimeoutUs / 1e6, source },
      (cmd, subfn, _code, payload, t) => onFrame(cmd, subfn, payload, t),
    );
  }

  /** Advances the firmware's loops to `now` (seconds): the 1 kHz loop, then one idle-task pass. */
  run(now: number, started: number): void {
    const due = Math.floor((now - started) * 1000);
    let n = due - this.memory.iterations;
    if (n > 500) {
      // After a stall, skip ahead rather than replay seconds of loop iterations.
      this.memory.iterations += n - 500;
      n = 500;
    }
    for (let i = 0; i < n; i++) {
      this.memory.tick();
      this.dl.loopIteration(0);
    }
    this.dl.loopIteration(1);
    this.expireSession(now);
  }

  expireSession(now: number): void {
    if (this.session && now - this.session.lastHeartbeat > this.params.heartbeatTimeoutUs / 1e6) {
      this.session = null;
      this.counters.sessionsExpired++;
    }
  }

  /** A peer went away for good (its TCP connection closed): its session ends with it. */
  peerGone(peer: PeerId): void {
    if (this.session?.peer === peer) this.session = null;
  }

  /** Ends the session as if the heartbeat had timed out. */
  dropSession(): void {
    this.session = null;
  }

  /** One request in, at most one response out. */
  handle(peer: PeerId, cmd: number, subfn: number, p: Uint8Array, now: number): Reply {
    this.counters.requests++;
    if (this.mute) return null;
    this.expireSession(now);
    const reply = this.dispatch(peer, cmd, subfn, p, now);
    if (reply) this.counters.answered++;
    else this.counters.ignored++;
    return reply;
  }

  private dispatch(peer: PeerId, cmd: number, subfn: number, p: Uint8Array, now: number): Reply {
    const ok = (payload?: Uint8Array) => this.respond(cmd, subfn, ResponseCode.OK, payload);
    const fail = (code: number) => this.respond(cmd, subfn, code);
    if (cmd === Cmd.CommControl && subfn === CommControl.Discover) {
      if (!equal(p, DISCOVER_MAGIC)) return null;
      const name = new TextEncoder().encode(EMU_DISPLAY_NAME);
      return ok(new PayloadWriter().u8(1).u8(0).bytes(fromHex(EMU_FIRMWARE_ID)!).u8(name.length).bytes(name).done());
    }
    if (cmd === Cmd.CommControl && subfn === CommControl.Connect) {
      if (!equal(p, CONNECT_MAGIC)) return fail(ResponseCode.InvalidRequest);
      if (this.session) return fail(ResponseCode.Busy);
      const id = (Math.random() * 0x1_0000_0000) >>> 0;
      this.session = { id, peer, lastHeartbeat: now, lastChallenge: null };
      this.counters.sessionsOpened++;
      return ok(new PayloadWriter().bytes(CONNECT_MAGIC).u32(id).done());
    }
    // Everything else needs the session: without one, silence.
    const s = this.session;
    if (!s || s.peer !== peer) return null;
    switch (cmd) {
      case Cmd.CommControl: return this.commControl(subfn, p, now, ok, fail);
      case Cmd.GetInfo: return this.getInfo(subfn, p, ok, fail);
      case Cmd.MemoryControl: return this.memoryControl(subfn, p, ok, fail);
      case Cmd.UserCommand:
        if (!this.params.userCommand) return fail(ResponseCode.UnsupportedFeature);
        // The emulated application echoes the payload reversed, so a test can tell it ran.
        if (p.length > this.params.txBufferSize) return fail(ResponseCode.Overflow);
        return ok(Uint8Array.from(p).reverse());
      case Cmd.DataLogControl:
        if (!this.params.datalogging) return fail(ResponseCode.UnsupportedFeature);
        return this.dl.request(subfn, p, ok, fail);
      default:
        return fail(ResponseCode.UnsupportedFeature);
    }
  }

  respond(cmd: number, subfn: number, code: number, payload?: Uint8Array): Reply {
    if (code === ResponseCode.OK && payload && payload.length > this.params.txBufferSize) {
      return encodeResponse(cmd, subfn, ResponseCode.Overflow);
    }
    return encodeResponse(cmd, subfn, code, payload);
  }

  private commControl(subfn: number, p: Uint8Array, now: number, ok: (b?: Uint8Array) => Reply, fail: (c: number) => Reply): Reply {
    const s = this.session!;
    switch (subfn) {
      case CommControl.Heartbeat: {
        if (p.length !== 6) return fail(ResponseCode.InvalidRequest);
        const id = u32(p, 0);
        const challenge = (p[4]! << 8) | p[5]!;
        if (id !== s.id || challenge === s.lastChallenge) return fail(ResponseCode.InvalidRequest);
        s.lastChallenge = challenge;
        this.counters.heartbeats++;
        s.lastHeartbeat = now;
        return ok(new PayloadWriter().u32(id).u16(~challenge & 0xffff).done());
      }
      case CommControl.GetParams: {
        if (p.length !== 0) return fail(ResponseCode.InvalidRequest);
        const d = this.params;
        if (this.faults.shortGetParams > 0) {
          this.faults.shortGetParams--;
          return ok(new Uint8Array(17));
        }
        return ok(new PayloadWriter().u16(d.rxBufferSize).u16(d.txBufferSize).u32(d.maxBitrate).u32(d.heartbeatTimeoutUs)
          .u32(d.rxTimeoutUs).u8(ADDRESS_SIZE).u8(8).done());
      }
      case CommControl.Disconnect:
        if (p.length !== 4 || u32(p, 0) !== s.id) return fail(ResponseCode.InvalidRequest);
        this.session = null;
        return ok();
      default:
        return fail(ResponseCode.UnsupportedFeature);
    }
  }

  private getInfo(subfn: number, p: Uint8Array, ok: (b?: Uint8Array) => Reply, fail: (c: number) => Reply): Reply {
    const d = this.params;
    switch (subfn) {
      case GetInfo.ProtocolVersion: return ok(Uint8Array.of(1, 0));
      case GetInfo.SoftwareId: return ok(fromHex(EMU_FIRMWARE_ID)!);
      case GetInfo.SupportedFeatures:
        return ok(Uint8Array.of((d.memoryWrite ? 0x80 : 0) | (d.datalogging ? 0x40 : 0) | (d.userCommand ? 0x20 : 0) | 0x10));
      case GetInfo.SpecialMemoryRegionCount: return ok(Uint8Array.of(1, 1));
      case GetInfo.SpecialMemoryRegionLocation: {
        if (p.length !== 2) return fail(ResponseCode.InvalidRequest);
        const [type, index] = [p[0]!, p[1]!];
        if (type > 1 || index !== 0) return fail(ResponseCode.FailureToProceed);
        const r = type === 0 ? EMU_READONLY : EMU_FORBIDDEN;
        return ok(new PayloadWriter().u8(type).u8(index).addr(r.start, ADDRESS_SIZE).addr(r.end, ADDRESS_SIZE).done());
      }
      case GetInfo.RPVCount: return ok(new PayloadWriter().u16(EMU_RPVS.length).done());
      case GetInfo.RPVDefinition: {
        if (p.length !== 4) return fail(ResponseCode.InvalidRequest);
        const start = (p[0]! << 8) | p[1]!;
        const count = (p[2]! << 8) | p[3]!;
        if (start + count > EMU_RPVS.length) return fail(ResponseCode.FailureToProceed);
        const w = new PayloadWriter();
        for (const r of EMU_RPVS.slice(start, start + count)) w.u16(r.id).u8(r.type);
        return ok(w.done());
      }
      case GetInfo.LoopCount: return ok(Uint8Array.of(EMU_LOOPS.length));
      case GetInfo.LoopDefinition: {
        if (p.length !== 1) return fail(ResponseCode.InvalidRequest);
        const loop = EMU_LOOPS[p[0]!];
        if (!loop) return fail(ResponseCode.FailureToProceed);
        const name = new TextEncoder().encode(loop.name);
        const w = new PayloadWriter().u8(loop.id).u8(loop.timestep100ns === null ? 1 : 0).u8(loop.dataloggingAllowed ? 0x80 : 0);
        if (loop.timestep100ns !== null) w.u32(loop.timestep100ns);
        return ok(w.u8(name.length).bytes(name).done());
      }
      default:
        return fail(ResponseCode.UnsupportedFeature);
    }
  }

  /** Offset in the memory image, or -1 when [addr, addr+len) is not all inside it. */
  memOffset(addr: number, len: number): number {
    const off = addr - EMU_BASE;
    return off >= 0 && off + len <= EMU_MEMORY_SIZE ? off : -1;
  }

  touches(addr: number, len: number, r: { start: number; end: number }): boolean {
    return len > 0 && addr <= r.end && addr + len - 1 >= r.start;
  }

  private memoryControl(subfn: number, p: Uint8Array, ok: (b?: Uint8Array) => Reply, fail: (c: number) => Reply): Reply {
    const block = ADDRESS_SIZE + 2;
    switch (subfn) {
      case MemoryControl.Read: {
        if (p.length === 0 || p.length % block !== 0) return fail(ResponseCode.InvalidRequest);
        let size = 0;
        for (let at = 0; at < p.length; at += block) {
          const addr = u32(p, at);
          const len = (p[at + 4]! << 8) | p[at + 5]!;
          if (this.touches(addr, len, EMU_FORBIDDEN)) return fail(ResponseCode.Forbidden);
          if (this.memOffset(addr, len) < 0) return fail(ResponseCode.FailureToProceed);
          size += block + len;
        }
        if (size > this.params.txBufferSize) return fail(ResponseCode.Overflow);
        const w = new PayloadWriter(size);
        for (let at = 0; at < p.length; at += block) {
          const addr = u32(p, at);
          const len = (p[at + 4]! << 8) | p[at + 5]!;
          const off = this.memOffset(addr, len);
          w.bytes(p.subarray(at, at + block)).bytes(this.memory.bytes.subarray(off, off + len));
        }
        return ok(w.done());
      }
      case MemoryControl.Write:
      case MemoryControl.WriteMasked: {
        if (!this.params.memoryWrite) return fail(ResponseCode.Forbidden);
        const masked = subfn === MemoryControl.WriteMasked;
        const blocks: { off: number; data: Uint8Array; mask: Uint8Array | null }[] = [];
        const w = new PayloadWriter();
        let at = 0;
        while (at < p.length) {
          if (at + block > p.length) return fail(ResponseCode.InvalidRequest);
          const addr = u32(p, at);
          const len = (p[at + 4]! << 8) | p[at + 5]!;
          const end = at + block + len * (masked ? 2 : 1);
          if (end > p.length) return fail(ResponseCode.InvalidRequest);
          if (this.touches(addr, len, EMU_FORBIDDEN) || this.touches(addr, len, EMU_READONLY)) return fail(ResponseCode.Forbidden);
          const off = this.memOffset(addr, len);
          if (off < 0) return fail(ResponseCode.FailureToProceed);
          const data = p.subarray(at + block, at + block + len);
          blocks.push({ off, data, mask: masked ? p.subarray(at + block + len, end) : null });
          w.bytes(p.subarray(at, at + block));
          at = end;
        }
        if (blocks.length === 0) return fail(ResponseCode.InvalidRequest);
        const mem = this.memory.bytes;
        for (const b of blocks) {
          for (let i = 0; i < b.data.length; i++) {
            mem[b.off + i] = b.mask ? (mem[b.off + i]! & ~b.mask[i]!) | (b.data[i]! & b.mask[i]!) : b.data[i]!;
          }
        }
        return ok(w.done());
      }
      case MemoryControl.ReadRPV: {
        if (p.length === 0 || p.length % 2 !== 0) return fail(ResponseCode.InvalidRequest);
        const w = new PayloadWriter();
        for (let at = 0; at < p.length; at += 2) {
          const id = (p[at]! << 8) | p[at + 1]!;
          const rpv = EMU_RPVS.find((r) => r.id === id);
          if (!rpv) return fail(ResponseCode.InvalidRequest);
          const tmp = new Uint8Array(typeSize(rpv.type));
          encodeValue(tmp, 0, rpv.type, false, this.memory.rpv.get(id)!);
          w.u16(id).bytes(tmp);
        }
        return ok(w.done());
      }
      case MemoryControl.WriteRPV: {
        if (!this.params.memoryWrite) return fail(ResponseCode.Forbidden);
        const writes: [number, number][] = [];
        const w = new PayloadWriter();
        let at = 0;
        while (at < p.length) {
          if (at + 2 > p.length) return fail(ResponseCode.InvalidRequest);
          const id = (p[at]! << 8) | p[at + 1]!;
          const rpv = EMU_RPVS.find((r) => r.id === id);
          if (!rpv) return fail(ResponseCode.InvalidRequest);
          const size = typeSize(rpv.type);
          if (at + 2 + size > p.length) return fail(ResponseCode.InvalidRequest);
          writes.push([id, decodeValue(p, at + 2, rpv.type, false)]);
          w.u16(id).u8(size);
          at += 2 + size;
        }
        if (writes.length === 0) return fail(ResponseCode.InvalidRequest);
        for (const [id, v] of writes) this.memory.rpv.set(id, v);
        return ok(w.done());
      }
      default:
        return fail(ResponseCode.UnsupportedFeature);
    }
  }
}

function equal(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

function u32(p: Uint8Array, at: number): number {
  return ((p[at]! << 24) | (p[at + 1]! << 16) | (p[at + 2]! << 8) | p[at + 3]!) >>> 0;
}

// ---------------------------------------------------------------- the datalogger

class Datalogger {
  state: number = DL_STATE.idle;
  private config: DlConfig | null = null;
  private entrySize = 0;
  private capacity = 0;
  private buffer = new Uint8Array(0);
  private written = 0;
  private afterTrigger = 0;
  private pointsAfterTarget = 0;
  private decimationCount = 0;
  private holdSince: number | null = null;
  private previousOp1: number | null = null;
  private triggerTime = 0;
  private acquisitionId = 0;
  private readCursor = 0;
  private rolling = 0;
  private loopTime100ns = [0, 0];
  private readonly entry = new Uint8Array(256);

  constructor(private readonly dev: EmulatedScrutinyDevice) {}

  request(subfn: number, p: Uint8Array, ok: (b?: Uint8Array) => Reply, fail: (c: number) => Reply): Reply {
    const d = this.dev.params;
    switch (subfn) {
      case DataLogControl.GetSetup:
        return ok(new PayloadWriter().u32(d.dataloggingBufferSize).u8(0).u8(d.maxSignals).done());
      case DataLogControl.Configure: {
        const parsed = decodeDlConfig(p, ADDRESS_SIZE);
        if (!parsed.ok) return fail(ResponseCode.InvalidRequest);
        const c = parsed.value;
        const loop = EMU_LOOPS[c.loopId];
        if (!loop) return fail(ResponseCode.FailureToProceed);
        if (!loop.dataloggingAllowed) return fail(ResponseCode.Forbidden);
        if (c.condition > 8 || c.decimation === 0 || c.signals.length === 0 || c.signals.length > d.maxSignals) {
          return fail(ResponseCode.InvalidRequest);
        }
        let size = 0;
        for (const s of c.signals) {
          if (s.kind === 'memory') {
            if (this.dev.touches(s.address, s.size, EMU_FORBIDDEN)) return fail(ResponseCode.Forbidden);
            if (this.dev.memOffset(s.address, s.size) < 0) return fail(ResponseCode.FailureToProceed);
            size += s.size;
          } else if (s.kind === 'rpv') {
            const rpv = EMU_RPVS.find((r) => r.id === s.id);
            if (!rpv) return fail(ResponseCode.InvalidRequest);
            size += typeSize(rpv.type);
          } else size += 4;
        }
        for (const o of c.operands) {
          if (o.kind === 'rpv' && !EMU_RPVS.some((r) => r.id === o.id)) return fail(ResponseCode.InvalidRequest);
          if ((o.kind === 'var' || o.kind === 'varbit') && this.dev.memOffset(o.address, typeSize(o.type)) < 0) return fail(ResponseCode.FailureToProceed);
        }
        if (size > this.entry.length || size > d.dataloggingBufferSize) return fail(ResponseCode.FailureToProceed);
        this.config = c;
        this.entrySize = size;
        this.capacity = Math.floor(d.dataloggingBufferSize / size);
        this.buffer = new Uint8Array(this.capacity * size);
        this.state = DL_STATE.configured;
        return ok();
      }
      case DataLogControl.Arm:
        if (!this.config) return fail(ResponseCode.FailureToProceed);
        this.written = 0;
        this.afterTrigger = 0;
        this.decimationCount = 0;
        this.holdSince = null;
        this.previousOp1 = null;
        this.readCursor = 0;
        this.pointsAfterTarget = Math.max(1, Math.round(this.capacity * (255 - this.config.probeLocation) / 255));
        this.state = DL_STATE.armed;
        return ok();
      case DataLogControl.Disarm:
        if (!this.config) return fail(ResponseCode.FailureToProceed);
        this.state = DL_STATE.configured;
        return ok();
      case DataLogControl.GetStatus: {
        const triggered = this.state === DL_STATE.triggered || this.state === DL_STATE.completed;
        return ok(new PayloadWriter().u8(this.state)
          .u32(triggered ? this.pointsAfterTarget * this.entrySize : 0)
          .u32(triggered ? Math.min(this.afterTrigger, this.pointsAfterTarget) * this.entrySize : 0).done());
      }
      case DataLogControl.GetAcquisitionMetadata: {
        if (this.state !== DL_STATE.completed) return fail(ResponseCode.FailureToProceed);
        const n = Math.min(this.written, this.capacity);
        return ok(new PayloadWriter().u16(this.acquisitionId).u16(this.config!.configId).u32(n).u32(n * this.entrySize)
          .u32(this.afterTrigger).done());
      }
      case DataLogControl.ReadAcquisition: {
        if (this.state !== DL_STATE.completed) return fail(ResponseCode.FailureToProceed);
        const data = this.acquisitionData();
        const room = d.txBufferSize - 4;
        const left = data.length - this.readCursor;
        const last = left + 4 <= room;
        const n = last ? left : Math.min(left, room);
        const w = new PayloadWriter().u8(last ? 1 : 0).u8(this.rolling).u16(this.acquisitionId)
          .bytes(data.subarray(this.readCursor, this.readCursor + n));
        if (last) w.u32((crc32(data) ^ (this.dev.faults.acquisitionCrc ? 1 : 0)) >>> 0);
        this.rolling = (this.rolling + 1) & 0xff;
        this.readCursor = last ? 0 : this.readCursor + n;
        return ok(w.done());
      }
      case DataLogControl.Reset:
        this.config = null;
        this.state = DL_STATE.idle;
        return ok();
      default:
        return fail(ResponseCode.UnsupportedFeature);
    }
  }

  /** Entries oldest first. */
  private acquisitionData(): Uint8Array {
    const n = Math.min(this.written, this.capacity);
    const out = new Uint8Array(n * this.entrySize);
    const first = this.written > this.capacity ? this.written % this.capacity : 0;
    for (let i = 0; i < n; i++) {
      const slot = (first + i) % this.capacity;
      out.set(this.buffer.subarray(slot * this.entrySize, (slot + 1) * this.entrySize), i * this.entrySize);
    }
    return out;
  }

  loopIteration(loopId: number): void {
    const loop = EMU_LOOPS[loopId]!;
    this.loopTime100ns[loopId] = (this.loopTime100ns[loopId]! + (loop.timestep100ns ?? 50_000)) >>> 0;
    const c = this.config;
    if (!c || c.loopId !== loopId || (this.state !== DL_STATE.armed && this.state !== DL_STATE.triggered)) return;
    if (++this.decimationCount < c.decimation) return;
    this.decimationCount = 0;
    const now = this.loopTime100ns[loopId]!;
    this.writeEntry(c, now);
    // The trigger is looked for once the part of the buffer before it is full, so that an
    // acquisition always holds the trigger position asked for.
    if (this.state === DL_STATE.armed && this.written >= this.capacity - this.pointsAfterTarget + 1) {
      if (this.conditionHolds(c, now)) {
        this.state = DL_STATE.triggered;
        this.triggerTime = now;
        this.afterTrigger = 0;
      }
    }
    if (this.state === DL_STATE.triggered) {
      this.afterTrigger++;
      const timedOut = c.timeout100ns > 0 && ((now - this.triggerTime) >>> 0) >= c.timeout100ns;
      if (this.afterTrigger >= this.pointsAfterTarget || timedOut) {
        this.state = DL_STATE.completed;
        this.acquisitionId = (this.acquisitionId + 1) & 0xffff;
        this.readCursor = 0;
      }
    }
  }

  private writeEntry(c: DlConfig, now: number): void {
    const e = this.entry;
    const mem = this.dev.memory;
    let at = 0;
    for (const s of c.signals) {
      if (s.kind === 'memory') {
        const off = this.dev.memOffset(s.address, s.size);
        e.set(mem.bytes.subarray(off, off + s.size), at);
        at += s.size;
      } else if (s.kind === 'rpv') {
        const type = EMU_RPVS.find((r) => r.id === s.id)!.type;
        encodeValue(e, at, type, false, mem.rpv.get(s.id)!);
        at += typeSize(type);
      } else {
        e[at] = now >>> 24; e[at + 1] = (now >>> 16) & 0xff; e[at + 2] = (now >>> 8) & 0xff; e[at + 3] = now & 0xff;
        at += 4;
      }
    }
    const slot = this.written % this.capacity;
    this.buffer.set(e.subarray(0, this.entrySize), slot * this.entrySize);
    this.written++;
  }

  private operand(i: number, c: DlConfig): number {
    const o = c.operands[i];
    if (!o) return NaN;
    const mem = this.dev.memory;
    switch (o.kind) {
      case 'literal': return o.value;
      case 'rpv': return mem.rpv.get(o.id) ?? NaN;
      case 'var': return decodeValue(mem.bytes, this.dev.memOffset(o.address, typeSize(o.type)), o.type, true);
      case 'varbit': {
        const raw = decodeValue(mem.bytes, this.dev.memOffset(o.address, typeSize(o.type)), typeByteUnsigned(o.type), true);
        return Math.floor(raw / 2 ** o.bitOffset) % 2 ** o.bitSize;
      }
    }
  }

  private conditionHolds(c: DlConfig, now: number): boolean {
    const a = this.operand(0, c);
    const b = this.operand(1, c);
    let v: boolean;
    switch (c.condition) {
      case 0: v = true; break;
      case 1: v = a === b; break;
      case 2: v = a !== b; break;
      case 3: v = a < b; break;
      case 4: v = a <= b; break;
      case 5: v = a > b; break;
      case 6: v = a >= b; break;
      case 7: {
        const prev = this.previousOp1;
        this.previousOp1 = a;
        if (prev === null) { v = false; break; }
        // As scrutiny-embedded's ChangeMoreThan: against the value at the previous evaluation,
        // the signed delta (truncated to an integer when operand 0 is one) sets the direction.
        const o0 = c.operands[0];
        const intOperand = o0 !== undefined && o0.kind !== 'literal' && (o0.kind === 'varbit' || (o0.kind === 'var' ? o0.type >> 4 !== 2 : (EMU_RPVS.find((r) => r.id === o0.id)?.type ?? 0x22) >> 4 !== 2));
        const d = intOperand ? Math.trunc(b) : b;
        v = d >= 0 ? a > prev + d : a < prev + d;
        break;
      }
      case 8: v = Math.abs(a - b) <= Math.abs(this.operand(2, c)); break; // IsWithin: |a - b| <= |margin|
      default: v = false;
    }
    if (!v) {
      this.holdSince = null;
      return false;
    }
    if (this.holdSince === null) this.holdSince = now;
    return ((now - this.holdSince) >>> 0) >= c.holdTime100ns;
  }
}

/** Bit ranges are taken from the raw unsigned value, whatever the variable's kind. */
function typeByteUnsigned(type: number): number {
  return (1 << 4) | (type & 0x0f);
}
