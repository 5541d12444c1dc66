// The hub: the engine's API server. Every door (Electron IPC, WebSocket,
// in-process) hands it text requests and gets text replies, events and binary
// telemetry frames back. Every request is validated here; a bad one gets a
// typed error reply and is counted, and nothing a client sends can throw out
// of the hub or reach a device unchecked.
import {
  type ApiErrorBody, type EventMessage, type Method, type ParsedParams, type PlotConfig,
  type Result, type ServerStatistics, type ServerStatus, type SignalInfo,
  isMethod, issuesOf, MAX_REQUEST_BYTES, RequestEnvelope, RequestSchemas,
} from '../../shared/api/contract';
import { LinkSpec, describeLink } from '../../shared/api/link-config';
import { MAX_NAME_CHARS, MAX_SESSIONS } from '../../shared/api/limits';
import { EMPTY_LAYOUT_STATE, type LayoutState } from '../../shared/api/layout';
import { RateMeter } from '../../shared/client/rate';
import { LinkUnavailableError, refuseReason } from '../links/factory';
import { listSerialPorts } from '../links/serial';
import { PROTOCOL_DEFINITIONS } from '../protocols/registry';
import { TelemetryBatcher } from '../telemetry/batcher';
import { TelemetryStore } from '../telemetry/store';
import { Acquisitions } from '../datalog/acquisitions';
import { dispatchCapture, isCaptureMethod } from '../record/capture-requests';
import { Recordings } from '../record/recordings';
import { Replays } from '../record/replay';
import { CanMonitors, isCanMethod } from '../links/can/can-requests';
import { startDemoDevices, type DemoDevice } from './demo';
import { ClientOutbox, type OutboxCounters } from './client-outbox';
import { DeviceSession } from './device-session';
import { loadWorkspace, WorkspaceWriter, type Workspace } from './workspace';
import { ApiError, errorBody } from '../../shared/api/errors';
import { describeTable } from '../../shared/api/actions';
import { actionTableOf, PROTOCOL_LABELS } from '../../shared/api/protocol-actions';
import { parseAction, runParsedAction } from '../protocols/actions';


export interface HubOptions {
  /** Where the workspace lives; null keeps nothing on disk (tests). */
  userDataDir: string | null;
  /** Telemetry flush period (about 30 Hz). */
  flushMs?: number;
  statusMs?: number;
  storeCapacity?: number;
  /** Start the demo bench when there is no workspace yet (default true). */
  demoOnFirstStart?: boolean;
}

export interface ClientDoor {
  sendText(text: string): void;
  sendBinary(frame: ArrayBuffer): void;
  /** True while the door's outgoing buffer is over its bound: telemetry waits. */
  isBusy(): boolean;
}

export interface HubConnection {
  /** Hands one inbound text frame to the hub; the reply goes out through the door. */
  receive(text: string): void;
  /** A binary frame from a client is not part of the contract: it is counted as invalid. */
  receiveBinary(byteLength: number): void;
  close(): void;
}

interface ClientState {
  door: ClientDoor;
  /** Everything but telemetry goes out through it, bounded for a client that does not read. */
  outbox: ClientOutbox;
  telemetry: ReturnType<TelemetryBatcher['addClient']>;
  consoleSession: string | null;
}

export class Hub {
  readonly store: TelemetryStore;
  private readonly batcher: TelemetryBatcher;
  private readonly sessions = new Map<string, DeviceSession>();
  private readonly clients = new Set<ClientState>();
  private readonly startedAt = Date.now();
  private readonly timers: ReturnType<typeof setInterval>[] = [];
  private readonly writer: WorkspaceWriter | null;
  readonly recordings: Recordings;
  readonly replays: Replays;
  private readonly acquisitions: Acquisitions;
  private readonly canMonitors: CanMonitors;
  private demoDevices: DemoDevice[] = [];
  private demoMode = false;
  private plots: PlotConfig[] = [];
  private layouts: LayoutState = EMPTY_LAYOUT_STATE;
  private notices: string[] = [];
  private statusDirty = false;
  private lastStatusAt = 0;
  private signalsDirty = false;
  private marksDirty = false;
  private saveTimer: ReturnType<typeof setTimeout> | null = null;
  private demoSwitch: Promise<void> = Promise.resolve();
  private stopped = false;
  private readonly stats = {
    invalidRequestCount: 0,
    unexpectedErrorCount: 0,
    msgReceived: 0,
    msgSent: 0,
    deviceSessionCount: 0,
    toClients: new RateMeter(),
    fromClients: new RateMeter(),
    /** Telemetry samples dropped for clients that have left (the total survives them). */
    departedDroppedSamples: 0,
  };
  private readonly outboxCounters: OutboxCounters = { coalesced: 0, dropped: 0 };

  constructor(private readonly opts: HubOptions) {
    this.store = new TelemetryStore({ capacity: opts.storeCapacity });
    this.batcher = new TelemetryBatcher(this.store);
    this.writer = opts.userDataDir ? new WorkspaceWriter(opts.userDataDir) : null;
    this.recordings = new Recordings({
      store: this.store, sessions: () => this.sessions.values(), userDataDir: opts.userDataDir,
      onStateChange: (data) => { this.broadcast({ event: 'recording', data }); this.changed(false); },
      otherNames: (id) => this.replays.nameOf(id),
      replayOf: (file) => this.replays.openOn(file),
      onCsvProgress: (data) => this.broadcast({ event: 'csvExport', data }),
    });
    this.replays = new Replays({
      store: this.store,
      resolve: (name, folder) => this.recordings.file(name, folder),
      // Opening or closing a replay (a new set of signals) is kept in the workspace.
      onChange: (signals) => {
        this.changed(signals);
        // New signal ids (an open, a seek): plots resubscribe as soon as they hear of them.
        if (signals) { this.signalsDirty = true; this.flushEvents(); }
      },
      onMarks: (data) => this.broadcast({ event: 'marks', data }),
    });
    this.acquisitions = new Acquisitions({
      store: this.store, userDataDir: opts.userDataDir, sessionName: (id) => this.sessions.get(id)?.name ?? id,
      onCapture: (data) => { this.broadcast({ event: 'capture', data }); this.changed(false); },
      onTriggersChanged: () => this.changed(false),
    });
    this.canMonitors = new CanMonitors((id) => {
      const s = this.session(id);
      return {
        name: s.name, link: s.linkSpec, activeLink: s.activeLink,
        signals: {
          declare: (name) => { const sid = this.store.declare(s.id, name); this.signalsDirty = true; return sid; },
          append: (sid, t, v) => this.store.append(sid, t, v),
        },
      };
    });
  }

  // ------------------------------------------------------------ lifecycle

  async start(): Promise<void> {
    let ws: Workspace = { version: 1, demoMode: this.opts.demoOnFirstStart ?? true, sessions: [], plots: [] };
    if (this.opts.userDataDir) {
      const loaded = await loadWorkspace(this.opts.userDataDir);
      if (loaded.notice) this.notices.push(loaded.notice);
      if (!loaded.fresh) ws = loaded.workspace;
      if (loaded.fresh) ws.demoMode = this.opts.demoOnFirstStart ?? true;
    }
    this.plots = ws.plots;
    this.layouts = ws.layouts ?? EMPTY_LAYOUT_STATE;
    for (const s of ws.sessions) {
      const session = this.addSession(s.protocol, s.link, s.options, { name: s.name, autoConnect: s.autoConnect, id: s.id });
      if (s.autoConnect) this.tryConnect(session);
    }
    if (ws.demoMode) await this.setDemoMode(true);
    // Replays open when the engine stopped come back, paused where they were.
    for (const r of ws.replays ?? []) {
      try {
        await this.replays.openReplay({ name: r.recording, file: r.path, position: r.position, speed: r.speed });
      } catch (e) {
        this.notices.push(`The replay of "${r.recording}" could not be opened again: ${(e as Error).message}`);
      }
    }
    this.timers.push(setInterval(() => this.batcher.flush(), this.opts.flushMs ?? 33));
    this.timers.push(setInterval(() => this.flushEvents(), 100));
    this.timers.push(setInterval(() => this.acquisitions.poll(), 20));
    this.timers.push(setInterval(() => this.tick(), this.opts.statusMs ?? 1000));
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    for (const t of this.timers) clearInterval(t);
    this.acquisitions.stopAll();
    this.canMonitors.disposeAll();
    await this.recordings.stop();
    // Saved with the replays still open, so the next start opens them again.
    if (this.saveTimer) clearTimeout(this.saveTimer);
    this.saveTimer = null;
    await this.save();
    await this.replays.closeAll();
    await this.demoSwitch;
    await Promise.all([...this.sessions.values()].map((s) => s.disconnect()));
    await Promise.all(this.demoDevices.map((d) => d.close()));
    this.demoDevices = [];
  }

  // ------------------------------------------------------------ doors

  connect(door: ClientDoor): HubConnection {
    const client: ClientState = {
      door,
      telemetry: this.batcher.addClient((frame) => {
        this.stats.toClients.add(frame.byteLength);
        this.stats.msgSent++;
        door.sendBinary(frame);
      }, door.isBusy),
      outbox: new ClientOutbox(door, this.outboxCounters),
      consoleSession: null,
    };
    this.clients.add(client);
    this.sendEvent(client, { event: 'status', data: this.status() });
    return {
      receive: (text) => { void this.receive(client, text); },
      receiveBinary: (n) => {
        this.stats.fromClients.add(n);
        this.stats.msgReceived++;
        this.stats.invalidRequestCount++;
        this.reply(client, { id: null, ok: false, error: { code: 'InvalidRequest', message: 'Binary frames are not requests: send JSON text' } });
      },
      close: () => {
        this.setConsoleSession(client, null);
        this.batcher.removeClient(client.telemetry);
        if (this.clients.delete(client)) this.stats.departedDroppedSamples += client.telemetry.stats.samplesDropped;
      },
    };
  }

  /** Handles one request as text and resolves with the reply text (used by every door). */
  private async receive(client: ClientState, text: string): Promise<void> {
    this.stats.fromClients.add(text.length);
    this.stats.msgReceived++;
    let id: number | null = null;
    try {
      if (text.length > MAX_REQUEST_BYTES) throw new ApiError('InvalidRequest', `Request too large: ${text.length} bytes (at most ${MAX_REQUEST_BYTES})`);
      let raw: unknown;
      try {
        raw = JSON.parse(text);
      } catch {
        throw new ApiError('InvalidRequest', `Not JSON: ${text.slice(0, 60)}${text.length > 60 ? '…' : ''}`);
      }
      if (raw && typeof raw === 'object' && typeof (raw as { id?: unknown }).id === 'number') id = (raw as { id: number }).id;
      const env = RequestEnvelope.safeParse(raw);
      if (!env.success) throw new ApiError('InvalidRequest', 'A request is {id: integer, method: string, params?: object}', { issues: issuesOf(env.error) });
      if (!isMethod(env.data.method)) throw new ApiError('InvalidRequest', `Unknown method "${env.data.method}"`);
      const method = env.data.method;
      const params = RequestSchemas[method].safeParse(env.data.params ?? {});
      if (!params.success) {
        const issues = issuesOf(params.error);
        throw new ApiError('InvalidRequest', `Invalid parameters for ${method}: ${issues.map((i) => `${i.path || '(params)'}: ${i.message}`).join('; ')}`, { issues });
      }
      const result = await this.dispatch(client, method, params.data);
      this.reply(client, { id: env.data.id, ok: true, result: result ?? null });
    } catch (e) {
      // The one place where something thrown becomes a reply: an ApiError as it is, anything else counted as unexpected.
      const err = errorBody(e);
      if (err.code === 'InvalidRequest') this.stats.invalidRequestCount++;
      if (err.code === 'UnexpectedError') this.stats.unexpectedErrorCount++;
      this.reply(client, { id, ok: false, error: err });
    }
  }

  /** The in-process door: a request straight to the hub, validated like any other. */
  async call<M extends Method>(method: M, params: unknown = {}): Promise<Result<M>> {
    return new Promise((resolve, reject) => {
      const conn = this.connect({
        sendText: (text) => {
          const msg = JSON.parse(text);
          if (msg.id !== 1) return;
          conn.close();
          if (msg.ok) resolve(msg.result);
          else reject(new ApiError(msg.error.code, msg.error.message, { issues: msg.error.issues, device: msg.error.device }));
        },
        sendBinary: () => undefined,
        isBusy: () => false,
      });
      conn.receive(JSON.stringify({ id: 1, method, params }));
    });
  }

  // ------------------------------------------------------------ requests

  private async dispatch<M extends Method>(client: ClientState, method: M, params: ParsedParams<M>): Promise<unknown> {
    const p = params as Record<string, never>;
    switch (method) {
      case 'getServerStatus':
        return this.status();
      case 'requestServerStatusUpdate': {
        const s = this.status();
        this.sendEvent(client, { event: 'status', data: s });
        return s;
      }
      case 'getServerStats':
        return this.serverStats();
      case 'getDeviceInfo':
        return this.session(p.sessionId).deviceInfo();
      case 'configureDeviceLink': {
        const session = this.session(p.sessionId);
        const spec = this.parseLink(p.linkType, p.linkConfig);
        // A refused link changes nothing: not the session, not demo mode.
        const refused = refuseReason(spec);
        if (refused) throw new ApiError('OperationFailure', refused);
        // A demo session configured by hand is kept in the workspace from now on.
        const wasDemo = session.demo;
        if (wasDemo) this.roomForSession();
        await session.configureLink(spec).catch((e) => this.linkFailure(e, spec));
        session.demo = false;
        // As in the seed, configuring a demo device's link by hand ends demo mode;
        // editing one's own session's link leaves the demo bench running.
        if (wasDemo && this.demoMode) await this.setDemoMode(false, session.id);
        this.changed(true);
        return null;
      }
      case 'requestDemoMode':
        await this.setDemoMode(p.enable as boolean);
        return null;
      case 'createSession': {
        const q = params as ParsedParams<'createSession'>;
        this.roomForSession();
        const spec = this.parseLink(q.linkType, q.linkConfig);
        const options = this.parseOptions(q.protocol, q.options ?? {});
        const session = this.addSession(q.protocol, spec, options, { name: q.name ?? this.uniqueName(`${q.protocol} on ${describeLink(spec)}`), autoConnect: q.autoConnect ?? true });
        if (q.autoConnect ?? true) {
          try {
            session.connect();
          } catch (e) {
            await this.removeSessionById(session.id);
            this.linkFailure(e, spec);
          }
        }
        this.changed(true);
        return { sessionId: session.id };
      }
      case 'listSessions':
        return [...this.sessions.values()].map((s) => s.summary());
      case 'removeSession':
        this.session(p.sessionId);
        await this.removeSessionById(p.sessionId);
        return null;
      case 'connectSession': {
        const s = this.session(p.sessionId);
        try { s.connect(); } catch (e) { this.linkFailure(e, s.linkSpec); }
        s.autoConnect = true;
        this.changed(true);
        return null;
      }
      case 'disconnectSession': {
        const s = this.session(p.sessionId);
        s.autoConnect = false;
        await s.disconnect();
        this.changed(true);
        return null;
      }
      case 'setSessionOptions': {
        const s = this.session(p.sessionId);
        await s.setOptions(this.parseOptions(s.protocolName, p.options));
        this.changed(true);
        return null;
      }
      case 'renameSession':
        this.session(p.sessionId).name = p.name;
        this.changed(true);
        return null;
      case 'listSignals':
        if (p.sessionId !== undefined && !this.replays.has(p.sessionId)) this.session(p.sessionId);
        return this.store.list(p.sessionId) satisfies SignalInfo[];
      case 'subscribe': {
        const ids = (p.signalIds as number[]).filter((id) => this.store.has(id));
        client.telemetry.subscribe(ids, { history: p.history as boolean | undefined });
        return { subscribed: ids };
      }
      case 'unsubscribe':
        client.telemetry.unsubscribe(p.signalIds as number[]);
        return null;
      case 'subscribeConsole':
        if (p.sessionId !== null) this.session(p.sessionId);
        this.setConsoleSession(client, p.sessionId);
        return null;
      case 'getConsole':
        return this.session(p.sessionId).consoleHistory((p.limit as number | undefined) ?? 500);
      case 'getMarks': {
        const limit = (p.limit as number | undefined) ?? 2000;
        if (p.sessionId !== undefined && this.replays.has(p.sessionId)) return this.replays.marks(p.sessionId).slice(-limit);
        if (p.sessionId !== undefined) return this.session(p.sessionId).marks(limit);
        return [...[...this.sessions.values()].flatMap((s) => s.marks(limit)), ...this.replays.marks()].sort((a, b) => a.t - b.t).slice(-limit);
      }
      case 'sendText': {
        const s = this.session(p.sessionId);
        if (!s.sendText(p.text)) throw new ApiError('NotConnected', `Session "${s.name}" (${describeLink(s.linkSpec)}) is not connected: nothing was sent`);
        return null;
      }
      case 'listSerialPorts':
        return listSerialPorts();
      case 'getPlots':
        return this.plots;
      case 'setPlots':
        this.plots = p.plots as PlotConfig[];
        for (const c of this.clients) if (c !== client) this.sendEvent(c, { event: 'plots', data: this.plots });
        this.scheduleSave();
        return null;
      case 'getLayouts':
        return this.layouts;
      case 'setLayouts':
        this.layouts = p.state;
        this.scheduleSave();
        return null;
      case 'ping':
        return { time: Date.now() / 1000 };
      case 'sessionAction': {
        const s = this.session(p.sessionId);
        const adapter = s.activeAdapter;
        const table = actionTableOf(s.protocolName);
        if (!table) throw new ApiError('InvalidRequest', `The ${PROTOCOL_LABELS[s.protocolName]} protocol has no actions`);
        // Arguments are checked first: a bad request is refused the same whether the device is there or not.
        const parsed = parseAction(s.protocolName, table, p.action, p.args);
        if (!adapter) throw new ApiError('NotConnected', `Session "${s.name}" (${describeLink(s.linkSpec)}) is not connected`);
        if (!adapter.actions) throw new ApiError('UnexpectedError', `The ${PROTOCOL_LABELS[s.protocolName]} session declares actions but has no handlers`);
        return runParsedAction(s.protocolName, adapter.actions, p.action, parsed);
      }
      case 'describeActions': {
        const s = this.session(p.sessionId);
        return describeTable(actionTableOf(s.protocolName) ?? {});
      }
    }
    if (isCanMethod(method)) {
      return this.canMonitors.dispatch(method, params as never);
    }
    if (isCaptureMethod(method)) {
      return dispatchCapture(this.recordings, this.acquisitions, this.replays, method, params as never);
    }
    throw new ApiError('InvalidRequest', `Unknown method "${method}"`);
  }

  // ------------------------------------------------------------ sessions

  private session(id: string): DeviceSession {
    const s = this.sessions.get(id);
    if (!s) throw new ApiError('InvalidRequest', `No session "${id}"`, { issues: [{ path: 'sessionId', message: `No session "${id}"` }] });
    return s;
  }

  private addSession(protocol: keyof typeof PROTOCOL_DEFINITIONS, link: LinkSpec, options: Record<string, unknown>, o: { name: string; autoConnect: boolean; demo?: boolean; id?: string }): DeviceSession {
    const session = new DeviceSession(PROTOCOL_DEFINITIONS[protocol], options, link, this.store, {
      onChange: () => {
        this.changed(false);
        // A CAN session's monitor follows its link from the moment it connects.
        if (this.sessions.has(session.id)) this.canMonitors.follow(session.id);
      },
      onSignalsChanged: () => { this.signalsDirty = true; },
      onProtocolEvent: (kind, data) => this.broadcast({ event: 'protocol', data: { sessionId: session.id, protocol: session.protocolName, kind, t: Date.now() / 1000, data } }),
      onDeviceConnected: () => { this.stats.deviceSessionCount++; },
      onMarks: () => { this.marksDirty = true; },
      userDataDir: this.opts.userDataDir,
    }, o);
    this.sessions.set(session.id, session);
    this.changed(!o.demo);
    return session;
  }

  /** Sessions kept in the workspace are bounded as the workspace is (demo ones are not kept). */
  private roomForSession(): void {
    let kept = 0;
    for (const s of this.sessions.values()) if (!s.demo) kept++;
    if (kept >= MAX_SESSIONS) throw new ApiError('OperationFailure', `There are already ${kept} sessions, the most a workspace holds (${MAX_SESSIONS}): remove one first`);
  }

  private tryConnect(session: DeviceSession): void {
    try {
      session.connect();
    } catch (e) {
      this.notices.push(`Session "${session.name}" could not connect: ${(e as Error).message}`);
    }
  }

  private async removeSessionById(id: string): Promise<void> {
    const s = this.sessions.get(id);
    if (!s) return;
    this.sessions.delete(id);
    this.canMonitors.drop(id);
    for (const c of this.clients) if (c.consoleSession === id) this.setConsoleSession(c, null);
    await s.dispose();
    this.signalsDirty = true;
    this.changed(true);
  }

  private parseLink(linkType: unknown, linkConfig: unknown): LinkSpec {
    const r = LinkSpec.safeParse({ type: linkType, config: linkConfig });
    if (!r.success) {
      const issues = issuesOf(r.error).map((i) => ({ ...i, path: i.path.replace(/^config/, 'linkConfig').replace(/^type/, 'linkType') }));
      throw new ApiError('InvalidRequest', `Invalid ${String(linkType)} link: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`, { issues });
    }
    return r.data;
  }

  private parseOptions(protocol: keyof typeof PROTOCOL_DEFINITIONS, options: Record<string, unknown>): Record<string, unknown> {
    const r = PROTOCOL_DEFINITIONS[protocol].optionsSchema.safeParse(options);
    if (!r.success) {
      const issues = issuesOf(r.error).map((i) => ({ ...i, path: `options.${i.path}` }));
      throw new ApiError('InvalidRequest', `Invalid ${protocol} options: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`, { issues });
    }
    return r.data as Record<string, unknown>;
  }

  private linkFailure(e: unknown, spec: LinkSpec): never {
    if (e instanceof LinkUnavailableError) throw new ApiError('OperationFailure', e.message);
    throw new ApiError('OperationFailure', `Cannot open ${describeLink(spec)}: ${(e as Error).message}`);
  }

  /** A name not taken yet, within the length a name may have (a long host or port name is cut, with an ellipsis). */
  private uniqueName(base: string): string {
    const names = new Set([...this.sessions.values()].map((s) => s.name));
    const fit = (suffix: string) => {
      const room = MAX_NAME_CHARS - suffix.length;
      if (base.length <= room) return base + suffix;
      // Cut between characters, never inside a surrogate pair.
      const cut = base.slice(0, room - 1).replace(/[\uD800-\uDBFF]$/, '');
      return `${cut.trimEnd()}…${suffix}`;
    };
    if (!names.has(fit(''))) return fit('');
    for (let i = 2; ; i++) if (!names.has(fit(` (${i})`))) return fit(` (${i})`);
  }

  // ------------------------------------------------------------ demo mode

  /** Demo on: emulated devices and their sessions. Off: they go, except `keep` (configured by hand). */
  private setDemoMode(enable: boolean, keep?: string): Promise<void> {
    this.demoSwitch = this.demoSwitch.then(async () => {
      if (enable === this.demoMode) return;
      this.demoMode = enable;
      if (enable) {
        this.demoDevices = await startDemoDevices();
        for (const d of this.demoDevices) {
          const s = this.addSession(d.protocol, d.link, this.parseOptions(d.protocol, d.options), { name: d.name, autoConnect: true, demo: true });
          s.connect();
        }
      } else {
        for (const s of [...this.sessions.values()]) if (s.demo && s.id !== keep) await this.removeSessionById(s.id);
        const devices = this.demoDevices;
        this.demoDevices = [];
        await Promise.all(devices.map((d) => d.close()));
      }
      this.changed(true);
    });
    return this.demoSwitch;
  }

  // ------------------------------------------------------------ status, stats, events

  status(): ServerStatus {
    const notices = [...this.notices];
    if (this.writer?.lastError) notices.push(this.writer.lastError);
    return {
      time: Date.now() / 1000, demoMode: this.demoMode, sessions: [...this.sessions.values()].map((s) => s.status()), notices,
      recording: this.recordings.status(), triggers: this.acquisitions.statuses(), replays: this.replays.list(),
    };
  }

  serverStats(): ServerStatistics {
    let toDevice = 0, fromDevice = 0, requests = 0, dropped = 0;
    for (const s of this.sessions.values()) {
      const c = s.counters();
      toDevice += c.txBytesPerSec;
      fromDevice += c.rxBytesPerSec;
      // Requests to devices: what the host sends (the answers are not requests).
      requests += c.txMessagesPerSec;
    }
    dropped += this.stats.departedDroppedSamples;
    for (const c of this.clients) dropped += c.telemetry.stats.samplesDropped;
    return {
      uptime: (Date.now() - this.startedAt) / 1000,
      invalidRequestCount: this.stats.invalidRequestCount,
      unexpectedErrorCount: this.stats.unexpectedErrorCount,
      clientCount: this.clients.size,
      toAllClientsDatarateBytePerSec: this.stats.toClients.rate(),
      fromAnyClientDatarateBytePerSec: this.stats.fromClients.rate(),
      msgReceived: this.stats.msgReceived,
      msgSent: this.stats.msgSent,
      deviceSessionCount: this.stats.deviceSessionCount,
      toDeviceDatarateBytePerSec: toDevice,
      fromDeviceDatarateBytePerSec: fromDevice,
      deviceRequestPerSec: requests,
      telemetryDroppedSamples: dropped,
      clientEventsCoalesced: this.outboxCounters.coalesced,
      clientEventsDropped: this.outboxCounters.dropped,
    };
  }

  /** Something changed: broadcast soon; `persist` also saves the workspace. */
  private changed(persist: boolean): void {
    this.statusDirty = true;
    if (persist) this.scheduleSave();
  }

  private tick(): void {
    const now = Date.now();
    for (const s of this.sessions.values()) s.tick(now);
    this.statusDirty = true;
    this.flushEvents();
  }

  private flushEvents(): void {
    for (const c of this.clients) c.outbox.drain();
    // A playing replay's playhead moves: its timeline hears of it four times a second.
    if (this.replays.playing && Date.now() - this.lastStatusAt >= 250) this.statusDirty = true;
    if (this.statusDirty) {
      this.lastStatusAt = Date.now();
      this.statusDirty = false;
      this.broadcast({ event: 'status', data: this.status() });
    }
    if (this.signalsDirty) {
      this.signalsDirty = false;
      this.broadcast({ event: 'signals', data: this.store.list() });
    }
    if (this.marksDirty) {
      this.marksDirty = false;
      const marks = [...this.sessions.values()].flatMap((s) => s.takeMarks());
      if (marks.length) this.broadcast({ event: 'marks', data: marks });
    }
    for (const s of this.sessions.values()) {
      if (s.consoleWatchers === 0) continue;
      const lines = s.takeConsole();
      if (!lines.length) continue;
      for (const c of this.clients) if (c.consoleSession === s.id) this.sendEvent(c, { event: 'console', data: lines });
    }
  }

  private setConsoleSession(client: ClientState, sessionId: string | null): void {
    if (client.consoleSession) {
      const old = this.sessions.get(client.consoleSession);
      if (old) old.consoleWatchers--;
    }
    client.consoleSession = sessionId;
    if (sessionId) this.session(sessionId).consoleWatchers++;
  }

  private broadcast(msg: EventMessage): void {
    const text = JSON.stringify(msg);
    for (const c of this.clients) this.deliver(c, msg, text);
  }

  private sendEvent(client: ClientState, msg: EventMessage): void {
    this.deliver(client, msg, JSON.stringify(msg));
  }

  private deliver(client: ClientState, msg: EventMessage, text: string): void {
    this.stats.toClients.add(text.length);
    this.stats.msgSent++;
    client.outbox.event(msg.event, msg.data, text);
  }

  private reply(client: ClientState, msg: { id: number | null; ok: boolean; result?: unknown; error?: ApiErrorBody }): void {
    this.send(client, JSON.stringify(msg));
  }

  private send(client: ClientState, text: string): void {
    this.stats.toClients.add(text.length);
    this.stats.msgSent++;
    client.outbox.send(text);
  }

  // ------------------------------------------------------------ persistence

  private scheduleSave(): void {
    if (!this.writer || this.stopped) return;
    if (this.saveTimer) clearTimeout(this.saveTimer);
    this.saveTimer = setTimeout(() => { this.saveTimer = null; void this.save(); }, 200);
  }

  private save(): Promise<void> {
    if (!this.writer) return Promise.resolve();
    return this.writer.save({
      version: 1,
      demoMode: this.demoMode,
      sessions: [...this.sessions.values()].filter((s) => !s.demo).map((s) => ({
        id: s.id, name: s.name, protocol: s.protocolName, link: s.linkSpec, options: s.options, autoConnect: s.autoConnect,
      })),
      plots: this.plots,
      layouts: this.layouts,
      replays: this.replays.list().map((r) => ({ recording: r.recording, path: r.path, position: r.position, speed: r.speed })),
    });
  }
}
