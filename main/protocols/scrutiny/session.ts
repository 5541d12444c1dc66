// Benchscope as the Scrutiny host of one device: Discover, Connect, the info poll in
// the reference server's order, heartbeats, lost-session detection and reconnect. Once
// connected, the poller (poller.ts) reads RPVs and watched variables into the telemetry
// store and the datalogger's status is followed (datalog-status.ts).
import type { DataloggingInfo, DeviceInfo } from '../../../shared/api/contract';
import { type AdapterContext, type ProtocolAdapter, type ProtocolCounters } from '../adapter';
import { encodeRequest, FrameDecoder } from './codec';
import { Cmd, commandName, CommControl, DataLogControl, DeviceResponseError, GetInfo, ResponseCode } from './commands';
import { DatalogStatus } from './datalog-status';
import { deviceInfoOf, rpvSignalName, type DeviceDescription, type RpvEntry } from './device-description';
import { requests, responses, type DiscoverInfo, type LoopDefinition, type RegionLocation, type RpvDefinition } from './messages';
import type { Parsed } from './payload';
import { typeName } from './value-types';
import { ScrutinyActions } from './actions';
import type { ScrutinyOptions } from '../../../shared/api/scrutiny-options';
import { ScrutinyPoller } from './poller';
import { RequestCancelled, Requester, RequestTimeout } from './requester';
import { emulatorSfd } from './emulator-sfd';
import { EMU_FIRMWARE_ID } from './emulator-memory';
import { parseSfd, type FirmwareDescription } from './sfd';
import { readInstalledSfd } from './sfd-store';
import { ApiError } from '../../../shared/api/errors';

const DISCOVER_TIMEOUT_MS = 300;
const RETRY_DELAY_MS = 300;
const BUSY_RETRY_MS = 1000;

class SessionLost extends Error {}

export class ScrutinySession implements ProtocolAdapter {
  readonly decoder: FrameDecoder;
  readonly requester: Requester;
  /** Set once the info poll completed; null while (re)connecting. */
  device: DeviceDescription | null = null;
  /** Everything known of the last device, kept while reconnecting so that actions can say why they wait. */
  private lastDevice: DeviceDescription | null = null;
  /** Bumped at each start and stop: work of an older generation ends quietly. */
  generation = 0;
  private linkUp = false;
  /** The session's own last problem (the poller and the actions set it too); the decoder's when null. */
  errorText: string | null = null;
  private txMessages = 0;
  /** Responses whose payload did not parse. */
  payloadErrors = 0;
  private unexpectedResponses = 0;
  private timers = new Set<ReturnType<typeof setTimeout>>();
  private heartbeatTimer: ReturnType<typeof setInterval> | null = null;
  private challenge = (Math.random() * 0xffff) | 0;
  /** The loaded firmware description, if any. */
  sfd: FirmwareDescription | null = null;
  /** Sessions opened with the device since the adapter started (reconnects included). */
  connects = 0;
  lostCount = 0;
  readonly poller: ScrutinyPoller;
  /** A ReadAcquisition download under way: bytes received of the total. */
  download: { received: number; total: number } | null = null;
  readonly dlStatus: DatalogStatus;
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
    this.poller = new ScrutinyPoller(this);
    this.dlStatus = new DatalogStatus(this);
    this.requestsTable = new ScrutinyActions(this);
  }

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
    return deviceInfoOf(d, deviceSessionId, {
      watchedVariables: this.poller.watched.length, refreshRateHz: this.poller.refreshRateHz, reconnects: Math.max(0, this.connects - 1),
    });
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
    return this.dlStatus.info();
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
    const rpvs: RpvEntry[] = defs.map((d) => {
      const name = rpvSignalName(d.id);
      return { ...d, name, signalId: this.ctx.signal(name) };
    });
    this.poller.setRpvs(rpvs);
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
    this.dlStatus.state = features.datalogging ? 0 : null;
    this.poller.replan();
    this.ctx.console('info', `connected to "${discover.displayName}" (firmware ${discover.firmwareId}, protocol ${version.major}.${version.minor}, session 0x${sessionId.toString(16)}): ${rpvs.length} RPVs (${rpvs.map((r) => typeName(r.type)).join(', ')}), ${loops.length} loops`, Date.now() / 1000);
    this.ctx.event('scrutiny.connected', { sessionId: this.ctx.sessionId, firmwareId: discover.firmwareId, displayName: discover.displayName });
    this.ctx.statusChanged();
    this.poller.schedulePoll(0);
    if (features.datalogging) this.dlStatus.start(gen);
    if (this.options.watchPaths.length > 0 && this.poller.watched.length === 0) {
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
    this.poller.stop();
    this.dlStatus.stop();
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    this.requester.cancelAll(why);
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

  /** Poll cycles completed since the adapter started. */
  get pollCycles(): number {
    return this.poller.pollCycles;
  }

  /** The device's datalogger state (0 idle .. 5 error), null without datalogging or a device. */
  get dlState(): number | null {
    return this.dlStatus.state;
  }

  rpvType(id: number): number {
    return this.poller.rpvType(id);
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
