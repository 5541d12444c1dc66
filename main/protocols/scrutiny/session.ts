// Benchscope as the Scrutiny host of one device: Discover, Connect, the info poll in
// the reference server's order, heartbeats, lost-session detection and reconnect,
// then RPV polling and watched memory variables into the telemetry store.
import type { DataloggingInfo, DeviceInfo } from '../../../shared/api/contract';
import { type AdapterContext, type ProtocolAdapter, type ProtocolCounters } from '../adapter';
import { encodeRequest, FrameDecoder } from './codec';
import { Cmd, commandName, CommControl, DataLogControl, DeviceResponseError, GetInfo, ResponseCode } from './commands';
import {
  requests, responses, walkRpvValues, type CommParams, type DataloggingSetup, type DiscoverInfo, type LoopDefinition,
  type RegionLocation, type RpvDefinition, type SupportedFeatures,
} from './messages';
import type { Parsed } from './payload';
import { typeName } from './value-types';
import { ScrutinyActions } from './actions';
import type { ScrutinyOptions } from '../../../shared/api/scrutiny-options';
import { RequestCancelled, Requester, RequestTimeout, type PendingRequest } from './requester';
import { emulatorSfd } from './emulator-sfd';
import { EMU_FIRMWARE_ID } from './emulator-memory';
import { parseSfd, type FirmwareDescription } from './sfd';
import { readInstalledSfd } from './sfd-store';
import { decodeReadResponse, planReads, type ReadRequestPlan, type WatchedVariable } from './watch';
import { ApiError } from '../../../shared/api/errors';

const DISCOVER_TIMEOUT_MS = 300;
const RETRY_DELAY_MS = 300;
const BUSY_RETRY_MS = 1000;
/** Requests without answer in a row that mean the device is gone. */
const LOST_AFTER_TIMEOUTS = 3;
/** Of the device's heartbeat timeout, what LOST_AFTER_TIMEOUTS polling timeouts may take: a silence is seen before the device drops the session. */
const LOST_WITHIN = 0.8;
/** Datalogger status polls while it can change (armed, triggered, a download), and while idle. */
const DL_STATUS_FAST_MS = 200;
const DL_STATUS_IDLE_MS = 1000;

export interface RpvEntry extends RpvDefinition { signalId: number; name: string }

export interface DeviceDescription {
  discover: DiscoverInfo;
  sessionId: number;
  protocol: { major: number; minor: number };
  params: CommParams;
  features: SupportedFeatures;
  readonlyRegions: RegionLocation[];
  forbiddenRegions: RegionLocation[];
  rpvs: RpvEntry[];
  loops: LoopDefinition[];
  datalogSetup: DataloggingSetup | null;
}

class SessionLost extends Error {}

export function rpvSignalName(id: number): string {
  return `/rpv/x${id.toString(16).toUpperCase().padStart(4, '0')}`;
}

export class ScrutinySession implements ProtocolAdapter {
  readonly decoder: FrameDecoder;
  readonly requester: Requester;
  /** Set once the info poll completed; null while (re)connecting. */
  device: DeviceDescription | null = null;
  /** Everything known of the last device, kept while reconnecting so that actions can say why they wait. */
  private lastDevice: DeviceDescription | null = null;
  private readonly rpvTypes = new Int16Array(0x10000).fill(-1);
  private readonly rpvSignals = new Int32Array(0x10000).fill(-1);
  private generation = 0;
  private linkUp = false;
  private errorText: string | null = null;
  private txMessages = 0;
  private payloadErrors = 0;
  private unexpectedResponses = 0;
  private timers = new Set<ReturnType<typeof setTimeout>>();
  private heartbeatTimer: ReturnType<typeof setInterval> | null = null;
  private challenge = (Math.random() * 0xffff) | 0;
  /** The loaded firmware description, if any. */
  sfd: FirmwareDescription | null = null;
  /** Sessions opened with the device since the adapter started (reconnects included). */
  connects = 0;
  lostCount = 0;
  // Polling of RPVs and watched variables.
  watched: WatchedVariable[] = [];
  /** Aliases of RPVs: sampled (scaled) whenever their RPV is polled. */
  rpvAliases: { path: string; rpvId: number; signalId: number; gain: number; offset: number; last: number }[] = [];
  /** Why a pointer did not move its variable (shown as the error until the pointer is fine again). */
  private pointerRefusal: string | null = null;
  /** A ReadAcquisition download under way: bytes received of the total. */
  download: { received: number; total: number } | null = null;
  /**
   * The polling requests, RPVs then memory, read round-robin one at a time: the
   * cursor carries on across a change of the watch list, so no value waits for a
   * cycle that restarts before reaching it.
   */
  private pollFrames: Uint8Array[] = [];
  private pollReads: (ReadRequestPlan | null)[] = [];
  private pollVars: WatchedVariable[] = [];
  private pollCursor = 0;
  /** Bumped by each replan: an answer to a request of an older plan is not decoded with the new one. */
  private planVersion = 0;
  private pollSentVersion = 0;
  private pollSentIndex = 0;
  private polling = false;
  private pollTimer: ReturnType<typeof setTimeout> | null = null;
  private cycleStart = 0;
  /** The one polling request, submitted again for each read (nothing allocated per request). */
  private readonly pollRequest: PendingRequest = {
    frame: new Uint8Array(0), cmd: 0, subfn: 0, timeoutMs: 0,
    answer: (code, payload) => this.onPollAnswer(code, payload),
    fail: (e) => this.onPollFailure(e),
  };
  private readonly rpvTypeOf = (id: number) => this.rpvTypes[id]!;
  private readonly onRpvValue = (id: number, v: number) => this.rpvValue(id, v);
  private sampleT = 0;
  pollCycles = 0;
  private pollRateWindow = { t: 0, cycles: 0, rate: 0 };
  // Datalogging status as the seed reports it.
  dlState: number | null = null;
  dlCompletion: number | null = null;
  private dlTimer: ReturnType<typeof setTimeout> | null = null;
  private readonly requestsTable: ScrutinyActions;

  constructor(readonly ctx: AdapterContext, readonly options: ScrutinyOptions) {
    this.decoder = new FrameDecoder(
      { kind: 'response', maxPayload: 0xffff, rxTimeoutS: options.requestTimeoutMs / 1000, source: `session ${ctx.sessionId}` },
      (cmd, subfn, code, payload, t) => this.onFrame(cmd, subfn, code, payload, t),
    );
    this.requester = new Requester({
      write: (frame) => ctx.write(frame),
      unexpected: (cmd, subfn, code) => {
        this.unexpectedResponses++;
        this.errorText = `received a response to ${commandName(cmd, subfn)} (code ${code}) that no request was waiting for`;
      },
      sent: (p) => {
        this.txMessages++;
        if (ctx.consoleWanted() && !this.isRoutine(p.cmd, p.subfn)) {
          ctx.console('tx', `${commandName(p.cmd, p.subfn)} (${p.frame.length - 8} data bytes)`, Date.now() / 1000);
        }
      },
    });
    this.requestsTable = new ScrutinyActions(this);
  }

  // ---------------------------------------------------------------- ProtocolAdapter

  get ready(): boolean {
    return this.device !== null;
  }

  get counters(): ProtocolCounters {
    const c = this.decoder.counters;
    return {
      rxMessages: c.frames,
      txMessages: this.txMessages,
      frameErrors: c.badCrc + c.oversized + c.badHeaders + c.timeouts + this.payloadErrors + this.unexpectedResponses,
      resyncs: c.resyncs,
    };
  }

  get lastError(): string | null {
    return this.errorText ?? this.decoder.lastError;
  }

  onLinkUp(): void {
    this.linkUp = true;
    this.decoder.reset();
    void this.run(++this.generation);
  }

  onLinkDown(): void {
    this.linkUp = false;
    this.stop('the link went down');
  }

  onData(chunk: Uint8Array, t: number): void {
    // A datagram is one frame: a partial one never continues in the next.
    if (this.ctx.linkKind === 'datagram') this.decoder.reset();
    this.decoder.push(chunk, t);
  }

  deviceInfo(deviceSessionId: string | null): DeviceInfo | null {
    const d = this.device;
    if (!deviceSessionId || !d) return null;
    const p = d.params;
    const region = (r: RegionLocation) => ({ start: r.start, end: r.end });
    return {
      sessionId: deviceSessionId,
      deviceId: d.discover.firmwareId,
      displayName: d.discover.displayName,
      maxTxDataSize: p.txBufferSize,
      maxRxDataSize: p.rxBufferSize,
      maxBitrateBps: p.maxBitrate > 0 ? p.maxBitrate : null,
      rxTimeoutUs: p.rxTimeoutUs,
      heartbeatTimeout: p.heartbeatTimeoutUs / 1e6,
      addressSizeBits: p.addressSize * 8,
      protocolMajor: d.protocol.major,
      protocolMinor: d.protocol.minor,
      supportedFeatures: { ...d.features },
      forbiddenMemoryRegions: d.forbiddenRegions.map(region),
      readonlyMemoryRegions: d.readonlyRegions.map(region),
      dataloggingCapabilities: d.datalogSetup
        ? {
          encoding: 'RAW',
          bufferSize: d.datalogSetup.bufferSize,
          maxNbSignal: d.datalogSetup.maxSignals,
          samplingRates: d.loops.map((l) => ({
            identifier: l.id, name: l.name, frequency: l.timestep100ns ? 1e7 / l.timestep100ns : null,
          })),
        }
        : null,
      extra: {
        deviceSessionId: `0x${d.sessionId.toString(16).padStart(8, '0')}`,
        charBit: p.charBit,
        rpvCount: d.rpvs.length,
        loops: d.loops.map((l) => `${l.id}:${l.name}${l.dataloggingAllowed ? '' : ' (no datalogging)'}`).join(', '),
        watchedVariables: this.watched.length,
        refreshRateHz: Math.round(this.pollRateWindow.rate * 10) / 10,
        reconnects: Math.max(0, this.connects - 1),
      },
    };
  }

  sendText(text: string): boolean {
    // `<cmd> <subfn> [hex payload]`: a raw request, the response shown in the console.
    const m = /^\s*(\w+)\s+(\w+)\s*([0-9a-fA-F\s]*)$/.exec(text);
    if (!m || !this.device) return false;
    const cmd = Number(m[1]);
    const subfn = Number(m[2]);
    const hex = (m[3] ?? '').replace(/\s/g, '');
    if (!Number.isInteger(cmd) || cmd < 1 || cmd > 0x7f || !Number.isInteger(subfn) || subfn < 0 || subfn > 255 || hex.length % 2) return false;
    const payload = Uint8Array.from(hex.match(/../g) ?? [], (h) => parseInt(h, 16));
    void this.requester.request(encodeRequest(cmd, subfn, payload), this.options.requestTimeoutMs).then(
      (resp) => this.ctx.console('rx', `${commandName(cmd, subfn)} OK: ${[...resp].map((b) => b.toString(16).padStart(2, '0')).join(' ')}`, Date.now() / 1000),
      (e: Error) => this.ctx.console('info', e.message, Date.now() / 1000),
    );
    return true;
  }

  get actions(): ScrutinyActions['handlers'] {
    return this.requestsTable.handlers;
  }

  datalogging(): DataloggingInfo {
    const d = this.device;
    if (!d?.features.datalogging || this.dlState === null) return { state: 'NA', completionRatio: null };
    switch (this.dlState) {
      case 2: return { state: 'WaitForTrigger', completionRatio: null };
      case 3: return { state: 'Acquiring', completionRatio: this.dlCompletion };
      case 4: return { state: 'Standby', completionRatio: 1 };
      case 5: return { state: 'Error', completionRatio: null };
      default: return { state: 'Standby', completionRatio: null };
    }
  }

  sfdFirmwareId(): string | null {
    return this.sfd?.firmwareId ?? null;
  }

  /** Loads a firmware description; returns a warning when it is not the connected firmware's. */
  loadSfd(sfd: FirmwareDescription): string | null {
    this.sfd = sfd;
    this.ctx.statusChanged();
    const device = this.device ?? this.lastDevice;
    if (device && device.discover.firmwareId !== sfd.firmwareId) {
      const warning = `${sfd.fileName} describes firmware ${sfd.firmwareId}, but the device runs ${device.discover.firmwareId}: addresses may be wrong`;
      this.ctx.console('info', warning, Date.now() / 1000);
      this.ctx.event('scrutiny.sfdMismatch', { sessionId: this.ctx.sessionId, sfdFirmwareId: sfd.firmwareId, deviceFirmwareId: device.discover.firmwareId });
      return warning;
    }
    return null;
  }

  dispose(): void {
    const d = this.device;
    // Free the device for the next host at once instead of after its heartbeat timeout.
    if (d && this.linkUp) {
      this.ctx.write(requests.disconnect(d.sessionId));
      this.txMessages++;
    }
    this.linkUp = false;
    this.stop('the session was closed');
  }

  // ---------------------------------------------------------------- requests

  /** A request through the one-in-flight queue; the response payload, or a typed error. */
  async request(frame: Uint8Array, timeoutMs = this.options.requestTimeoutMs): Promise<Uint8Array> {
    return this.requester.request(frame, timeoutMs);
  }

  /** Parses a response payload; a malformed one is a counted protocol error. */
  parsed<T>(r: Parsed<T>): T {
    if (r.ok) return r.value;
    this.payloadErrors++;
    this.errorText = r.error;
    throw new SessionLost(r.error);
  }

  private onFrame(cmd: number, subfn: number, code: number, payload: Uint8Array, _t: number): void {
    const routine = this.isRoutine(cmd, subfn);
    if (!routine && this.ctx.consoleWanted()) {
      this.ctx.console('rx', `${commandName(cmd, subfn)} ${code === 0 ? `OK (${payload.length} data bytes)` : `refused: ${new DeviceResponseError(cmd, subfn, code).codeName}`}`, Date.now() / 1000);
    }
    this.requester.onResponse(cmd, subfn, code, payload, payload.length + 9);
  }

  /** Heartbeats and polling: not echoed to the console, which would drown in them. */
  private isRoutine(cmd: number, subfn: number): boolean {
    return (cmd === Cmd.CommControl && subfn === CommControl.Heartbeat)
      || (cmd === Cmd.MemoryControl && (subfn === 4 || subfn === 1))
      || (cmd === Cmd.DataLogControl && subfn === DataLogControl.GetStatus);
  }

  // ---------------------------------------------------------------- connection state machine

  private async run(gen: number): Promise<void> {
    while (gen === this.generation && this.linkUp) {
      try {
        await this.connectOnce(gen);
        return;
      } catch (e) {
        if (gen !== this.generation || !this.linkUp) return;
        const busy = e instanceof DeviceResponseError && e.code === ResponseCode.Busy;
        const previous = this.lastDevice;
        if (busy && previous) {
          // Likely our own session from before a silence: release it rather than wait for its timeout.
          this.ctx.write(requests.disconnect(previous.sessionId));
          this.txMessages++;
        }
        if (busy) this.errorText = 'the device answered Connect with Busy: another host holds its session (it ends after the device\'s heartbeat timeout)';
        else if (!(e instanceof RequestTimeout && this.connects === 0 && !this.lastDevice)) this.errorText = (e as Error).message;
        else this.errorText = `no answer to Discover: is a scrutiny-embedded device at the other end of the link? (${(e as Error).message})`;
        this.requester.cancelAll('reconnecting');
        await this.sleep(busy ? BUSY_RETRY_MS : RETRY_DELAY_MS);
      }
    }
  }

  private async connectOnce(gen: number): Promise<void> {
    const discover = this.parsed(responses.discover(await this.request(requests.discover(), DISCOVER_TIMEOUT_MS)));
    const sessionId = this.parsed(responses.connect(await this.request(requests.connect())));
    this.check(gen);
    try {
      await this.pollDevice(gen, discover, sessionId);
    } catch (e) {
      // Give the half-open session back so that the next Connect is not refused with Busy.
      if (this.heartbeatTimer) clearInterval(this.heartbeatTimer);
      this.heartbeatTimer = null;
      if (this.linkUp) {
        this.ctx.write(requests.disconnect(sessionId));
        this.txMessages++;
      }
      throw e;
    }
  }

  /** The info poll after Connect, in the reference server's order; ends with the session ready. */
  private async pollDevice(gen: number, discover: DiscoverInfo, sessionId: number): Promise<void> {
    // From here the device counts on our heartbeats: start them with the default timeout, adjust after GetParams.
    const info: Partial<DeviceDescription> = { discover, sessionId };
    this.startHeartbeat(gen, sessionId, 5_000_000);
    const version = this.parsed(responses.protocolVersion(await this.request(requests.getInfo(GetInfo.ProtocolVersion))));
    const params = this.parsed(responses.getParams(await this.request(requests.getParams())));
    this.check(gen);
    this.startHeartbeat(gen, sessionId, params.heartbeatTimeoutUs);
    this.requester.maxBitrate = params.maxBitrate;
    this.decoder.setMaxPayload(params.txBufferSize);
    const features = this.parsed(responses.supportedFeatures(await this.request(requests.getInfo(GetInfo.SupportedFeatures))));
    const count = this.parsed(responses.regionCount(await this.request(requests.getInfo(GetInfo.SpecialMemoryRegionCount))));
    const readonlyRegions: RegionLocation[] = [];
    const forbiddenRegions: RegionLocation[] = [];
    for (let i = 0; i < count.readonly; i++) {
      readonlyRegions.push(this.parsed(responses.regionLocation(await this.request(requests.regionLocation(0, i)), params.addressSize)));
    }
    for (let i = 0; i < count.forbidden; i++) {
      forbiddenRegions.push(this.parsed(responses.regionLocation(await this.request(requests.regionLocation(1, i)), params.addressSize)));
    }
    const rpvCount = this.parsed(responses.rpvCount(await this.request(requests.getInfo(GetInfo.RPVCount))));
    const defs: RpvDefinition[] = [];
    const perBatch = Math.max(1, Math.floor(params.txBufferSize / 3));
    while (defs.length < rpvCount) {
      const n = Math.min(perBatch, rpvCount - defs.length);
      const got = this.parsed(responses.rpvDefinition(await this.request(requests.rpvDefinition(defs.length, n))));
      if (got.length !== n) this.parsed({ ok: false, error: `RPVDefinition response with ${got.length} definitions (${n} expected)` });
      defs.push(...got);
    }
    const loopCount = this.parsed(responses.loopCount(await this.request(requests.getInfo(GetInfo.LoopCount))));
    const loops: LoopDefinition[] = [];
    for (let i = 0; i < loopCount; i++) loops.push(this.parsed(responses.loopDefinition(await this.request(requests.loopDefinition(i)))));
    const datalogSetup = features.datalogging
      ? this.parsed(responses.datalogSetup(await this.request(requests.datalog(DataLogControl.GetSetup))))
      : null;
    this.check(gen);
    this.rpvTypes.fill(-1);
    const rpvs: RpvEntry[] = defs.map((d) => {
      const name = rpvSignalName(d.id);
      const signalId = this.ctx.signal(name);
      this.rpvTypes[d.id] = d.type;
      this.rpvSignals[d.id] = signalId;
      return { ...d, name, signalId };
    });
    this.device = {
      ...(info as Required<Pick<DeviceDescription, 'discover' | 'sessionId'>>),
      protocol: version, params, features, readonlyRegions, forbiddenRegions, rpvs, loops, datalogSetup,
    };
    this.lastDevice = this.device;
    this.connects++;
    // An installed description is chosen by the device's firmware id; the emulated device's ships with Benchscope.
    if (!this.sfd || this.sfd.firmwareId !== discover.firmwareId) {
      try {
        const installed = await readInstalledSfd(this.ctx.userDataDir ?? null, discover.firmwareId);
        if (installed) this.sfd = installed;
        else if (discover.firmwareId === EMU_FIRMWARE_ID) this.sfd = parseSfd(emulatorSfd(), 'benchscope-emulator.sfd');
        else if (this.sfd) this.loadSfd(this.sfd); // says it does not match
      } catch (e) {
        this.ctx.console('info', `installed firmware description for ${discover.firmwareId} not loaded: ${(e as Error).message}`, Date.now() / 1000);
      }
      this.check(gen);
    }
    this.errorText = null;
    this.dlState = features.datalogging ? 0 : null;
    this.replan();
    this.ctx.console('info', `connected to "${discover.displayName}" (firmware ${discover.firmwareId}, protocol ${version.major}.${version.minor}, session 0x${sessionId.toString(16)}): ${rpvs.length} RPVs (${rpvs.map((r) => typeName(r.type)).join(', ')}), ${loops.length} loops`, Date.now() / 1000);
    this.ctx.event('scrutiny.connected', { sessionId: this.ctx.sessionId, firmwareId: discover.firmwareId, displayName: discover.displayName });
    this.ctx.statusChanged();
    this.schedulePoll(0);
    if (features.datalogging) this.startDlStatusPoll(gen);
    if (this.options.watchPaths.length > 0 && this.watched.length === 0) {
      this.requestsTable.handlers.watchPaths({ paths: this.options.watchPaths }).catch((e: Error) => {
        this.errorText = `watching ${this.options.watchPaths.join(', ')}: ${e.message}`;
      });
    }
  }

  private check(gen: number): void {
    if (gen !== this.generation) throw new RequestCancelled('superseded');
  }

  private startHeartbeat(gen: number, sessionId: number, timeoutUs: number): void {
    if (this.heartbeatTimer) clearInterval(this.heartbeatTimer);
    const periodMs = Math.max(500, 0.75 * (timeoutUs / 1000));
    this.heartbeatTimer = setInterval(() => void this.heartbeat(gen, sessionId), periodMs);
  }

  private async heartbeat(gen: number, sessionId: number): Promise<void> {
    // A fresh challenge every time: the device refuses one equal to the previous.
    this.challenge = (this.challenge + 1 + ((Math.random() * 0xfffe) | 0)) & 0xffff;
    const challenge = this.challenge;
    try {
      const r = this.parsed(responses.heartbeat(await this.requester.request(requests.heartbeat(sessionId, challenge), this.options.requestTimeoutMs, true)));
      if (r.sessionId !== sessionId || r.challengeResponse !== (~challenge & 0xffff)) {
        this.payloadErrors++;
        throw new SessionLost(`heartbeat answered with session 0x${r.sessionId.toString(16)} and 0x${r.challengeResponse.toString(16)} (expected 0x${sessionId.toString(16)} and 0x${(~challenge & 0xffff).toString(16)})`);
      }
    } catch (e) {
      if (gen !== this.generation || e instanceof RequestCancelled) return;
      this.lost(`heartbeat failed: ${(e as Error).message}`);
    }
  }

  /** The device no longer knows us (or is gone): start over with Discover. */
  lost(why: string): void {
    if (!this.linkUp) return;
    const old = this.device ?? this.lastDevice;
    this.lostCount++;
    this.errorText = `session with the device lost (${why}); reconnecting`;
    this.ctx.console('info', this.errorText, Date.now() / 1000);
    this.ctx.event('scrutiny.sessionLost', { sessionId: this.ctx.sessionId, reason: why });
    this.stop(why);
    // If the device still holds our old session, release it so that Connect does not get Busy.
    if (old) {
      this.ctx.write(requests.disconnect(old.sessionId));
      this.txMessages++;
    }
    const gen = ++this.generation;
    const t = setTimeout(() => {
      this.timers.delete(t);
      void this.run(gen);
    }, RETRY_DELAY_MS);
    this.timers.add(t);
  }

  private stop(why: string): void {
    this.generation++;
    const wasReady = this.device !== null;
    this.device = null;
    if (this.heartbeatTimer) clearInterval(this.heartbeatTimer);
    this.heartbeatTimer = null;
    if (this.pollTimer) clearTimeout(this.pollTimer);
    this.pollTimer = null;
    if (this.dlTimer) clearTimeout(this.dlTimer);
    this.dlTimer = null;
    this.polling = false;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    this.requester.cancelAll(why);
    this.dlState = null;
    this.dlCompletion = null;
    if (wasReady) this.ctx.statusChanged();
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(() => {
        this.timers.delete(t);
        resolve();
      }, ms);
      this.timers.add(t);
    });
  }

  // ---------------------------------------------------------------- polling: RPVs and watched variables

  /** Rebuilds the RPV and memory read requests after a change of what is watched or of the device. */
  replan(): void {
    const d = this.device;
    if (!d) return;
    const p = d.params;
    const rpvPlans: Uint8Array[] = [];
    if (this.options.pollRpvs) {
      // Request: 2 bytes per id within rx; response: 2 + size per id within tx.
      let ids: number[] = [];
      let resp = 0;
      for (const r of d.rpvs) {
        const size = 2 + (r.type === 0xff ? 0 : (1 << (r.type & 0x0f)));
        if (ids.length > 0 && ((ids.length + 1) * 2 > p.rxBufferSize || resp + size > p.txBufferSize)) {
          rpvPlans.push(requests.readRpv(ids));
          ids = [];
          resp = 0;
        }
        ids.push(r.id);
        resp += size;
      }
      if (ids.length) rpvPlans.push(requests.readRpv(ids));
    }
    // Throws (nothing changed) when a variable cannot fit a response.
    const readPlans = planReads(this.watched, {
      addressSize: p.addressSize, maxRequest: p.rxBufferSize, maxResponse: p.txBufferSize, avoid: d.forbiddenRegions,
    });
    this.pollFrames = [...rpvPlans, ...readPlans.map((r) => r.frame)];
    this.pollReads = [...rpvPlans.map(() => null), ...readPlans];
    this.pollVars = this.watched;
    this.planVersion++;
    if (this.pollCursor >= this.pollFrames.length) this.pollCursor = 0;
    this.schedulePoll(0);
  }

  /** Starts the polling if it is idle and has something to read. */
  private schedulePoll(delayMs: number): void {
    if (this.polling || this.pollTimer || !this.device || this.options.pollHz === 0 || this.pollFrames.length === 0) return;
    if (delayMs <= 0) {
      this.pollNext();
      return;
    }
    this.pollTimer = setTimeout(() => {
      this.pollTimer = null;
      this.pollNext();
    }, delayMs);
  }

  /** Sends the read under the cursor. */
  private pollNext(): void {
    const d = this.device;
    const n = this.pollFrames.length;
    if (!d || n === 0 || this.options.pollHz === 0) return;
    if (this.pollCursor >= n) this.pollCursor = 0;
    if (this.pollCursor === 0) this.cycleStart = performance.now();
    const frame = this.pollFrames[this.pollCursor]!;
    const r = this.pollRequest;
    r.frame = frame;
    r.cmd = frame[0]! & 0x7f;
    r.subfn = frame[1]!;
    // LOST_AFTER_TIMEOUTS of them fit within the device's heartbeat timeout.
    r.timeoutMs = Math.max(50, Math.min(this.options.requestTimeoutMs, (LOST_WITHIN * d.params.heartbeatTimeoutUs) / 1000 / LOST_AFTER_TIMEOUTS));
    this.pollSentVersion = this.planVersion;
    this.pollSentIndex = this.pollCursor;
    this.polling = true;
    this.requester.submit(r);
  }

  private onPollAnswer(code: number, payload: Uint8Array): void {
    this.polling = false;
    if (!this.device) return;
    if (code !== ResponseCode.OK) {
      this.errorText = `polling: ${new DeviceResponseError(this.pollRequest.cmd, this.pollRequest.subfn, code).message}`;
    } else if (this.pollSentVersion === this.planVersion) {
      // The answer to a request of the plan in force (a replan meanwhile: dropped, its variables moved).
      this.sampleT = Date.now() / 1000;
      const read = this.pollReads[this.pollSentIndex];
      const err = read
        ? decodeReadResponse(read, payload, this.pollVars, this.sampleT, this.ctx.sample)
        : walkRpvValues(payload, this.rpvTypeOf, this.onRpvValue);
      if (err) {
        this.payloadErrors++;
        this.errorText = err;
      }
    }
    this.advance();
  }

  private onPollFailure(e: Error): void {
    this.polling = false;
    if (e instanceof RequestCancelled || !this.device) return;
    if (e instanceof RequestTimeout && this.requester.consecutiveTimeouts >= LOST_AFTER_TIMEOUTS) {
      this.lost(`${this.requester.consecutiveTimeouts} requests in a row unanswered`);
      return;
    }
    this.errorText = `polling: ${e.message}`;
    this.advance();
  }

  /** The next read at once; after the last of a cycle, the pointers followed and, with a rate set, the rest of its period waited. */
  private advance(): void {
    this.pollCursor++;
    if (this.pollCursor < this.pollFrames.length) {
      this.pollNext();
      return;
    }
    this.pollCursor = 0;
    this.countCycle();
    // A pointer that moved replans: the next cycle starts below, at the rate's time, not from the replan.
    this.polling = true;
    this.followPointers(this.pollVars);
    this.polling = false;
    const hz = this.options.pollHz;
    this.schedulePoll(hz === null ? 0 : 1000 / hz - (performance.now() - this.cycleStart));
  }

  private rpvValue(id: number, v: number): void {
    const t = this.sampleT;
    this.ctx.sample(this.rpvSignals[id]!, t, v);
    const aliases = this.rpvAliases;
    for (let k = 0; k < aliases.length; k++) {
      const a = aliases[k]!;
      if (a.rpvId === id) {
        a.last = v * a.gain + a.offset;
        this.ctx.sample(a.signalId, t, a.last);
      }
    }
  }

  /**
   * Pointed-to variables follow their pointer: its value is read each cycle with the
   * rest (it is watched too), and a changed pointer moves the variable at the next cycle.
   */
  private followPointers(vars: readonly WatchedVariable[]): void {
    let moved = false;
    let refused: string | null = null;
    for (let i = 0; i < vars.length; i++) {
      const v = vars[i]!;
      if (!v.pointer) continue;
      const ptr = vars.find((p) => p.path === v.pointer!.path);
      if (!ptr || !Number.isFinite(ptr.last)) continue;
      const address = ptr.last + v.pointer.offset;
      if (address === v.address || address < 0) continue;
      const size = 1 << (v.type & 0x0f);
      const forbidden = this.device?.forbiddenRegions.find((r) => address <= r.end && address + size - 1 >= r.start);
      if (forbidden) {
        refused = `${v.pointer.path} points ${v.path} into the forbidden region 0x${forbidden.start.toString(16)}..0x${forbidden.end.toString(16)}: left at 0x${v.address.toString(16)}`;
        continue;
      }
      v.address = address;
      moved = true;
    }
    // The refusal shows as the session's error while it lasts.
    if (refused) this.errorText = this.pointerRefusal = refused;
    else if (this.pointerRefusal !== null && this.errorText === this.pointerRefusal) this.errorText = this.pointerRefusal = null;
    if (moved) {
      try {
        this.replan();
      } catch (e) {
        this.errorText = `a pointer moved a watched variable where it cannot be read: ${(e as Error).message}`;
      }
    }
  }

  private countCycle(): void {
    this.pollCycles++;
    const w = this.pollRateWindow;
    const now = performance.now();
    if (w.t === 0) w.t = now;
    w.cycles++;
    if (now - w.t >= 1000) {
      w.rate = (w.cycles * 1000) / (now - w.t);
      w.t = now;
      w.cycles = 0;
    }
  }

  get refreshRateHz(): number {
    return this.pollRateWindow.rate;
  }

  // ---------------------------------------------------------------- datalogging status

  /**
   * Each status poll costs the device a request (a whole loop on a slow firmware):
   * fast only while the state can change by itself, else once a second.
   */
  private startDlStatusPoll(gen: number): void {
    if (this.dlTimer) clearTimeout(this.dlTimer);
    const fast = this.dlState === 2 || this.dlState === 3 || this.download !== null;
    this.dlTimer = setTimeout(() => {
      this.dlTimer = null;
      void this.pollDlStatus(gen).finally(() => {
        if (gen === this.generation && !this.dlTimer) this.startDlStatusPoll(gen);
      });
    }, fast ? DL_STATUS_FAST_MS : DL_STATUS_IDLE_MS);
  }

  /** A download started: status at the fast pace while it lasts. */
  followDatalogger(): void {
    if (this.dlTimer) this.startDlStatusPoll(this.generation);
  }

  async pollDlStatus(gen = this.generation): Promise<void> {
    if (!this.device || this.requester.queued > 2) return;
    try {
      const s = this.parsed(responses.datalogStatus(await this.request(requests.datalog(DataLogControl.GetStatus))));
      if (gen !== this.generation) return;
      const ratio = s.bytesToAcquireAfterTrigger > 0 ? Math.min(1, s.writeCounterSinceTrigger / s.bytesToAcquireAfterTrigger) : null;
      if (s.state !== this.dlState || ratio !== this.dlCompletion) {
        const changed = s.state !== this.dlState;
        this.dlState = s.state;
        this.dlCompletion = ratio;
        this.ctx.statusChanged();
        if (changed) this.ctx.event('scrutiny.datalogging', { sessionId: this.ctx.sessionId, state: s.state, completionRatio: ratio });
        // An arm seen by an action's poll: follow it at the fast pace from now, not after the idle period.
        if (changed && this.dlTimer) this.startDlStatusPoll(gen);
      }
    } catch {
      // A failed status poll is retried on the next tick; session loss is the heartbeat's call.
    }
  }

  // ---------------------------------------------------------------- for the actions

  rpvType(id: number): number {
    return this.rpvTypes[id]!;
  }

  requireDevice(): DeviceDescription {
    if (!this.device) {
      throw new ApiError('NotConnected', this.lastDevice
        ? `the scrutiny session with "${this.lastDevice.discover.displayName}" is being re-established: ${this.lastError ?? 'reconnecting'}`
        : `no scrutiny device connected yet: ${this.lastError ?? 'waiting for an answer to Discover'}`);
    }
    return this.device;
  }
}
