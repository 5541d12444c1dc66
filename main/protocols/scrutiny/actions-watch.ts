// The watch list: memory variables polled at full rate into the telemetry store, each its
// own signal; replacing, adding to and removing from it, and what it holds now.
import { ApiError } from '../../../shared/api/errors';
import type { MemoryActions } from './actions-memory';
import type { ScrutinyArgs as Args } from './actions';
import type { DeviceDescription } from './device-description';
import type { ScrutinySession } from './session';
import { typeFromName, TypeKind, typeName, typeSize } from './value-types';
import type { WatchedVariable } from './watch';

export class WatchActions {
  constructor(private readonly s: ScrutinySession, private readonly memory: MemoryActions) {}

  async watch(d: DeviceDescription, a: Args<'watch'>, pointers?: Map<string, { path: string; offset: number }>) {
    const next = a.replace ? [] : this.s.poller.watched.filter((w) => !a.variables.some((v) => v.path === w.path));
    const added: { path: string; signalId: number }[] = [];
    for (const v of a.variables) {
      const type = typeFromName(v.type)!;
      this.memory.refuseRead(d, v.address, typeSize(type));
      if (v.bitSize !== undefined && (v.bitOffset ?? 0) + v.bitSize > typeSize(type) * 8) {
        throw new ApiError('InvalidRequest', `${v.path}: bits ${v.bitOffset ?? 0}..${(v.bitOffset ?? 0) + v.bitSize - 1} do not fit a ${v.type}`);
      }
      const w: WatchedVariable = {
        path: v.path,
        signalId: this.s.ctx.signal(v.path),
        address: v.address,
        // Bit ranges are cut from the raw unsigned word.
        type: v.bitSize !== undefined ? (TypeKind.uint << 4) | (type & 0x0f) : type,
        little: (v.endianness ?? this.s.options.memoryEndianness) === 'little',
        bitOffset: v.bitSize !== undefined ? v.bitOffset ?? 0 : null,
        bitSize: v.bitSize ?? null,
        gain: v.gain ?? 1,
        offset: v.offset ?? 0,
        last: NaN,
        pointer: pointers?.get(v.path),
      };
      next.push(w);
      added.push({ path: v.path, signalId: w.signalId });
    }
    const before = this.s.poller.watched;
    this.s.poller.watched = next;
    try {
      this.s.poller.replan();
    } catch (e) {
      this.s.poller.watched = before;
      this.s.poller.replan();
      throw new ApiError('InvalidRequest', (e as Error).message);
    }
    return { watched: this.s.poller.watched.length, signals: added };
  }

  async unwatch(_d: DeviceDescription, a: Args<'unwatch'>) {
    const before = this.s.poller.watched.length;
    this.s.poller.watched = a.paths ? this.s.poller.watched.filter((w) => !a.paths!.includes(w.path)) : [];
    this.s.poller.rpvAliases = a.paths ? this.s.poller.rpvAliases.filter((w) => !a.paths!.includes(w.path)) : [];
    this.s.poller.replan();
    return { removed: before - this.s.poller.watched.length, watched: this.s.poller.watched.length };
  }

  async watchStatus() {
    return {
      variables: this.s.poller.watched.map((w) => ({ path: w.path, signalId: w.signalId, address: w.address, type: typeName(w.type) })),
      refreshRateHz: this.s.poller.refreshRateHz,
      pollCycles: this.s.poller.pollCycles,
    };
  }

  async watchValues() {
    return {
      refreshRateHz: Math.round(this.s.poller.refreshRateHz * 10) / 10,
      pollCycles: this.s.poller.pollCycles,
      values: [
        ...this.s.poller.watched.map((w) => ({ path: w.path, signalId: w.signalId, address: w.address, type: typeName(w.type), value: Number.isFinite(w.last) ? w.last : null })),
        ...this.s.poller.rpvAliases.map((x) => ({ path: x.path, signalId: x.signalId, rpvId: x.rpvId, value: Number.isFinite(x.last) ? x.last : null })),
      ],
    };
  }
}
