// The hub's own requests (sessions, signals, console, plots, layouts, protocol
// actions) as entries of its handler table; the capture and CAN entries come from
// their folders. Params arrive as the contract's schemas parsed them.
import type { HandlerTable, Method, PlotConfig, ServerStatistics, ServerStatus } from '../../shared/api/contract';
import type { CanMethod } from '../../shared/api/can';
import type { LayoutState } from '../../shared/api/layout';
import { describeLink } from '../../shared/api/link-config';
import { describeTable } from '../../shared/api/actions';
import { ApiError } from '../../shared/api/errors';
import { actionTableOf, PROTOCOL_LABELS } from '../../shared/api/protocol-actions';
import { refuseReason } from '../links/factory';
import { listSerialPorts } from '../links/serial';
import { parseAction, runParsedAction } from '../protocols/actions';
import type { TelemetryStore } from '../telemetry/store';
import type { CaptureMethod } from '../record/capture-requests';
import type { Replays } from '../record/replay';
import type { ClientState, HubEvents } from './events';
import { linkFailure, type SessionRegistry } from './sessions';

export type HubMethod = Exclude<Method, CaptureMethod | CanMethod>;

/** The workbench's own state the hub keeps for its clients (and in the workspace). */
export interface WorkbenchState {
  plots: PlotConfig[];
  layouts: LayoutState;
}

export interface RequestContext {
  sessions: SessionRegistry;
  store: TelemetryStore;
  replays: Replays;
  events: HubEvents;
  workbench: WorkbenchState;
  status(): ServerStatus;
  serverStats(): ServerStatistics;
  /** Something changed: broadcast soon; `persist` also saves the workspace. */
  changed(persist: boolean): void;
  scheduleSave(): void;
}

export function hubHandlers(h: RequestContext) {
  const { sessions, store, replays, events, workbench } = h;
  return {
    getServerStatus: () => h.status(),
    requestServerStatusUpdate: (_p, client) => {
      const s = h.status();
      events.sendEvent(client, { event: 'status', data: s });
      return s;
    },
    getServerStats: () => h.serverStats(),
    getDeviceInfo: (p) => sessions.get(p.sessionId).deviceInfo(),
    configureDeviceLink: async (p) => {
      const session = sessions.get(p.sessionId);
      const spec = sessions.parseLink(p.linkType, p.linkConfig);
      // A refused link changes nothing: not the session, not demo mode.
      const refused = refuseReason(spec);
      if (refused) throw new ApiError('OperationFailure', refused);
      // A demo session configured by hand is kept in the workspace from now on.
      const wasDemo = session.demo;
      if (wasDemo) sessions.roomForSession();
      await session.configureLink(spec).catch((e) => linkFailure(e, spec));
      session.demo = false;
      // As in the seed, configuring a demo device's link by hand ends demo mode;
      // editing one's own session's link leaves the demo bench running.
      if (wasDemo && sessions.demoMode) await sessions.setDemoMode(false, session.id);
      h.changed(true);
      return null;
    },
    requestDemoMode: async (p) => {
      await sessions.setDemoMode(p.enable);
      return null;
    },
    createSession: async (p) => {
      sessions.roomForSession();
      const spec = sessions.parseLink(p.linkType, p.linkConfig);
      const options = sessions.parseOptions(p.protocol, p.options ?? {});
      const autoConnect = p.autoConnect ?? true;
      const session = sessions.add(p.protocol, spec, options, { name: p.name ?? sessions.uniqueName(`${p.protocol} on ${describeLink(spec)}`), autoConnect });
      if (autoConnect) {
        try {
          session.connect();
        } catch (e) {
          await sessions.remove(session.id);
          linkFailure(e, spec);
        }
      }
      h.changed(true);
      return { sessionId: session.id };
    },
    listSessions: () => [...sessions.all()].map((s) => s.summary()),
    removeSession: async (p) => {
      sessions.get(p.sessionId);
      await sessions.remove(p.sessionId);
      return null;
    },
    connectSession: (p) => {
      const s = sessions.get(p.sessionId);
      try { s.connect(); } catch (e) { linkFailure(e, s.linkSpec); }
      s.autoConnect = true;
      h.changed(true);
      return null;
    },
    disconnectSession: async (p) => {
      const s = sessions.get(p.sessionId);
      s.autoConnect = false;
      await s.disconnect();
      h.changed(true);
      return null;
    },
    setSessionOptions: async (p) => {
      const s = sessions.get(p.sessionId);
      await s.setOptions(sessions.parseOptions(s.protocolName, p.options));
      h.changed(true);
      return null;
    },
    renameSession: (p) => {
      sessions.get(p.sessionId).name = p.name;
      h.changed(true);
      return null;
    },
    listSignals: (p) => {
      if (p.sessionId !== undefined && !replays.has(p.sessionId)) sessions.get(p.sessionId);
      return store.list(p.sessionId);
    },
    subscribe: (p, client) => {
      const ids = p.signalIds.filter((id) => store.has(id));
      client.telemetry.subscribe(ids, { history: p.history });
      return { subscribed: ids };
    },
    unsubscribe: (p, client) => {
      client.telemetry.unsubscribe(p.signalIds);
      return null;
    },
    subscribeConsole: (p, client) => {
      events.watchConsole(client, p.sessionId === null ? null : sessions.get(p.sessionId));
      return null;
    },
    getConsole: (p) => sessions.get(p.sessionId).consoleHistory(p.limit ?? 500),
    getMarks: (p) => {
      const limit = p.limit ?? 2000;
      if (p.sessionId !== undefined && replays.has(p.sessionId)) return replays.marks(p.sessionId).slice(-limit);
      if (p.sessionId !== undefined) return sessions.get(p.sessionId).marks(limit);
      return [...[...sessions.all()].flatMap((s) => s.marks(limit)), ...replays.marks()].sort((a, b) => a.t - b.t).slice(-limit);
    },
    sendText: (p) => {
      const s = sessions.get(p.sessionId);
      if (!s.sendText(p.text)) throw new ApiError('NotConnected', `Session "${s.name}" (${describeLink(s.linkSpec)}) is not connected: nothing was sent`);
      return null;
    },
    listSerialPorts: () => listSerialPorts(),
    getPlots: () => workbench.plots,
    setPlots: (p, client) => {
      workbench.plots = p.plots;
      for (const c of events.clients) if (c !== client) events.sendEvent(c, { event: 'plots', data: workbench.plots });
      h.scheduleSave();
      return null;
    },
    getLayouts: () => workbench.layouts,
    setLayouts: (p) => {
      workbench.layouts = p.state;
      h.scheduleSave();
      return null;
    },
    ping: () => ({ time: Date.now() / 1000 }),
    sessionAction: (p) => {
      const s = sessions.get(p.sessionId);
      const adapter = s.activeAdapter;
      const table = actionTableOf(s.protocolName);
      if (!table) throw new ApiError('InvalidRequest', `The ${PROTOCOL_LABELS[s.protocolName]} protocol has no actions`);
      // Arguments are checked first: a bad request is refused the same whether the device is there or not.
      const parsed = parseAction(s.protocolName, table, p.action, p.args);
      if (!adapter) throw new ApiError('NotConnected', `Session "${s.name}" (${describeLink(s.linkSpec)}) is not connected`);
      if (!adapter.actions) throw new ApiError('UnexpectedError', `The ${PROTOCOL_LABELS[s.protocolName]} session declares actions but has no handlers`);
      return runParsedAction(s.protocolName, adapter.actions, p.action, parsed);
    },
    describeActions: (p) => describeTable(actionTableOf(sessions.get(p.sessionId).protocolName) ?? {}),
  } satisfies HandlerTable<HubMethod, ClientState>;
}
