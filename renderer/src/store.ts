// The renderer's one store, in slices. It holds configuration and status only:
// telemetry lives in plot/telemetry-cache.ts and console lines in
// panels/console-buffer.ts, both outside React.
import { create, type StateCreator } from 'zustand';
import type {
  LocalStatistics, PlotConfig, SerialPortInfo, ServerStatistics, ServerStatus, SessionStatus, SignalInfo,
} from '../../shared/api/contract';
import type { LayoutState } from '../../shared/api/layout';
import { client } from './hub';

// ---------------------------------------------------------------- connection

export type ConnectionPhase =
  | 'connecting'
  /** Connected and in sync with the hub. */
  | 'connected'
  /** Was connected; the connection dropped and is being retried. */
  | 'reconnecting'
  /** Browser door: the page was opened without ?token=… */
  | 'token-missing'
  /** Browser door: the hub refused the first connection (most likely the token). */
  | 'refused';

export interface ConnectionSlice {
  connection: { phase: ConnectionPhase; error: string | null; door: 'electron' | 'websocket' | null; retryInS: number | null };
  setConnection(patch: Partial<ConnectionSlice['connection']>): void;
}

const connectionSlice: StateCreator<Store, [], [], ConnectionSlice> = (set) => ({
  connection: { phase: 'connecting', error: null, door: null, retryInS: null },
  setConnection: (patch) => set((s) => ({ connection: { ...s.connection, ...patch } })),
});

// ---------------------------------------------------------------- status and sessions

export interface SessionsSlice {
  status: ServerStatus | null;
  signals: SignalInfo[];
  serialPorts: { ports: SerialPortInfo[]; error: string | null; loading: boolean };
  /** A request the user made that failed outside any form (demo mode, connect…). */
  actionError: string | null;
  setStatus(status: ServerStatus | null): void;
  setSignals(signals: SignalInfo[]): void;
  refreshSerialPorts(): Promise<void>;
  setDemoMode(enable: boolean): Promise<void>;
  connectSession(sessionId: string): Promise<void>;
  disconnectSession(sessionId: string): Promise<void>;
  removeSession(sessionId: string): Promise<void>;
  dismissActionError(): void;
  /** Shows a failure nobody is waiting on (a background request) in the action banner, with what was attempted. */
  notify(what: string, error: unknown): void;
}

const sessionsSlice: StateCreator<Store, [], [], SessionsSlice> = (set, get) => {
  /** Runs a hub request, showing its failure in the action banner with what was attempted. */
  const attempt = async (what: string, run: () => Promise<unknown>): Promise<void> => {
    try {
      await run();
      set({ actionError: null });
    } catch (e) {
      set({ actionError: `${what}: ${(e as Error).message}` });
    }
  };
  const sessionLabel = (id: string) => {
    const s = get().status?.sessions.find((x) => x.sessionId === id);
    return s ? `"${s.name}" (${s.deviceLink.endpoint})` : id;
  };
  return {
    status: null,
    signals: [],
    serialPorts: { ports: [], error: null, loading: false },
    actionError: null,
    setStatus: (status) => set({ status }),
    setSignals: (signals) => set({ signals }),
    refreshSerialPorts: async () => {
      set((s) => ({ serialPorts: { ...s.serialPorts, loading: true } }));
      try {
        const { ports, error } = await client.request('listSerialPorts', {});
        set({ serialPorts: { ports, error, loading: false } });
      } catch (e) {
        set((s) => ({ serialPorts: { ports: s.serialPorts.ports, error: (e as Error).message, loading: false } }));
      }
    },
    setDemoMode: (enable) => attempt(enable ? 'Cannot start the demo bench' : 'Cannot stop the demo bench', () => client.requestDemoMode(enable)),
    connectSession: (id) => attempt(`Cannot connect ${sessionLabel(id)}`, () => client.request('connectSession', { sessionId: id })),
    disconnectSession: (id) => attempt(`Cannot disconnect ${sessionLabel(id)}`, () => client.request('disconnectSession', { sessionId: id })),
    removeSession: (id) => attempt(`Cannot remove ${sessionLabel(id)}`, () => client.removeSession(id)),
    dismissActionError: () => set({ actionError: null }),
    notify: (what, error) => set({ actionError: `${what}: ${error instanceof Error ? error.message : String(error)}` }),
  };
};

// ---------------------------------------------------------------- selection and dialogs

export interface SelectionSlice {
  selectedSessionId: string | null;
  newSessionOpen: boolean;
  selectSession(sessionId: string | null): void;
  setNewSessionOpen(open: boolean): void;
}

const selectionSlice: StateCreator<Store, [], [], SelectionSlice> = (set) => ({
  selectedSessionId: null,
  newSessionOpen: false,
  selectSession: (selectedSessionId) => set({ selectedSessionId }),
  setNewSessionOpen: (newSessionOpen) => set({ newSessionOpen }),
});

/** The selected session, falling back to the first one when none (or a removed one) is selected. */
export function selectedSession(s: Store): SessionStatus | null {
  const sessions = s.status?.sessions ?? [];
  return sessions.find((x) => x.sessionId === s.selectedSessionId) ?? sessions[0] ?? null;
}

// ---------------------------------------------------------------- plots

export interface PlotsSlice {
  plots: PlotConfig[];
  /** False until the hub's plot setup has been read: no default plot before that. */
  plotsLoaded: boolean;
  plotsError: string | null;
  /** Why the plotted signals are not streamed, if they are not. */
  streamError: string | null;
  receivePlots(plots: PlotConfig[]): void;
  /** Adds a plot and returns its id. */
  addPlot(plot?: Partial<PlotConfig>): string;
  /** All plots at once (a layout being applied). */
  replacePlots(plots: PlotConfig[]): void;
  updatePlot(id: string, patch: Partial<Omit<PlotConfig, 'id'>>): void;
  removePlot(id: string): void;
  setStreamError(error: string | null): void;
}

let plotSeq = 0;
function newPlotId(existing: PlotConfig[]): string {
  let id: string;
  do id = `plot-${Date.now().toString(36)}-${(plotSeq++).toString(36)}`; while (existing.some((p) => p.id === id));
  return id;
}

const plotsSlice: StateCreator<Store, [], [], PlotsSlice> = (set, get) => {
  const persist = (plots: PlotConfig[]) => {
    set({ plots });
    client.request('setPlots', { plots }).then(
      () => set({ plotsError: null }),
      (e: Error) => set({ plotsError: `Plot setup not saved: ${e.message}` }),
    );
  };
  return {
    plots: [],
    plotsLoaded: false,
    plotsError: null,
    streamError: null,
    receivePlots: (plots) => set({ plots, plotsLoaded: true }),
    addPlot: (plot) => {
      const plots = get().plots;
      const id = newPlotId(plots);
      persist([...plots, { title: `Plot ${plots.length + 1}`, signals: [], windowSeconds: 10, ...plot, id }]);
      return id;
    },
    replacePlots: (plots) => persist(plots),
    updatePlot: (id, patch) => persist(get().plots.map((p) => (p.id === id ? { ...p, ...patch } : p))),
    removePlot: (id) => persist(get().plots.filter((p) => p.id !== id)),
    setStreamError: (streamError) => set({ streamError }),
  };
};

// ---------------------------------------------------------------- layouts

export interface LayoutSlice {
  /** Null until the hub's layouts have been read: the dock is not built before that. */
  layoutState: LayoutState | null;
  layoutError: string | null;
  receiveLayouts(state: LayoutState): void;
  /** Changes the layout state and saves it in the workspace. */
  updateLayouts(patch: Partial<LayoutState>): void;
  setLayoutError(error: string | null): void;
}

const layoutSlice: StateCreator<Store, [], [], LayoutSlice> = (set, get) => ({
  layoutState: null,
  layoutError: null,
  receiveLayouts: (layoutState) => set({ layoutState }),
  updateLayouts: (patch) => {
    const current = get().layoutState;
    if (!current) return;
    const state = { ...current, ...patch };
    set({ layoutState: state });
    client.request('setLayouts', { state }).then(
      () => { if (get().layoutError?.startsWith('Layout not saved')) set({ layoutError: null }); },
      (e: Error) => set({ layoutError: `Layout not saved: ${e.message}` }),
    );
  },
  setLayoutError: (layoutError) => set({ layoutError }),
});

// ---------------------------------------------------------------- console

export type LineEnding = 'lf' | 'crlf' | 'none';
export const LINE_ENDINGS: Record<LineEnding, string> = { lf: '\n', crlf: '\r\n', none: '' };

export interface ConsoleSlice {
  consoleFilter: string;
  consoleFollow: boolean;
  lineEnding: LineEnding;
  setConsoleFilter(filter: string): void;
  setConsoleFollow(follow: boolean): void;
  setLineEnding(ending: LineEnding): void;
}

const consoleSlice: StateCreator<Store, [], [], ConsoleSlice> = (set) => ({
  consoleFilter: '',
  consoleFollow: true,
  lineEnding: 'lf',
  setConsoleFilter: (consoleFilter) => set({ consoleFilter }),
  setConsoleFollow: (consoleFollow) => set({ consoleFollow }),
  setLineEnding: (lineEnding) => set({ lineEnding }),
});

// ---------------------------------------------------------------- statistics

export interface StatsSlice {
  serverStats: ServerStatistics | null;
  localStats: LocalStatistics | null;
  statsError: string | null;
  refreshStats(): Promise<void>;
}

const statsSlice: StateCreator<Store, [], [], StatsSlice> = (set) => ({
  serverStats: null,
  localStats: null,
  statsError: null,
  refreshStats: async () => {
    try {
      const serverStats = await client.getServerStats();
      set({ serverStats, localStats: client.getLocalStats(), statsError: null });
    } catch (e) {
      set({ localStats: client.getLocalStats(), statsError: (e as Error).message });
    }
  },
});

// ---------------------------------------------------------------- the store

export type Store = ConnectionSlice & SessionsSlice & SelectionSlice & PlotsSlice & LayoutSlice & ConsoleSlice & StatsSlice;

export const useStore = create<Store>()((...a) => ({
  ...connectionSlice(...a),
  ...sessionsSlice(...a),
  ...selectionSlice(...a),
  ...plotsSlice(...a),
  ...layoutSlice(...a),
  ...consoleSlice(...a),
  ...statsSlice(...a),
}));
