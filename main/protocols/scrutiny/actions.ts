// The Scrutiny requests a client can make through `sessionAction`: memory, RPVs,
// watched variables, the user command and datalogging. Arguments are checked with
// zod, and a request the device would refuse (writes disabled, a forbidden or
// read-only region, too many signals) is refused here, before anything is sent.
import { z } from 'zod';
import { DataLogControl, DeviceResponseError } from './commands';
import { crc32 } from './crc32';
import { DL_CONDITION_OPERANDS, DL_CONDITIONS, encodeDlConfig, type DlConfig, type DlOperand, type DlSignal } from './datalog-config';
import { fromHex, toHex } from './hex';
import { requests, responses, walkRpvValues } from './messages';
import { decodeValue, encodeValue, isNumericType, typeFromName, TypeKind, typeName, typeSize } from './value-types';
import { RequestCancelled, RequestTimeout } from './requester';
import type { DeviceDescription, ScrutinySession } from './session';
import { readFile } from 'node:fs/promises';
import { insideDataFolder } from '../../files/data-folder';
import { parseSfd, SfdError, type SfdAlias, type SfdVariable } from './sfd';
import { installSfd, listInstalledSfd, uninstallSfd } from './sfd-store';
import { storeAcquisition } from './acquisition-store';
import { bitFieldRange, checkWriteValue, snapToInteger, typeRange } from './write-value';
import type { WatchedVariable } from './watch';
import { ApiError } from '../../../shared/api/errors';
import type { ActionHandlers, ParsedArgsOf } from '../../../shared/api/actions';
import { ScrutinyActionTable, WatchVariableArgs, type VariableEntry } from '../../../shared/api/scrutiny';

type Args<N extends keyof typeof ScrutinyActionTable> = ParsedArgsOf<(typeof ScrutinyActionTable)[N]>;

interface DlSignalPlan { name: string; kind: DlSignal['kind']; size: number; type: number; little: boolean }

function touches(start: number, length: number, r: { start: number; end: number }): boolean {
  return start <= r.end && start + length - 1 >= r.start;
}

function hexAddr(a: number): string {
  return `0x${a.toString(16).padStart(8, '0')}`;
}

export class ScrutinyActions {
  private dlPlan: { config: DlConfig; signals: DlSignalPlan[]; entrySize: number; timestep: number | null; condition: string; loopName: string } | null = null;
  private configCounter = 0;

  constructor(private readonly s: ScrutinySession) {}

  /** The handlers of shared/api/scrutiny.ts's table; arguments arrive validated (invokeAction). */
  readonly handlers = {
    readMemory: (a) => this.onDevice((d) => this.readMemory(d, a)),
    writeMemory: (a) => this.onDevice((d) => this.writeMemory(d, a)),
    writeVariable: (a) => this.onDevice((d) => this.writeVariable(d, a)),
    listRpvs: () => this.onDevice((d) => this.listRpvs(d)),
    readRpv: (a) => this.onDevice((d) => this.readRpv(d, a)),
    writeRpv: (a) => this.onDevice((d) => this.writeRpv(d, a)),
    watch: (a) => this.onDevice((d) => this.watch(d, a)),
    unwatch: (a) => this.onDevice((d) => this.unwatch(d, a)),
    watchStatus: () => this.onDevice(() => this.watchStatus()),
    userCommand: (a) => this.onDevice((d) => this.userCommand(d, a)),
    dlConfigure: (a) => this.onDevice((d) => this.dlConfigure(d, a)),
    dlArm: () => this.onDevice((d) => this.dlArm(d)),
    dlDisarm: () => this.onDevice((d) => this.dlDisarm(d)),
    dlReset: () => this.onDevice((d) => this.dlReset(d)),
    dlStatus: () => this.onDevice((d) => this.dlStatus(d)),
    dlWait: (a) => this.onDevice((d) => this.dlWait(d, a)),
    dlRead: () => this.onDevice((d) => this.dlRead(d)),
    watchPaths: (a) => this.onDevice((d) => this.watchPaths(d, a)),
    writePath: (a) => this.onDevice((d) => this.writePath(d, a)),
    loadSfd: (a) => this.loadSfd(a),
    sfdInfo: () => this.sfdInfo(),
    listVariables: (a) => this.listVariables(a),
    installSfd: (a) => this.offDevice(() => this.installSfd(a)),
    listInstalledSfd: () => this.offDevice(() => this.listInstalledSfd()),
    uninstallSfd: (a) => this.offDevice(() => this.uninstallSfd(a)),
    watchValues: () => this.offDevice(() => this.watchValues()),
    dlProgress: () => this.offDevice(() => this.dlProgress()),
  } satisfies ActionHandlers<typeof ScrutinyActionTable>;

  /** An action that talks to the device: refused when there is none; the requester's failures become typed errors. */
  private async onDevice<R>(run: (d: DeviceDescription) => Promise<R>): Promise<R> {
    const dev = this.s.requireDevice();
    try {
      return await run(dev);
    } catch (e) {
      if (e instanceof ApiError) throw e;
      if (e instanceof DeviceResponseError) throw new ApiError('OperationFailure', e.message);
      if (e instanceof RequestTimeout) throw new ApiError('Timeout', e.message);
      if (e instanceof RequestCancelled) throw new ApiError('NotConnected', `request cancelled: ${e.message}`);
      throw new ApiError('OperationFailure', (e as Error).message);
    }
  }

  /** An action on the engine's side (files, the watch table): a bad firmware description is the request's fault. */
  private async offDevice<R>(run: () => Promise<R>): Promise<R> {
    try {
      return await run();
    } catch (e) {
      if (e instanceof SfdError) throw new ApiError('InvalidRequest', e.message);
      if (e instanceof ApiError) throw e;
      throw new ApiError('OperationFailure', (e as Error).message);
    }
  }

  // ---------------------------------------------------------------- memory

  private refuseRead(d: DeviceDescription, start: number, length: number): void {
    for (const r of d.forbiddenRegions) {
      if (touches(start, length, r)) throw new ApiError('InvalidRequest', `${hexAddr(start)}+${length} touches the forbidden region ${hexAddr(r.start)}..${hexAddr(r.end)}: not sent`);
    }
  }

  private refuseWrite(d: DeviceDescription, start: number, length: number): void {
    if (!d.features.memoryWrite) throw new ApiError('InvalidRequest', 'the device does not allow memory writes (SupportedFeatures bit 7 is clear): not sent');
    this.refuseRead(d, start, length);
    for (const r of d.readonlyRegions) {
      if (touches(start, length, r)) throw new ApiError('InvalidRequest', `${hexAddr(start)}+${length} touches the read-only region ${hexAddr(r.start)}..${hexAddr(r.end)}: not sent`);
    }
  }

  private async readMemory(d: DeviceDescription, a: Args<'readMemory'>) {
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

  private async writeBlocks(d: DeviceDescription, address: number, data: Uint8Array, mask: Uint8Array | null): Promise<void> {
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

  private async writeMemory(d: DeviceDescription, a: Args<'writeMemory'>) {
    const data = fromHex(a.hexData)!;
    if (data.length === 0) throw new ApiError('InvalidRequest', 'hexData is empty: nothing to write');
    const mask = a.maskHex !== undefined ? fromHex(a.maskHex)! : null;
    if (mask && mask.length !== data.length) throw new ApiError('InvalidRequest', `maskHex has ${mask.length} bytes where hexData has ${data.length}`);
    await this.writeBlocks(d, a.address, data, mask);
    return { address: a.address, length: data.length };
  }

  private async writeVariable(d: DeviceDescription, a: Args<'writeVariable'>) {
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

  // ---------------------------------------------------------------- RPVs

  private async listRpvs(d: DeviceDescription) {
    return d.rpvs.map((r) => ({ id: r.id, name: r.name, type: typeName(r.type), signalId: r.signalId }));
  }

  private async readRpv(d: DeviceDescription, a: Args<'readRpv'>) {
    const ids = a.ids ?? d.rpvs.map((r) => r.id);
    for (const id of ids) {
      if (this.s.rpvType(id) < 0) throw new ApiError('InvalidRequest', `the device has no RPV 0x${id.toString(16)}`);
    }
    const values: { id: number; name: string; type: string; value: number }[] = [];
    let batch: number[] = [];
    let resp = 0;
    const flush = async () => {
      if (!batch.length) return;
      const payload = await this.s.request(requests.readRpv(batch));
      const err = walkRpvValues(payload, (id) => this.s.rpvType(id), (id, value) => {
        values.push({ id, name: `/rpv/x${id.toString(16).toUpperCase().padStart(4, '0')}`, type: typeName(this.s.rpvType(id)), value });
      });
      if (err) throw new ApiError('OperationFailure', err);
      batch = [];
      resp = 0;
    };
    for (const id of ids) {
      const size = 2 + typeSize(this.s.rpvType(id));
      if ((batch.length + 1) * 2 > d.params.rxBufferSize || resp + size > d.params.txBufferSize) await flush();
      batch.push(id);
      resp += size;
    }
    await flush();
    return { values };
  }

  private async writeRpv(d: DeviceDescription, a: Args<'writeRpv'>) {
    if (!d.features.memoryWrite) throw new ApiError('InvalidRequest', 'the device does not allow writes (SupportedFeatures bit 7 is clear): not sent');
    const type = this.s.rpvType(a.id);
    if (type < 0) throw new ApiError('InvalidRequest', `the device has no RPV 0x${a.id.toString(16)}`);
    if (!isNumericType(type)) throw new ApiError('InvalidRequest', `RPV 0x${a.id.toString(16)} is a ${typeName(type)}: not writable as a number`);
    const value = checkWriteValue(typeof a.value === 'boolean' ? (a.value ? 1 : 0) : a.value, typeRange(type), a.saturate);
    const got = this.s.parsed(responses.writeRpv(await this.s.request(requests.writeRpv([{ id: a.id, type, value }]))));
    if (got.length !== 1 || got[0]!.id !== a.id || got[0]!.size !== typeSize(type)) {
      throw new ApiError('OperationFailure', `WriteRPV response ${JSON.stringify(got)} (expected id 0x${a.id.toString(16)} size ${typeSize(type)})`);
    }
    return { id: a.id, type: typeName(type), written: value };
  }

  // ---------------------------------------------------------------- watch

  private async watch(d: DeviceDescription, a: Args<'watch'>, pointers?: Map<string, { path: string; offset: number }>) {
    const next = a.replace ? [] : this.s.watched.filter((w) => !a.variables.some((v) => v.path === w.path));
    const added: { path: string; signalId: number }[] = [];
    for (const v of a.variables) {
      const type = typeFromName(v.type)!;
      this.refuseRead(d, v.address, typeSize(type));
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
    const before = this.s.watched;
    this.s.watched = next;
    try {
      this.s.replan();
    } catch (e) {
      this.s.watched = before;
      this.s.replan();
      throw new ApiError('InvalidRequest', (e as Error).message);
    }
    return { watched: this.s.watched.length, signals: added };
  }

  private async unwatch(_d: DeviceDescription, a: Args<'unwatch'>) {
    const before = this.s.watched.length;
    this.s.watched = a.paths ? this.s.watched.filter((w) => !a.paths!.includes(w.path)) : [];
    this.s.rpvAliases = a.paths ? this.s.rpvAliases.filter((w) => !a.paths!.includes(w.path)) : [];
    this.s.replan();
    return { removed: before - this.s.watched.length, watched: this.s.watched.length };
  }

  private async watchStatus() {
    return {
      variables: this.s.watched.map((w) => ({ path: w.path, signalId: w.signalId, address: w.address, type: typeName(w.type) })),
      refreshRateHz: this.s.refreshRateHz,
      pollCycles: this.s.pollCycles,
    };
  }

  // ---------------------------------------------------------------- user command

  private async userCommand(d: DeviceDescription, a: Args<'userCommand'>) {
    if (!d.features.userCommand) throw new ApiError('InvalidRequest', 'the device does not support user commands (SupportedFeatures bit 5 is clear): not sent');
    const data = fromHex(a.hexData)!;
    if (data.length > d.params.rxBufferSize) throw new ApiError('InvalidRequest', `${data.length} bytes exceed the device's ${d.params.rxBufferSize}-byte receive buffer`);
    const reply = await this.s.request(requests.userCommand(a.subfunction, data));
    return { subfunction: a.subfunction, hexData: toHex(reply) };
  }

  // ---------------------------------------------------------------- datalogging

  private requireDatalogging(d: DeviceDescription) {
    if (!d.features.datalogging || !d.datalogSetup) throw new ApiError('InvalidRequest', 'the device does not support datalogging (SupportedFeatures bit 6 is clear)');
    return d.datalogSetup;
  }

  private async dlConfigure(d: DeviceDescription, a: Args<'dlConfigure'>) {
    const setup = this.requireDatalogging(d);
    const loop = d.loops.find((l) => l.id === a.loopId);
    if (!loop) throw new ApiError('InvalidRequest', `the device has no loop ${a.loopId} (loops: ${d.loops.map((l) => `${l.id} ${l.name}`).join(', ')})`);
    if (!loop.dataloggingAllowed) throw new ApiError('InvalidRequest', `loop ${loop.id} "${loop.name}" does not allow datalogging`);
    if (a.signals.length > setup.maxSignals) throw new ApiError('InvalidRequest', `${a.signals.length} signals: the device logs at most ${setup.maxSignals}`);
    const need = DL_CONDITION_OPERANDS[a.condition];
    if (a.operands.length !== need) throw new ApiError('InvalidRequest', `condition ${a.condition} takes ${need} operand(s), got ${a.operands.length}`);
    const little = this.s.options.memoryEndianness === 'little';
    const operands: DlOperand[] = a.operands.map((o) => {
      if (o.kind === 'literal') return o;
      if (o.kind === 'rpv') {
        if (this.s.rpvType(o.id) < 0) throw new ApiError('InvalidRequest', `the device has no RPV 0x${o.id.toString(16)}`);
        return o;
      }
      const type = typeFromName(o.type)!;
      this.refuseRead(d, o.address, typeSize(type));
      return o.kind === 'var' ? { kind: 'var', type, address: o.address } : { kind: 'varbit', type, address: o.address, bitOffset: o.bitOffset, bitSize: o.bitSize };
    });
    const signals: DlSignal[] = [];
    const plan: DlSignalPlan[] = [];
    for (const [i, sg] of a.signals.entries()) {
      if (sg.kind === 'memory') {
        const type = typeFromName(sg.type)!;
        const size = typeSize(type);
        this.refuseRead(d, sg.address, size);
        signals.push({ kind: 'memory', address: sg.address, size });
        plan.push({ name: sg.name ?? `${hexAddr(sg.address)}:${sg.type}`, kind: 'memory', size, type, little });
      } else if (sg.kind === 'rpv') {
        const type = this.s.rpvType(sg.id);
        if (type < 0) throw new ApiError('InvalidRequest', `signal ${i}: the device has no RPV 0x${sg.id.toString(16)}`);
        signals.push({ kind: 'rpv', id: sg.id });
        plan.push({ name: sg.name ?? `/rpv/x${sg.id.toString(16).toUpperCase().padStart(4, '0')}`, kind: 'rpv', size: typeSize(type), type, little: false });
      } else {
        signals.push({ kind: 'time' });
        plan.push({ name: sg.name ?? 'time', kind: 'time', size: 4, type: (TypeKind.uint << 4) | 2, little: false });
      }
    }
    const entrySize = plan.reduce((n, p) => n + p.size, 0);
    if (entrySize > setup.bufferSize) throw new ApiError('InvalidRequest', `one entry of ${entrySize} bytes exceeds the ${setup.bufferSize}-byte datalogging buffer`);
    this.configCounter = (this.configCounter + 1) & 0xffff;
    const config: DlConfig = {
      loopId: a.loopId, configId: this.configCounter, decimation: a.decimation, probeLocation: a.probeLocation,
      timeout100ns: Math.round(a.timeoutS * 1e7), condition: DL_CONDITIONS.indexOf(a.condition),
      holdTime100ns: Math.round(a.holdTimeS * 1e7), operands, signals,
    };
    const payload = encodeDlConfig(config, d.params.addressSize);
    if (payload.length > d.params.rxBufferSize) throw new ApiError('InvalidRequest', `the configuration takes ${payload.length} bytes, more than the device's ${d.params.rxBufferSize}-byte receive buffer`);
    await this.s.request(requests.datalog(DataLogControl.Configure, payload));
    this.dlPlan = { config, signals: plan, entrySize, timestep: loop.timestep100ns !== null ? loop.timestep100ns * 1e-7 * a.decimation : null, condition: a.condition, loopName: loop.name };
    await this.s.pollDlStatus();
    return { configId: config.configId, entrySize, maxPoints: Math.floor(setup.bufferSize / entrySize) };
  }

  private async dlArm(d: DeviceDescription) {
    this.requireDatalogging(d);
    await this.s.request(requests.datalog(DataLogControl.Arm));
    await this.s.pollDlStatus();
    return this.dlStatus(d);
  }

  private async dlDisarm(d: DeviceDescription) {
    this.requireDatalogging(d);
    await this.s.request(requests.datalog(DataLogControl.Disarm));
    await this.s.pollDlStatus();
    return this.dlStatus(d);
  }

  private async dlReset(d: DeviceDescription) {
    this.requireDatalogging(d);
    await this.s.request(requests.datalog(DataLogControl.Reset));
    this.dlPlan = null;
    await this.s.pollDlStatus();
    return this.dlStatus(d);
  }

  private async dlStatus(d: DeviceDescription) {
    this.requireDatalogging(d);
    const st = this.s.parsed(responses.datalogStatus(await this.s.request(requests.datalog(DataLogControl.GetStatus))));
    const names = ['idle', 'configured', 'armed', 'triggered', 'completed', 'error'];
    return {
      state: names[st.state] ?? `state ${st.state}`,
      completionRatio: st.bytesToAcquireAfterTrigger > 0 ? Math.min(1, st.writeCounterSinceTrigger / st.bytesToAcquireAfterTrigger) : null,
      bytesToAcquireAfterTrigger: st.bytesToAcquireAfterTrigger,
      writeCounterSinceTrigger: st.writeCounterSinceTrigger,
    };
  }

  private async dlWait(d: DeviceDescription, a: Args<'dlWait'>) {
    const until = performance.now() + a.timeoutS * 1000;
    for (;;) {
      const st = await this.dlStatus(d);
      if (st.state === 'completed' || st.state === 'error') return st;
      if (performance.now() > until) throw new ApiError('Timeout', `acquisition not completed after ${a.timeoutS} s (state ${st.state})`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  private async dlRead(d: DeviceDescription) {
    this.requireDatalogging(d);
    const plan = this.dlPlan;
    if (!plan) throw new ApiError('InvalidRequest', 'no acquisition configured from this session: run dlConfigure first');
    const meta = this.s.parsed(responses.acquisitionMetadata(await this.s.request(requests.datalog(DataLogControl.GetAcquisitionMetadata))));
    if (meta.configId !== plan.config.configId) {
      throw new ApiError('OperationFailure', `the device holds an acquisition of configuration ${meta.configId}, not ${plan.config.configId} as configured here`);
    }
    const data = new Uint8Array(meta.dataSize);
    let got = 0;
    let expectedCounter: number | null = null;
    let crcOk: boolean;
    this.s.download = { received: 0, total: meta.dataSize };
    this.s.followDatalogger();
    try {
      for (let chunk = 0; ; chunk++) {
        if (chunk > meta.dataSize + 1) throw new ApiError('OperationFailure', 'ReadAcquisition never finished');
        const c = this.s.parsed(responses.acquisitionChunk(await this.s.request(requests.datalog(DataLogControl.ReadAcquisition))));
        if (c.acquisitionId !== meta.acquisitionId) throw new ApiError('OperationFailure', `ReadAcquisition chunk of acquisition ${c.acquisitionId} (expected ${meta.acquisitionId})`);
        if (expectedCounter !== null && c.rollingCounter !== expectedCounter) {
          throw new ApiError('OperationFailure', `ReadAcquisition chunk with rolling counter ${c.rollingCounter} (expected ${expectedCounter}): a chunk was lost`);
        }
        expectedCounter = (c.rollingCounter + 1) & 0xff;
        const body = c.finished ? c.data.subarray(0, Math.max(0, c.data.length - 4)) : c.data;
        if (got + body.length > data.length) throw new ApiError('OperationFailure', `ReadAcquisition sent more than the ${meta.dataSize} bytes announced`);
        data.set(body, got);
        got += body.length;
        this.s.download = { received: got, total: meta.dataSize };
        if (c.finished) {
          if (c.data.length < 4) throw new ApiError('OperationFailure', 'the last ReadAcquisition chunk has no CRC');
          const t = c.data.length - 4;
          const want = ((c.data[t]! << 24) | (c.data[t + 1]! << 16) | (c.data[t + 2]! << 8) | c.data[t + 3]!) >>> 0;
          const have = crc32(data, 0, got);
          if (want !== have) throw new ApiError('OperationFailure', `acquisition CRC 0x${want.toString(16).padStart(8, '0')} does not match the data received (0x${have.toString(16).padStart(8, '0')}): download rejected`);
          crcOk = true;
          break;
        }
      }
    } finally {
      this.s.download = null;
    }
    if (got !== meta.dataSize) throw new ApiError('OperationFailure', `ReadAcquisition delivered ${got} bytes (${meta.dataSize} announced)`);
    const n = Math.floor(got / plan.entrySize);
    const series = plan.signals.map((p) => ({ name: p.name, kind: p.kind, values: new Array<number>(n) }));
    const timeIdx = plan.signals.findIndex((p) => p.kind === 'time');
    for (let i = 0; i < n; i++) {
      let at = i * plan.entrySize;
      for (let k = 0; k < plan.signals.length; k++) {
        const p = plan.signals[k]!;
        series[k]!.values[i] = decodeValue(data, at, p.type, p.little);
        at += p.size;
      }
    }
    let time: number[];
    if (timeIdx >= 0) {
      const raw = series[timeIdx]!.values;
      time = raw.map((v) => (((v - raw[0]!) >>> 0) * 1e-7));
    } else {
      const step = plan.timestep ?? 1;
      time = Array.from({ length: n }, (_, i) => i * step);
    }
    const triggerIndex = Math.max(0, n - meta.pointsAfterTrigger);
    const timeUnit = timeIdx >= 0 || plan.timestep !== null ? 's' : 'sample';
    // Kept in the engine's acquisitions store (one entry holding every logged signal) when it has a data folder.
    let stored: { id: string; signals: string[] } | null = null;
    try {
      stored = await storeAcquisition(this.s.ctx.userDataDir ?? null, {
        sessionId: this.s.ctx.sessionId, session: this.s.device?.discover.displayName ?? 'Scrutiny',
        acquisitionId: meta.acquisitionId, condition: plan.condition, loopName: plan.loopName,
        triggerIndex, time, timeUnit, signals: series.filter((_sg, k) => k !== timeIdx),
      });
    } catch (e) {
      this.s.ctx.console('info', `acquisition ${meta.acquisitionId} not stored: ${(e as Error).message}`, Date.now() / 1000);
    }
    return {
      acquisitionId: meta.acquisitionId,
      configId: meta.configId,
      nPoints: n,
      pointsAfterTrigger: meta.pointsAfterTrigger,
      triggerIndex,
      timeUnit,
      crcOk,
      time,
      signals: series,
      stored,
    };
  }

  // ---------------------------------------------------------------- firmware description

  private async loadSfd(a: Args<'loadSfd'>) {
    const fileName = a.fileName ?? a.path ?? 'uploaded.sfd';
    let bytes: Uint8Array;
    if (a.path !== undefined) {
      const inside = insideDataFolder(this.s.ctx.userDataDir ?? null, a.path, 'SFD path');
      if ('refused' in inside) throw new ApiError('InvalidRequest', inside.refused);
      try {
        bytes = await readFile(inside.path);
      } catch (e) {
        throw new ApiError('InvalidRequest', `cannot read ${a.path}: ${(e as Error).message}`);
      }
    } else {
      bytes = Buffer.from(a.base64!, 'base64');
    }
    try {
      const sfd = parseSfd(bytes, fileName);
      const warning = this.s.loadSfd(sfd);
      return { firmwareId: sfd.firmwareId, variables: sfd.variables.size, aliases: sfd.aliases.size, metadata: sfd.metadata, warning };
    } catch (e) {
      if (e instanceof SfdError) throw new ApiError('InvalidRequest', e.message);
      throw e;
    }
  }

  private requireSfd() {
    const sfd = this.s.sfd;
    if (!sfd) throw new ApiError('InvalidRequest', 'no firmware description loaded: run loadSfd with the .sfd of this firmware');
    return sfd;
  }

  private async sfdInfo() {
    const sfd = this.s.sfd;
    if (!sfd) return null;
    return { fileName: sfd.fileName, firmwareId: sfd.firmwareId, endianness: sfd.endianness, metadata: sfd.metadata, variables: sfd.variables.size, aliases: sfd.aliases.size };
  }

  /** The variable tree as a flat, sorted list of leaves (variables, aliases, RPVs), filtered by a substring. */
  private async listVariables(a: Args<'listVariables'>) {
    const sfd = this.s.sfd;
    const f = a.filter?.toLowerCase();
    const out: VariableEntry[] = [];
    const add = (entry: VariableEntry) => {
      if (!f || entry.path.toLowerCase().includes(f)) out.push(entry);
    };
    for (const v of sfd?.variables.values() ?? []) {
      add({
        path: v.path, kind: 'var', type: v.typeName, address: v.address,
        ...(v.bitSize !== undefined ? { bitOffset: v.bitOffset ?? 0, bitSize: v.bitSize } : {}),
        ...(v.enum ? { enum: v.enum } : {}), ...(v.pointer ? { pointer: v.pointer } : {}),
      });
    }
    for (const al of sfd?.aliases.values() ?? []) add({ path: al.path, kind: 'alias', target: al.target, targetType: al.targetType, gain: al.gain, offset: al.offset, min: al.min, max: al.max });
    for (const r of (this.s.device ?? null)?.rpvs ?? []) add({ path: r.name, kind: 'rpv', type: typeName(r.type), id: r.id });
    out.sort((x, y) => x.path.localeCompare(y.path));
    return { total: out.length, entries: out.slice(0, a.limit) };
  }

  /** A variable's address now: pointed-to variables are resolved by reading their pointer. */
  private async addressOf(d: DeviceDescription, v: SfdVariable): Promise<number> {
    if (v.address !== null) return v.address;
    const sfd = this.requireSfd();
    const ptr = sfd.variables.get(v.pointer!.path);
    if (!ptr || ptr.address === null) throw new ApiError('InvalidRequest', `${v.path}: its pointer ${v.pointer!.path} is not in the description`);
    const size = typeSize(ptr.type);
    const r = await this.readMemory(d, { address: ptr.address, length: size });
    const value = decodeValue(fromHex(r.hexData)!, 0, ptr.type, sfd.endianness === 'little');
    return value + v.pointer!.offset;
  }

  private resolve(path: string): { v?: SfdVariable; rpv?: number; alias?: SfdAlias } {
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

  private async watchPaths(d: DeviceDescription, a: Args<'watchPaths'>) {
    const sfd = this.s.sfd;
    const endianness = sfd?.endianness ?? this.s.options.memoryEndianness;
    const variables: z.input<typeof WatchVariableArgs>[] = [];
    const pointers = new Map<string, { path: string; offset: number }>();
    const extra: { path: string; signalId: number | null; enum?: Record<string, number>; note?: string }[] = [];
    const rpvAliases = this.s.rpvAliases.filter((x) => !a.paths.includes(x.path));
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
    const res = await this.watch(d, { variables: variables as z.output<typeof WatchVariableArgs>[] }, pointers);
    this.s.rpvAliases = rpvAliases;
    const enums = new Map(extra.filter((e) => e.enum).map((e) => [e.path, e.enum]));
    return {
      watched: res.watched + rpvAliases.length,
      signals: [
        ...res.signals.map((sg) => ({ ...sg, ...(enums.get(sg.path) ? { enum: enums.get(sg.path) } : {}) })),
        ...extra.filter((e) => !e.enum),
      ],
    };
  }

  private async watchValues() {
    return {
      refreshRateHz: Math.round(this.s.refreshRateHz * 10) / 10,
      pollCycles: this.s.pollCycles,
      values: [
        ...this.s.watched.map((w) => ({ path: w.path, signalId: w.signalId, address: w.address, type: typeName(w.type), value: Number.isFinite(w.last) ? w.last : null })),
        ...this.s.rpvAliases.map((x) => ({ path: x.path, signalId: x.signalId, rpvId: x.rpvId, value: Number.isFinite(x.last) ? x.last : null })),
      ],
    };
  }

  private async installSfd(a: Args<'installSfd'>) {
    const bytes = Buffer.from(a.base64, 'base64');
    const r = await installSfd(this.s.ctx.userDataDir ?? null, bytes, a.fileName ?? 'uploaded.sfd');
    const device = this.s.device;
    let loaded = false;
    if (device && device.discover.firmwareId === r.firmwareId) {
      this.s.loadSfd(r.description);
      loaded = true;
    }
    const { description: _d, ...info } = r;
    return { ...info, loaded };
  }

  private async listInstalledSfd() {
    return { installed: await listInstalledSfd(this.s.ctx.userDataDir ?? null), current: this.s.sfd?.firmwareId ?? null };
  }

  private async uninstallSfd(a: Args<'uninstallSfd'>) {
    await uninstallSfd(this.s.ctx.userDataDir ?? null, a.firmwareId);
    return { firmwareId: a.firmwareId };
  }

  private async dlProgress() {
    return { download: this.s.download };
  }

  private async writePath(d: DeviceDescription, a: Args<'writePath'>) {
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
      const done = await this.writeRpv(d, { id: r.rpv, value: raw, saturate: a.saturate }).catch(named);
      return { path: a.path, written: done.written };
    }
    const v = r.v!;
    const done = await this.writeVariable(d, {
      address: await this.addressOf(d, v), type: typeName(v.type), value: raw, saturate: a.saturate,
      ...(v.bitSize !== undefined ? { bitOffset: v.bitOffset ?? 0, bitSize: v.bitSize } : {}),
      endianness: this.s.sfd?.endianness ?? this.s.options.memoryEndianness,
    }).catch(named);
    return { path: a.path, written: done.written };
  }
}

