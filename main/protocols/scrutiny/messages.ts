// The payloads of the host's requests and of the device's responses, command by command.
//
// Invariants (load-bearing): every response parser returns a result or a string saying what
// was received and what was expected (see parse()), never throws; walkRpvValues, on the
// polling path, allocates nothing per value.

import { Cmd, CommControl, CONNECT_MAGIC, DISCOVER_MAGIC, GetInfo, MemoryControl } from './commands';
import { encodeRequest } from './codec';
import { toHex } from './hex';
import { parse, PayloadError, PayloadWriter } from './payload';
import { decodeValue, encodeValue, typeSize } from './value-types';

export interface DiscoverInfo { protocolMajor: number; protocolMinor: number; firmwareId: string; displayName: string }
export interface CommParams {
  rxBufferSize: number; txBufferSize: number; maxBitrate: number; heartbeatTimeoutUs: number; rxTimeoutUs: number;
  addressSize: number; charBit: number;
}
export interface SupportedFeatures { memoryWrite: boolean; datalogging: boolean; userCommand: boolean; sixtyfourBits: boolean }
export interface RegionLocation { type: 0 | 1; index: number; start: number; end: number }
export interface RpvDefinition { id: number; type: number }
export interface LoopDefinition { id: number; type: 0 | 1; dataloggingAllowed: boolean; timestep100ns: number | null; name: string }
export interface DataloggingSetup { bufferSize: number; encoding: number; maxSignals: number }
export interface DataloggingStatus { state: number; bytesToAcquireAfterTrigger: number; writeCounterSinceTrigger: number }
export interface AcquisitionMetadata { acquisitionId: number; configId: number; nPoints: number; dataSize: number; pointsAfterTrigger: number }

const utf8 = new TextDecoder('utf-8', { fatal: false });

export const requests = {
  discover: () => encodeRequest(Cmd.CommControl, CommControl.Discover, DISCOVER_MAGIC),
  connect: () => encodeRequest(Cmd.CommControl, CommControl.Connect, CONNECT_MAGIC),
  heartbeat: (sessionId: number, challenge: number) =>
    encodeRequest(Cmd.CommControl, CommControl.Heartbeat, new PayloadWriter(6).u32(sessionId).u16(challenge).done()),
  getParams: () => encodeRequest(Cmd.CommControl, CommControl.GetParams),
  disconnect: (sessionId: number) => encodeRequest(Cmd.CommControl, CommControl.Disconnect, new PayloadWriter(4).u32(sessionId).done()),
  getInfo: (subfn: number, payload?: Uint8Array) => encodeRequest(Cmd.GetInfo, subfn, payload),
  regionLocation: (type: 0 | 1, index: number) => encodeRequest(Cmd.GetInfo, GetInfo.SpecialMemoryRegionLocation, Uint8Array.of(type, index)),
  rpvDefinition: (start: number, count: number) =>
    encodeRequest(Cmd.GetInfo, GetInfo.RPVDefinition, new PayloadWriter(4).u16(start).u16(count).done()),
  loopDefinition: (loopId: number) => encodeRequest(Cmd.GetInfo, GetInfo.LoopDefinition, Uint8Array.of(loopId)),
  readMemory: (blocks: readonly { address: number; length: number }[], addressSize: number) => {
    const w = new PayloadWriter(blocks.length * (addressSize + 2));
    for (const b of blocks) w.addr(b.address, addressSize).u16(b.length);
    return encodeRequest(Cmd.MemoryControl, MemoryControl.Read, w.done());
  },
  writeMemory: (blocks: readonly { address: number; data: Uint8Array; mask?: Uint8Array }[], addressSize: number, masked: boolean) => {
    const w = new PayloadWriter();
    for (const b of blocks) {
      w.addr(b.address, addressSize).u16(b.data.length).bytes(b.data);
      if (masked) w.bytes(b.mask ?? new Uint8Array(b.data.length).fill(0xff));
    }
    return encodeRequest(Cmd.MemoryControl, masked ? MemoryControl.WriteMasked : MemoryControl.Write, w.done());
  },
  readRpv: (ids: ArrayLike<number>) => {
    const w = new PayloadWriter(ids.length * 2);
    for (let i = 0; i < ids.length; i++) w.u16(ids[i]!);
    return encodeRequest(Cmd.MemoryControl, MemoryControl.ReadRPV, w.done());
  },
  writeRpv: (values: readonly { id: number; type: number; value: number }[]) => {
    const w = new PayloadWriter();
    for (const v of values) {
      const tmp = new Uint8Array(typeSize(v.type));
      encodeValue(tmp, 0, v.type, false, v.value);
      w.u16(v.id).bytes(tmp);
    }
    return encodeRequest(Cmd.MemoryControl, MemoryControl.WriteRPV, w.done());
  },
  userCommand: (subfn: number, data: Uint8Array) => encodeRequest(Cmd.UserCommand, subfn, data),
  datalog: (subfn: number, payload?: Uint8Array) => encodeRequest(Cmd.DataLogControl, subfn, payload),
};

export const responses = {
  discover: (p: Uint8Array) => parse<DiscoverInfo>('Discover response', p, (r) => {
    const protocolMajor = r.u8();
    const protocolMinor = r.u8();
    const firmwareId = toHex(r.bytes(16));
    const n = r.u8();
    if (n > 64) throw new PayloadError(`name length ${n} (at most 64 expected)`);
    return { protocolMajor, protocolMinor, firmwareId, displayName: utf8.decode(r.bytes(n)) };
  }),
  connect: (p: Uint8Array) => parse('Connect response', p, (r) => {
    const magic = r.bytes(4);
    if (toHex(magic) !== toHex(CONNECT_MAGIC)) throw new PayloadError(`magic ${toHex(magic)} (expected ${toHex(CONNECT_MAGIC)})`);
    return r.u32();
  }),
  heartbeat: (p: Uint8Array) => parse('Heartbeat response', p, (r) => ({ sessionId: r.u32(), challengeResponse: r.u16() })),
  getParams: (p: Uint8Array) => parse<CommParams>('GetParams response', p, (r) => {
    const v: CommParams = {
      rxBufferSize: r.u16(), txBufferSize: r.u16(), maxBitrate: r.u32(), heartbeatTimeoutUs: r.u32(),
      rxTimeoutUs: r.u32(), addressSize: r.u8(), charBit: r.u8(),
    };
    if (![1, 2, 4, 8].includes(v.addressSize)) throw new PayloadError(`address size ${v.addressSize} bytes (1, 2, 4 or 8 expected)`);
    return v;
  }),
  protocolVersion: (p: Uint8Array) => parse('ProtocolVersion response', p, (r) => ({ major: r.u8(), minor: r.u8() })),
  supportedFeatures: (p: Uint8Array) => parse<SupportedFeatures>('SupportedFeatures response', p, (r) => {
    const b = r.u8();
    return { memoryWrite: !!(b & 0x80), datalogging: !!(b & 0x40), userCommand: !!(b & 0x20), sixtyfourBits: !!(b & 0x10) };
  }),
  regionCount: (p: Uint8Array) => parse('SpecialMemoryRegionCount response', p, (r) => ({ readonly: r.u8(), forbidden: r.u8() })),
  regionLocation: (p: Uint8Array, addressSize: number) => parse<RegionLocation>('SpecialMemoryRegionLocation response', p, (r) => {
    const type = r.u8();
    if (type > 1) throw new PayloadError(`region type ${type} (0 read-only or 1 forbidden expected)`);
    return { type: type as 0 | 1, index: r.u8(), start: r.addr(addressSize), end: r.addr(addressSize) };
  }),
  rpvCount: (p: Uint8Array) => parse('RPVCount response', p, (r) => r.u16()),
  rpvDefinition: (p: Uint8Array) => parse<RpvDefinition[]>('RPVDefinition response', p, (r) => {
    if (r.left % 3 !== 0) throw new PayloadError(`${r.left} bytes (a multiple of 3 expected)`);
    const out: RpvDefinition[] = [];
    while (r.left > 0) out.push({ id: r.u16(), type: r.u8() });
    return out;
  }),
  loopCount: (p: Uint8Array) => parse('LoopCount response', p, (r) => r.u8()),
  loopDefinition: (p: Uint8Array) => parse<LoopDefinition>('LoopDefinition response', p, (r) => {
    const id = r.u8();
    const type = r.u8();
    if (type > 1) throw new PayloadError(`loop type ${type} (0 fixed frequency or 1 variable expected)`);
    const attributes = r.u8();
    const timestep100ns = type === 0 ? r.u32() : null;
    const n = r.u8();
    if (n > 32) throw new PayloadError(`loop name length ${n} (at most 32 expected)`);
    return { id, type: type as 0 | 1, dataloggingAllowed: !!(attributes & 0x80), timestep100ns, name: utf8.decode(r.bytes(n)) };
  }),
  softwareId: (p: Uint8Array) => parse('SoftwareId response', p, (r) => toHex(r.bytes(r.left))),
  /** Memory read response blocks, validated against what was asked. */
  readMemory: (p: Uint8Array, asked: readonly { address: number; length: number }[], addressSize: number) =>
    parse('MemoryControl.Read response', p, (r) => {
      const out: { address: number; data: Uint8Array }[] = [];
      for (const a of asked) {
        const address = r.addr(addressSize);
        const length = r.u16();
        if (address !== a.address || length !== a.length) {
          throw new PayloadError(`block 0x${address.toString(16)}+${length} (expected 0x${a.address.toString(16)}+${a.length})`);
        }
        out.push({ address, data: r.bytes(length) });
      }
      return out;
    }),
  writeMemory: (p: Uint8Array, asked: readonly { address: number; data: Uint8Array }[], addressSize: number) =>
    parse('MemoryControl.Write response', p, (r) => {
      for (const a of asked) {
        const address = r.addr(addressSize);
        const length = r.u16();
        if (address !== a.address || length !== a.data.length) {
          throw new PayloadError(`block 0x${address.toString(16)}+${length} (expected 0x${a.address.toString(16)}+${a.data.length})`);
        }
      }
      return asked.length;
    }),
  writeRpv: (p: Uint8Array) => parse('MemoryControl.WriteRPV response', p, (r) => {
    const out: { id: number; size: number }[] = [];
    while (r.left > 0) out.push({ id: r.u16(), size: r.u8() });
    return out;
  }),
  datalogSetup: (p: Uint8Array) => parse<DataloggingSetup>('DataLogControl.GetSetup response', p, (r) => ({ bufferSize: r.u32(), encoding: r.u8(), maxSignals: r.u8() })),
  datalogStatus: (p: Uint8Array) => parse<DataloggingStatus>('DataLogControl.GetStatus response', p, (r) => ({
    state: r.u8(), bytesToAcquireAfterTrigger: r.u32(), writeCounterSinceTrigger: r.u32(),
  })),
  acquisitionMetadata: (p: Uint8Array) => parse<AcquisitionMetadata>('DataLogControl.GetAcquisitionMetadata response', p, (r) => ({
    acquisitionId: r.u16(), configId: r.u16(), nPoints: r.u32(), dataSize: r.u32(), pointsAfterTrigger: r.u32(),
  })),
  acquisitionChunk: (p: Uint8Array) => parse('DataLogControl.ReadAcquisition response', p, (r) => ({
    finished: r.u8() !== 0, rollingCounter: r.u8(), acquisitionId: r.u16(), data: r.bytes(r.left),
  })),
};

/**
 * Walks a ReadRPV response without allocating: `onValue(id, value)` per entry.
 * `typeOf(id)` gives an RPV's type byte (-1 when unknown). Returns null or what was wrong.
 */
export function walkRpvValues(p: Uint8Array, typeOf: (id: number) => number, onValue: (id: number, value: number) => void): string | null {
  let at = 0;
  while (at < p.length) {
    if (at + 2 > p.length) return `ReadRPV response: ${p.length - at} stray byte(s) at offset ${at} (an id of 2 bytes expected)`;
    const id = (p[at]! << 8) | p[at + 1]!;
    const type = typeOf(id);
    if (type < 0) return `ReadRPV response: RPV 0x${id.toString(16).padStart(4, '0')} that the device did not define`;
    const size = typeSize(type);
    if (at + 2 + size > p.length) return `ReadRPV response: RPV 0x${id.toString(16).padStart(4, '0')} with ${p.length - at - 2} value bytes (${size} expected)`;
    onValue(id, decodeValue(p, at + 2, type, false));
    at += 2 + size;
  }
  return null;
}
