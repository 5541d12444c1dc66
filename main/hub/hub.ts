// The engine's wiring, which app/ starts: the telemetry store and batcher, the
// recorder, replays, acquisitions and CAN monitors, the session registry, the event
// flush and the doors, joined by one handler table that has an entry for every
// request of the contract (the compiler checks it). The workspace is loaded at start
// and saved, debounced, whenever something kept in it changes.
import type { HandlerTable, Method, Result, ServerStatistics, ServerStatus } from '../../shared/api/contract';
import { EMPTY_LAYOUT_STATE } from '../../shared/api/layout';
import { RateMeter } from '../../shared/client/rate';
import { TelemetryBatcher } from '../telemetry/batcher';
import { TelemetryStore } from '../telemetry/store';
import { Acquisitions } from '../datalog/acquisitions';
import { captureHandlers } from '../record/capture-requests';
import { Recordings } from '../record/recordings';
import { Replays } from '../record/replay';
import { CanMonitors } from '../links/can/can-requests';
import type { OutboxCounters } from './client-outbox';
import { HubDoors, type ClientDoor, type HubConnection } from './doors';
import { HubEvents, type ClientState, type HubCounters } from './events';
import { hubHandlers, type WorkbenchState } from './requests';
import { SessionRegistry } from './sessions';
import { loadWorkspace, WorkspaceWriter, type Workspace } from './workspace';

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

export class Hub {
  readonly store: TelemetryStore;
  readonly recordings: Recordings;
  readonly replays: Replays;
  private readonly batcher: TelemetryBatcher;
  private readonly acquisitions: Acquisitions;
  private readonly canMonitors: CanMonitors;
  private readonly sessions: SessionRegistry;
  private readonly events: HubEvents;
  private readonly doors: HubDoors;
  private readonly writer: WorkspaceWriter | null;
  private readonly startedAt = Date.now();
  private readonly timers: ReturnType<typeof setInterval>[] = [];
  private readonly workbench: WorkbenchState = { plots: [], layouts: EMPTY_LAYOUT_STATE };
  private notices: string[] = [];
  private saveTimer: ReturnType<typeof setTimeout> | null = null;
  private stopped = false;
  private readonly counters: HubCounters = {
    invalidRequestCount: 0,
    unexpectedErrorCount: 0,
    msgReceived: 0,
    msgSent: 0,
    deviceSessionCount: 0,
    toClients: new RateMeter(),
    fromClients: new RateMeter(),
    departedDroppedSamples: 0,
  };
  private readonly outboxCounters: OutboxCounters = { coalesced: 0, dropped: 0 };

  constructor(private readonly opts: HubOptions) {
    this.store = new TelemetryStore({ capacity: opts.storeCapacity });
    this.batcher = new TelemetryBatcher(this.store);
    this.writer = opts.userDataDir ? new WorkspaceWriter(opts.userDataDir) : null;
    this.events = new HubEvents({
      status: () => this.status(),
      signals: () => this.store.list(),
      sessions: () => this.sessions.all(),
      replayPlaying: () => this.replays.playing,
    }, this.counters);
    this.sessions = new SessionRegistry(this.store, opts.userDataDir, {
      changed: (persist) => this.changed(persist),
      signalsChanged: () => this.events.signalsChanged(),
      marksWaiting: () => this.events.marksWaiting(),
      protocolEvent: (s, kind, data) => this.events.broadcast({ event: 'protocol', data: { sessionId: s.id, protocol: s.protocolName, kind, t: Date.now() / 1000, data } }),
      deviceConnected: () => { this.counters.deviceSessionCount++; },
      // A CAN session's monitor follows its link from the moment it connects.
      sessionChanged: (s) => this.canMonitors.follow(s.id),
      removed: (s) => { this.canMonitors.drop(s.id); this.events.forget(s); },
    });
    this.recordings = new Recordings({
      store: this.store, sessions: () => this.sessions.all(), userDataDir: opts.userDataDir,
      onStateChange: (data) => { this.events.broadcast({ event: 'recording', data }); this.changed(false); },
      otherNames: (id) => this.replays.nameOf(id),
      replayOf: (file) => this.replays.openOn(file),
      onCsvProgress: (data) => this.events.broadcast({ event: 'csvExport', data }),
    });
    this.replays = new Replays({
      store: this.store,
      resolve: (name, folder) => this.recordings.file(name, folder),
      // Opening or closing a replay (a new set of signals) is kept in the workspace.
      onChange: (signals) => {
        this.changed(signals);
        // New signal ids (an open, a seek): plots resubscribe as soon as they hear of them.
        if (signals) { this.events.signalsChanged(); this.events.flush(); }
      },
      onMarks: (data) => this.events.broadcast({ event: 'marks', data }),
    });
    this.acquisitions = new Acquisitions({
      store: this.store, userDataDir: opts.userDataDir, sessionName: (id) => this.sessions.find(id)?.name ?? id,
      onCapture: (data) => { this.events.broadcast({ event: 'capture', data }); this.changed(false); },
      onTriggersChanged: () => this.changed(false),
    });
    this.canMonitors = new CanMonitors((id) => {
      const s = this.sessions.get(id);
      return {
        name: s.name, link: s.linkSpec, activeLink: s.activeLink,
        signals: {
          declare: (name) => { const sid = this.store.declare(s.id, name); this.events.signalsChanged(); return sid; },
          append: (sid, t, v) => this.store.append(sid, t, v),
        },
      };
    });
    const handlers = {
      ...hubHandlers({
        sessions: this.sessions, store: this.store, replays: this.replays, events: this.events, workbench: this.workbench,
        status: () => this.status(), serverStats: () => this.serverStats(),
        changed: (persist) => this.changed(persist), scheduleSave: () => this.scheduleSave(),
      }),
      ...captureHandlers(this.recordings, this.acquisitions, this.replays),
      ...this.canMonitors.handlers(),
    } satisfies HandlerTable<Method, ClientState>;
    this.doors = new HubDoors({
      batcher: this.batcher, events: this.events, counters: this.counters, outboxCounters: this.outboxCounters,
      handlers, status: () => this.status(),
    });
  }

  async start(): Promise<void> {
    let ws: Workspace = { version: 1, demoMode: this.opts.demoOnFirstStart ?? true, sessions: [], plots: [] };
    if (this.opts.userDataDir) {
      const loaded = await loadWorkspace(this.opts.userDataDir);
      if (loaded.notice) this.notices.push(loaded.notice);
      if (!loaded.fresh) ws = loaded.workspace;
      if (loaded.fresh) ws.demoMode = this.opts.demoOnFirstStart ?? true;
    }
    this.workbench.plots = ws.plots;
    this.workbench.layouts = ws.layouts ?? EMPTY_LAYOUT_STATE;
    for (const s of ws.sessions) {
      const session = this.sessions.add(s.protocol, s.link, s.options, { name: s.name, autoConnect: s.autoConnect, id: s.id });
      if (!s.autoConnect) continue;
      try {
        session.connect();
      } catch (e) {
        this.notices.push(`Session "${session.name}" could not connect: ${(e as Error).message}`);
      }
    }
    if (ws.demoMode) await this.sessions.setDemoMode(true);
    // Replays open when the engine stopped come back, paused where they were.
    for (const r of ws.replays ?? []) {
      try {
        await this.replays.openReplay({ name: r.recording, file: r.path, position: r.position, speed: r.speed });
      } catch (e) {
        this.notices.push(`The replay of "${r.recording}" could not be opened again: ${(e as Error).message}`);
      }
    }
    this.timers.push(setInterval(() => this.batcher.flush(), this.opts.flushMs ?? 33));
    this.timers.push(setInterval(() => this.events.flush(), 100));
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
    await this.sessions.closeAll();
  }

  connect(door: ClientDoor): HubConnection {
    return this.doors.connect(door);
  }

  /** The in-process door: a request straight to the hub, validated like any other. */
  call<M extends Method>(method: M, params: unknown = {}): Promise<Result<M>> {
    return this.doors.call(method, params);
  }

  status(): ServerStatus {
    const notices = [...this.notices];
    if (this.writer?.lastError) notices.push(this.writer.lastError);
    return {
      time: Date.now() / 1000, demoMode: this.sessions.demoMode, sessions: [...this.sessions.all()].map((s) => s.status()), notices,
      recording: this.recordings.status(), triggers: this.acquisitions.statuses(), replays: this.replays.list(),
    };
  }

  serverStats(): ServerStatistics {
    let toDevice = 0, fromDevice = 0, requests = 0, dropped = 0;
    for (const s of this.sessions.all()) {
      const c = s.counters();
      toDevice += c.txBytesPerSec;
      fromDevice += c.rxBytesPerSec;
      // Requests to devices: what the host sends (the answers are not requests).
      requests += c.txMessagesPerSec;
    }
    dropped += this.counters.departedDroppedSamples;
    for (const c of this.events.clients) dropped += c.telemetry.stats.samplesDropped;
    return {
      uptime: (Date.now() - this.startedAt) / 1000,
      invalidRequestCount: this.counters.invalidRequestCount,
      unexpectedErrorCount: this.counters.unexpectedErrorCount,
      clientCount: this.events.clients.size,
      toAllClientsDatarateBytePerSec: this.counters.toClients.rate(),
      fromAnyClientDatarateBytePerSec: this.counters.fromClients.rate(),
      msgReceived: this.counters.msgReceived,
      msgSent: this.counters.msgSent,
      deviceSessionCount: this.counters.deviceSessionCount,
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
    this.events.statusChanged();
    if (persist) this.scheduleSave();
  }

  private tick(): void {
    const now = Date.now();
    for (const s of this.sessions.all()) s.tick(now);
    this.events.statusChanged();
    this.events.flush();
  }

  private scheduleSave(): void {
    if (!this.writer || this.stopped) return;
    if (this.saveTimer) clearTimeout(this.saveTimer);
    this.saveTimer = setTimeout(() => { this.saveTimer = null; void this.save(); }, 200);
  }

  private save(): Promise<void> {
    if (!this.writer) return Promise.resolve();
    return this.writer.save({
      version: 1,
      demoMode: this.sessions.demoMode,
      sessions: [...this.sessions.all()].filter((s) => !s.demo).map((s) => ({
        id: s.id, name: s.name, protocol: s.protocolName, link: s.linkSpec, options: s.options, autoConnect: s.autoConnect,
      })),
      plots: this.workbench.plots,
      layouts: this.workbench.layouts,
      replays: this.replays.list().map((r) => ({ recording: r.recording, path: r.path, position: r.position, speed: r.speed })),
    });
  }
}
