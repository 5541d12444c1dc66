// Datalogging actions: configure an acquisition (trigger, operands, signals), arm, disarm,
// reset, follow its status, and download it: chunks checked by rolling counter and CRC,
// decoded into series by the plan made at configuration, and kept in the acquisitions store.
import { ApiError } from '../../../shared/api/errors';
import { storeAcquisition } from './acquisition-store';
import { hexAddr, type MemoryActions } from './actions-memory';
import type { ScrutinyArgs as Args } from './actions';
import { DataLogControl } from './commands';
import { crc32 } from './crc32';
import { DL_CONDITION_OPERANDS, DL_CONDITIONS, encodeDlConfig, type DlConfig, type DlOperand, type DlSignal } from './datalog-config';
import { requests, responses } from './messages';
import type { DeviceDescription } from './device-description';
import type { ScrutinySession } from './session';
import { decodeValue, typeFromName, TypeKind, typeSize } from './value-types';

interface DlSignalPlan { name: string; kind: DlSignal['kind']; size: number; type: number; little: boolean }

export class DatalogActions {
  private dlPlan: { config: DlConfig; signals: DlSignalPlan[]; entrySize: number; timestep: number | null; condition: string; loopName: string } | null = null;
  private configCounter = 0;

  constructor(private readonly s: ScrutinySession, private readonly memory: MemoryActions) {}

  requireDatalogging(d: DeviceDescription) {
    if (!d.features.datalogging || !d.datalogSetup) throw new ApiError('InvalidRequest', 'the device does not support datalogging (SupportedFeatures bit 6 is clear)');
    return d.datalogSetup;
  }

  async dlConfigure(d: DeviceDescription, a: Args<'dlConfigure'>) {
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
      this.memory.refuseRead(d, o.address, typeSize(type));
      return o.kind === 'var' ? { kind: 'var', type, address: o.address } : { kind: 'varbit', type, address: o.address, bitOffset: o.bitOffset, bitSize: o.bitSize };
    });
    const signals: DlSignal[] = [];
    const plan: DlSignalPlan[] = [];
    for (const [i, sg] of a.signals.entries()) {
      if (sg.kind === 'memory') {
        const type = typeFromName(sg.type)!;
        const size = typeSize(type);
        this.memory.refuseRead(d, sg.address, size);
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
    await this.s.dlStatus.poll();
    return { configId: config.configId, entrySize, maxPoints: Math.floor(setup.bufferSize / entrySize) };
  }

  async dlArm(d: DeviceDescription) {
    this.requireDatalogging(d);
    await this.s.request(requests.datalog(DataLogControl.Arm));
    await this.s.dlStatus.poll();
    return this.dlStatus(d);
  }

  async dlDisarm(d: DeviceDescription) {
    this.requireDatalogging(d);
    await this.s.request(requests.datalog(DataLogControl.Disarm));
    await this.s.dlStatus.poll();
    return this.dlStatus(d);
  }

  async dlReset(d: DeviceDescription) {
    this.requireDatalogging(d);
    await this.s.request(requests.datalog(DataLogControl.Reset));
    this.dlPlan = null;
    await this.s.dlStatus.poll();
    return this.dlStatus(d);
  }

  async dlStatus(d: DeviceDescription) {
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

  async dlWait(d: DeviceDescription, a: Args<'dlWait'>) {
    const until = performance.now() + a.timeoutS * 1000;
    for (;;) {
      const st = await this.dlStatus(d);
      if (st.state === 'completed' || st.state === 'error') return st;
      if (performance.now() > until) throw new ApiError('Timeout', `acquisition not completed after ${a.timeoutS} s (state ${st.state})`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  async dlRead(d: DeviceDescription) {
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
    this.s.dlStatus.follow();
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

  async dlProgress() {
    return { download: this.s.download };
  }
}
