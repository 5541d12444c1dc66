// Memory actions: read and write device memory, and write a typed variable (a bit range
// through a masked write). A read or write the device would refuse (writes disabled, a
// forbidden or read-only region) is refused here, before anything is sent; long ones go in
// blocks that fit the device's buffers.
import { ApiError } from '../../../shared/api/errors';
import type { ScrutinyArgs as Args } from './actions';
import { fromHex, toHex } from './hex';
import { requests, responses } from './messages';
import type { DeviceDescription } from './device-description';
import type { ScrutinySession } from './session';
import { encodeValue, typeFromName, TypeKind, typeSize } from './value-types';
import { bitFieldRange, checkWriteValue, typeRange } from './write-value';


function touches(start: number, length: number, r: { start: number; end: number }): boolean {
  return start <= r.end && start + length - 1 >= r.start;
}

/** An address as the device's tools print it. */
export function hexAddr(a: number): string {
  return `0x${a.toString(16).padStart(8, '0')}`;
}

export class MemoryActions {
  constructor(private readonly s: ScrutinySession) {}

  refuseRead(d: DeviceDescription, start: number, length: number): void {
    for (const r of d.forbiddenRegions) {
      if (touches(start, length, r)) throw new ApiError('InvalidRequest', `${hexAddr(start)}+${length} touches the forbidden region ${hexAddr(r.start)}..${hexAddr(r.end)}: not sent`);
    }
  }

  refuseWrite(d: DeviceDescription, start: number, length: number): void {
    if (!d.features.memoryWrite) throw new ApiError('InvalidRequest', 'the device does not allow memory writes (SupportedFeatures bit 7 is clear): not sent');
    this.refuseRead(d, start, length);
    for (const r of d.readonlyRegions) {
      if (touches(start, length, r)) throw new ApiError('InvalidRequest', `${hexAddr(start)}+${length} touches the read-only region ${hexAddr(r.start)}..${hexAddr(r.end)}: not sent`);
    }
  }

  async readMemory(d: DeviceDescription, a: Args<'readMemory'>) {
    this.refuseRead(d, a.address, a.length);
    const as = d.params.addressSize;
    const chunk = Math.min(d.params.txBufferSize - as - 2, 0xffff);
    if (chunk <= 0) throw new ApiError('OperationFailure', `the device's ${d.params.txBufferSize}-byte response buffer cannot hold any memory`);
    const out = new Uint8Array(a.length);
    for (let at = 0; at < a.length; at += chunk) {
      const block = { address: a.address + at, length: Math.min(chunk, a.length - at) };
      const got = this.s.parsed(responses.readMemory(await this.s.request(requests.readMemory([block], as)), [block], as));
      out.set(got[0]!.data, at);
    }
    return { address: a.address, length: a.length, hexData: toHex(out) };
  }

  async writeBlocks(d: DeviceDescription, address: number, data: Uint8Array, mask: Uint8Array | null): Promise<void> {
    this.refuseWrite(d, address, data.length);
    const as = d.params.addressSize;
    const room = d.params.rxBufferSize - as - 2;
    const chunk = Math.min(mask ? Math.floor(room / 2) : room, 0xffff);
    if (chunk <= 0) throw new ApiError('OperationFailure', `the device's ${d.params.rxBufferSize}-byte receive buffer cannot hold a write`);
    for (let at = 0; at < data.length; at += chunk) {
      const block = { address: address + at, data: data.subarray(at, at + chunk), mask: mask?.subarray(at, at + chunk) };
      const frame = requests.writeMemory([block], as, mask !== null);
      this.s.parsed(responses.writeMemory(await this.s.request(frame), [block], as));
    }
  }

  async writeMemory(d: DeviceDescription, a: Args<'writeMemory'>) {
    const data = fromHex(a.hexData)!;
    if (data.length === 0) throw new ApiError('InvalidRequest', 'hexData is empty: nothing to write');
    const mask = a.maskHex !== undefined ? fromHex(a.maskHex)! : null;
    if (mask && mask.length !== data.length) throw new ApiError('InvalidRequest', `maskHex has ${mask.length} bytes where hexData has ${data.length}`);
    await this.writeBlocks(d, a.address, data, mask);
    return { address: a.address, length: data.length };
  }

  async writeVariable(d: DeviceDescription, a: Args<'writeVariable'>) {
    const type = typeFromName(a.type)!;
    const size = typeSize(type);
    const little = (a.endianness ?? this.s.options.memoryEndianness) === 'little';
    const given = typeof a.value === 'boolean' ? (a.value ? 1 : 0) : a.value;
    const data = new Uint8Array(size);
    let written: number;
    if (a.bitSize !== undefined) {
      const offset = a.bitOffset ?? 0;
      if (offset + a.bitSize > size * 8) throw new ApiError('InvalidRequest', `bits ${offset}..${offset + a.bitSize - 1} do not fit a ${a.type}`);
      written = checkWriteValue(given, bitFieldRange(a.bitSize), a.saturate);
      const unsigned = (TypeKind.uint << 4) | (type & 0x0f);
      const mask = new Uint8Array(size);
      encodeValue(data, 0, unsigned, little, written * 2 ** offset);
      encodeValue(mask, 0, unsigned, little, (2 ** a.bitSize - 1) * 2 ** offset);
      await this.writeBlocks(d, a.address, data, mask);
    } else {
      written = checkWriteValue(given, typeRange(type), a.saturate);
      encodeValue(data, 0, type, little, written);
      await this.writeBlocks(d, a.address, data, null);
    }
    return { address: a.address, hexData: toHex(data), written };
  }
}
