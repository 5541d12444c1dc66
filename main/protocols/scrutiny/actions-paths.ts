// Actions by path, as the firmware description names things: a variable (its address
// through its pointer when it has one), an alias (scaled, bounded) or an RPV (/rpv/xNNNN);
// watch paths and write a value given as a number, hex, a boolean or an enum's name.
import type { z } from 'zod';
import { ApiError } from '../../../shared/api/errors';
import type { WatchVariableArgs } from '../../../shared/api/scrutiny';
import type { MemoryActions } from './actions-memory';
import type { RpvActions } from './actions-rpv';
import type { WatchActions } from './actions-watch';
import type { ScrutinyArgs as Args } from './actions';
import { fromHex } from './hex';
import type { DeviceDescription } from './device-description';
import type { ScrutinySession } from './session';
import type { SfdAlias, SfdVariable } from './sfd';
import { decodeValue, TypeKind, typeName, typeSize } from './value-types';
import { checkWriteValue, snapToInteger } from './write-value';

export class PathActions {
  constructor(
    private readonly s: ScrutinySession,
    private readonly memory: MemoryActions,
    private readonly rpv: RpvActions,
    private readonly watch: WatchActions,
  ) {}

  requireSfd() {
    const sfd = this.s.sfd;
    if (!sfd) throw new ApiError('InvalidRequest', 'no firmware description loaded: run loadSfd with the .sfd of this firmware');
    return sfd;
  }

  async addressOf(d: DeviceDescription, v: SfdVariable): Promise<number> {
    if (v.address !== null) return v.address;
    const sfd = this.requireSfd();
    const ptr = sfd.variables.get(v.pointer!.path);
    if (!ptr || ptr.address === null) throw new ApiError('InvalidRequest', `${v.path}: its pointer ${v.pointer!.path} is not in the description`);
    const size = typeSize(ptr.type);
    const r = await this.memory.readMemory(d, { address: ptr.address, length: size });
    const value = decodeValue(fromHex(r.hexData)!, 0, ptr.type, sfd.endianness === 'little');
    return value + v.pointer!.offset;
  }

  resolve(path: string): { v?: SfdVariable; rpv?: number; alias?: SfdAlias } {
    const sfd = this.s.sfd;
    const rpvMatch = /^\/rpv\/x([0-9a-fA-F]{4})$/.exec(path);
    if (rpvMatch) return { rpv: parseInt(rpvMatch[1]!, 16) };
    const alias = sfd?.aliases.get(path);
    if (alias) {
      const target = this.resolve(alias.target);
      return { ...target, alias };
    }
    const v = sfd?.variables.get(path);
    if (v) return { v };
    throw new ApiError('InvalidRequest', sfd ? `${path} is neither a variable, an alias nor an RPV path of ${sfd.fileName}` : `${path}: no firmware description loaded (RPVs are /rpv/xNNNN)`);
  }

  async watchPaths(d: DeviceDescription, a: Args<'watchPaths'>) {
    const sfd = this.s.sfd;
    const endianness = sfd?.endianness ?? this.s.options.memoryEndianness;
    const variables: z.input<typeof WatchVariableArgs>[] = [];
    const pointers = new Map<string, { path: string; offset: number }>();
    const extra: { path: string; signalId: number | null; enum?: Record<string, number>; note?: string }[] = [];
    const rpvAliases = this.s.poller.rpvAliases.filter((x) => !a.paths.includes(x.path));
    for (const path of a.paths) {
      const r = this.resolve(path);
      if (r.rpv !== undefined) {
        const entry = d.rpvs.find((x) => x.id === r.rpv);
        if (!entry) throw new ApiError('InvalidRequest', `the device has no RPV ${path}`);
        if (r.alias) {
          // An alias of an RPV: its own signal, sampled (scaled) each time the RPV is polled.
          const signalId = this.s.ctx.signal(path);
          rpvAliases.push({ path, rpvId: entry.id, signalId, gain: r.alias.gain, offset: r.alias.offset, last: NaN });
          extra.push({ path, signalId, ...(this.s.options.pollRpvs ? {} : { note: 'RPV polling is off in this session: the alias has no values' }) });
        } else {
          extra.push({ path, signalId: this.s.options.pollRpvs ? entry.signalId : null });
        }
        continue;
      }
      const v = r.v!;
      if (v.pointer) {
        // The pointer is watched too: each poll reads it, and a new value moves the variable.
        const ptr = sfd?.variables.get(v.pointer.path);
        if (ptr && ptr.address !== null && !a.paths.includes(ptr.path) && !variables.some((x) => x.path === ptr.path)) {
          variables.push({ path: ptr.path, address: ptr.address, type: typeName(ptr.type), endianness });
        }
        pointers.set(path, v.pointer);
      }
      variables.push({
        path, address: await this.addressOf(d, v), type: typeName(v.type),
        ...(v.bitSize !== undefined ? { bitOffset: v.bitOffset ?? 0, bitSize: v.bitSize } : {}),
        endianness,
        ...(r.alias ? { gain: r.alias.gain, offset: r.alias.offset } : {}),
      });
      if (v.enum) extra.push({ path, signalId: null, enum: v.enum.values });
    }
    const res = await this.watch.watch(d, { variables: variables as z.output<typeof WatchVariableArgs>[] }, pointers);
    this.s.poller.rpvAliases = rpvAliases;
    const enums = new Map(extra.filter((e) => e.enum).map((e) => [e.path, e.enum]));
    return {
      watched: res.watched + rpvAliases.length,
      signals: [
        ...res.signals.map((sg) => ({ ...sg, ...(enums.get(sg.path) ? { enum: enums.get(sg.path) } : {}) })),
        ...extra.filter((e) => !e.enum),
      ],
    };
  }

  async writePath(d: DeviceDescription, a: Args<'writePath'>) {
    const r = this.resolve(a.path);
    let value: number;
    if (typeof a.value === 'boolean') value = a.value ? 1 : 0;
    else if (typeof a.value === 'number') value = a.value;
    else {
      const text = a.value.trim();
      const named = r.v?.enum?.values[text];
      if (named !== undefined) value = named;
      else if (/^(true|false)$/i.test(text)) value = /^true$/i.test(text) ? 1 : 0;
      else if (/^-?0x[0-9a-f]+$/i.test(text)) value = text.startsWith('-') ? -parseInt(text.slice(3), 16) : parseInt(text.slice(2), 16);
      else if (text !== '' && Number.isFinite(Number(text))) value = Number(text);
      else {
        const names = r.v?.enum ? ` or one of ${Object.keys(r.v.enum.values).join(', ')}` : '';
        throw new ApiError('InvalidRequest', `${a.path}: "${text}" is not a number, hex (0x..) or boolean${names}`);
      }
    }
    let raw = value;
    if (r.alias) {
      // A description may leave min or max out (null): no bound on that side.
      const lo = Number.isFinite(r.alias.min) ? r.alias.min : -Infinity;
      const hi = Number.isFinite(r.alias.max) ? r.alias.max : Infinity;
      const limited = checkWriteValue(value, {
        what: a.path, min: lo, max: hi, integer: false, text: `${Number.isFinite(lo) ? lo : 'any'} to ${Number.isFinite(hi) ? hi : 'any'}`,
      }, a.saturate);
      raw = (limited - r.alias.offset) / r.alias.gain;
    }
    const targetType = r.rpv !== undefined ? this.s.rpvType(r.rpv) : r.v!.type;
    const kind = targetType >> 4;
    if (r.alias && kind !== TypeKind.float) raw = snapToInteger(raw);
    const named = (e: unknown) => {
      // The refusal names what was written to: "/alias/speed: 12.5 gives the raw value 125.5: 125.5 is not a whole number ...".
      if (e instanceof ApiError && e.code === 'InvalidRequest') {
        throw new ApiError('InvalidRequest', `${a.path}: ${raw !== value ? `${value} gives the raw value ${raw}: ` : ''}${e.message}`);
      }
      throw e;
    };
    if (r.rpv !== undefined) {
      const done = await this.rpv.writeRpv(d, { id: r.rpv, value: raw, saturate: a.saturate }).catch(named);
      return { path: a.path, written: done.written };
    }
    const v = r.v!;
    const done = await this.memory.writeVariable(d, {
      address: await this.addressOf(d, v), type: typeName(v.type), value: raw, saturate: a.saturate,
      ...(v.bitSize !== undefined ? { bitOffset: v.bitOffset ?? 0, bitSize: v.bitSize } : {}),
      endianness: this.s.sfd?.endianness ?? this.s.options.memoryEndianness,
    }).catch(named);
    return { path: a.path, written: done.written };
  }
}
