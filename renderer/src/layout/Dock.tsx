// The workbench's docking layout (dockview): every view is a panel that can be
// tabbed, split, resized, dragged, floated, maximised and closed. Built once per
// page from the workspace's layout (or the default one), then kept in step with
// the bench: a new session gets its workbench, console and a plot; a session
// that goes closes its panels; selecting a session brings its panels to the front.
import { useEffect, useRef, useState } from 'react';
import { DockviewReact, themeDark, themeLight, type DockviewApi, type IDockviewHeaderActionsProps } from 'dockview-react';
import 'dockview-react/dist/styles/dockview.css';
import type { SessionStatus, SignalInfo } from '../../../shared/api/contract';
import { DockLayout, type Layout } from '../../../shared/api/layout';
import { useStore } from '../store';
import { setWantedSignals } from '../plot/telemetry-cache';
import { plottedSignalIds } from '../plot/plot-signals';
import {
  addPlotPanel, addReplaysPanel, addSessionPanels, bringSessionToFront, buildDefaultLayout, closeSessionPanels, kindOf, openPanel, panelId, possiblePanels,
  renameSessionPanels, sessionOf, sizeDefault,
} from './arrange';
import { PANEL_COMPONENTS, useSignalSources } from './panels';
import { useTheme } from './theme';
import { setDockApi } from './dock-api';

const NO_SESSIONS: SessionStatus[] = [];
/** A new session's plot shows all its signals when it has this many or fewer, else the first this many. */
const FIRST_SIGNALS = 8;
const SAVE_DEBOUNCE_MS = 300;

function firstSignals(signals: SignalInfo[], session: SessionStatus) {
  return signals.filter((x) => x.sessionId === session.sessionId).slice(0, FIRST_SIGNALS).map((x) => ({ session: session.name, signal: x.name }));
}

/** Plots about one session: every signal from it (or, while still empty, made for it). */
function plotIdsOf(name: string): string[] {
  return useStore.getState().plots
    .filter((p) => (p.signals.length ? p.signals.every((s) => s.session === name) : p.title === name))
    .map((p) => p.id);
}

export function Dock() {
  const [api, setApi] = useState<DockviewApi | null>(null);
  const layoutState = useStore((s) => s.layoutState);
  const plotsLoaded = useStore((s) => s.plotsLoaded);
  const sessions = useStore((s) => s.status?.sessions ?? NO_SESSIONS);
  const replays = useStore((s) => s.status?.replays?.length ?? 0);
  const plots = useStore((s) => s.plots);
  const signals = useStore((s) => s.signals);
  const selectedId = useStore((s) => s.selectedSessionId);
  const connected = useStore((s) => s.connection.phase === 'connected');
  const theme = useTheme();
  const [built, setBuilt] = useState(false);
  /** While a layout is being loaded or built, its panel events are not the user's doing. */
  const applying = useRef(false);
  /** Plots made for a session before its signals were known: filled when they appear, unless the user got there first. */
  const pendingFill = useRef(new Map<string, string>());
  /** The sessions of the last render, by id: a name that changed under the same id is a rename. */
  const previousSessions = useRef<Map<string, string> | null>(null);

  // Build once, from the workspace's layout, or the default one.
  useEffect(() => {
    if (!api || built || !layoutState || !plotsLoaded) return;
    applying.current = true;
    try {
      const saved = layoutState.current ? DockLayout.safeParse(layoutState.current) : null;
      let loaded = false;
      if (saved?.success) {
        try {
          api.fromJSON(saved.data as never);
          loaded = true;
        } catch (e) {
          useStore.getState().setLayoutError(`The saved layout could not be shown (${(e as Error).message}); the default one is shown instead`);
        }
      } else if (saved && !saved.success) {
        const first = saved.error.issues[0]!;
        useStore.getState().setLayoutError(`The saved layout is not valid (${first.path.join('.')}: ${first.message}); the default one is shown instead`);
      }
      if (!loaded) {
        const s = useStore.getState();
        buildDefaultLayout(api, s.status?.sessions ?? [], (session) => plotFor(session, s.signals));
        s.updateLayouts({ seen: (s.status?.sessions ?? []).map((x) => x.name) });
      }
    } finally {
      applying.current = false;
    }
    setBuilt(true);
  }, [api, built, layoutState, plotsLoaded]);

  /** A plot for a new session: its first signals, or an empty one filled when they arrive. */
  const plotFor = (session: SessionStatus, known: SignalInfo[]): { id: string; title: string } => {
    const first = firstSignals(known, session);
    const id = useStore.getState().addPlot({ title: session.name, signals: first });
    if (!first.length) pendingFill.current.set(id, session.name);
    return { id, title: session.name };
  };

  // Sessions that appear get their panels (once: closing them is the user's choice); sessions that go close theirs.
  useEffect(() => {
    if (!api || !built) return;
    const names = new Set(sessions.map((s) => s.name));
    const beforeById = previousSessions.current;
    previousSessions.current = new Map(sessions.map((s) => [s.sessionId, s.name]));
    const s = useStore.getState();
    const seen = new Set(s.layoutState?.seen ?? []);
    let changed = false;
    applying.current = true;
    try {
      // A rename keeps the session's panels (under the new name) and its plots (their signals follow).
      const renamed = new Set<string>();
      for (const session of sessions) {
        const old = beforeById?.get(session.sessionId);
        if (old === undefined || old === session.name) continue;
        renamed.add(old);
        renameSessionPanels(api, old, session.name);
        s.replacePlots(useStore.getState().plots.map((p) => ({
          ...p,
          title: p.title === old ? session.name : p.title,
          signals: p.signals.map((x) => (x.session === old ? { ...x, session: session.name } : x)),
        })));
        for (const [plotId, name] of pendingFill.current) if (name === old) pendingFill.current.set(plotId, session.name);
        seen.delete(old);
        seen.add(session.name);
        changed = true;
      }
      const before = beforeById ? new Set([...beforeById.values()].filter((n) => !renamed.has(n))) : null;
      const hadWorkbench = api.panels.some((p) => kindOf(p) === 'workbench');
      for (const session of sessions) {
        if (seen.has(session.name)) continue;
        const plot = plotFor(session, s.signals);
        addSessionPanels(api, session, plot.id, plot.title);
        // A session just made here (or selected before its panels existed) is shown.
        if (session.sessionId === s.selectedSessionId) bringSessionToFront(api, session.name, [plot.id]);
        seen.add(session.name);
        changed = true;
      }
      // The first workbench of a bench that started empty: the columns take the default widths.
      if (!hadWorkbench && api.panels.some((p) => kindOf(p) === 'workbench')) sizeDefault(api);
      if (before) {
        for (const gone of before) {
          if (names.has(gone)) continue;
          closeSessionPanels(api, gone);
          for (const id of plotIdsOf(gone)) useStore.getState().removePlot(id);
          seen.delete(gone);
          changed = true;
        }
      }
    } finally {
      applying.current = false;
    }
    if (changed) s.updateLayouts({ seen: [...seen] });
  }, [api, built, sessions]);

  // An empty plot made for a session takes its first signals once they are known.
  useEffect(() => {
    for (const [plotId, name] of [...pendingFill.current]) {
      // From the store, not this render: the plot may have been made by an effect of this same commit.
      const plot = useStore.getState().plots.find((p) => p.id === plotId);
      const session = sessions.find((x) => x.name === name);
      if (!plot || plot.signals.length) { pendingFill.current.delete(plotId); continue; }
      if (!session) continue;
      const first = firstSignals(signals, session);
      if (first.length) {
        pendingFill.current.delete(plotId);
        useStore.getState().updatePlot(plotId, { signals: first });
      }
    }
  }, [signals, plots, sessions]);

  // Every plot has a panel; a plot removed (its ✕, another window, the SDK) closes its panel.
  useEffect(() => {
    if (!api || !built) return;
    applying.current = true;
    try {
      const ids = new Set(plots.map((p) => p.id));
      // A plot made elsewhere (Add plot, a replay, the SDK, another window) comes to the front.
      for (const p of plots) if (!api.getPanel(panelId('plot', p.id))) addPlotPanel(api, p.id, p.title, true);
      for (const panel of [...api.panels]) {
        if (kindOf(panel) === 'plot' && !ids.has((panel.params as { plot: string }).plot)) panel.api.close();
      }
    } finally {
      applying.current = false;
    }
  }, [api, built, plots]);

  // A replay opened gets the replay panel.
  useEffect(() => { if (api && built && replays > 0) addReplaysPanel(api); }, [api, built, replays]);

  // Every plot's signals are streamed, shown or not: a tab brought forward has its recent past.
  const sources = useSignalSources();
  const wantedKey = plottedSignalIds(plots, sources, signals).join(',');
  useEffect(() => {
    if (connected) setWantedSignals(wantedKey ? wantedKey.split(',').map(Number) : []);
  }, [wantedKey, connected]);

  // Selecting a session brings its panels to the front.
  useEffect(() => {
    if (!api || !built || !selectedId) return;
    const session = useStore.getState().status?.sessions.find((x) => x.sessionId === selectedId);
    if (session) bringSessionToFront(api, session.name, plotIdsOf(session.name));
  }, [api, built, selectedId]);

  // Wiring to the layout's events: saving, selection following the active tab, closing a plot's panel.
  useEffect(() => {
    if (!api || !built) return;
    let timer: ReturnType<typeof setTimeout> | null = null;
    const save = () => {
      if (timer) clearTimeout(timer);
      timer = setTimeout(() => { timer = null; useStore.getState().updateLayouts({ current: api.toJSON() as DockLayout }); }, SAVE_DEBOUNCE_MS);
    };
    const subs = [
      api.onDidLayoutChange(save),
      api.onDidActivePanelChange(({ panel }) => {
        if (applying.current || !panel) return;
        const name = sessionOf(panel);
        const session = name ? useStore.getState().status?.sessions.find((x) => x.name === name) : undefined;
        if (session && session.sessionId !== useStore.getState().selectedSessionId) useStore.getState().selectSession(session.sessionId);
      }),
      api.onDidRemovePanel((panel) => {
        if (applying.current || kindOf(panel) !== 'plot') return;
        const id = (panel.params as { plot: string }).plot;
        if (useStore.getState().plots.some((p) => p.id === id)) useStore.getState().removePlot(id);
      }),
    ];
    setDockApi({
      apply: (layout: Layout) => {
        applying.current = true;
        try {
          useStore.getState().replacePlots(layout.plots);
          api.fromJSON(layout.dock as never);
        } finally {
          applying.current = false;
        }
        save();
      },
      snapshot: () => ({ dock: api.toJSON() as DockLayout, plots: useStore.getState().plots }),
      resetToDefault: () => {
        const s = useStore.getState();
        applying.current = true;
        try {
          s.replacePlots([]);
          buildDefaultLayout(api, s.status?.sessions ?? [], (session) => plotFor(session, s.signals));
        } finally {
          applying.current = false;
        }
        save();
      },
      closedPanels: () => possiblePanels(useStore.getState().status?.sessions ?? []).filter((p) => !api.getPanel(p.id)),
      openPanel: (p) => openPanel(api, p),
      addPlot: () => {
        const id = useStore.getState().addPlot();
        // The plots effect gives it a panel; this one is brought forward.
        setTimeout(() => api.getPanel(panelId('plot', id))?.api.setActive(), 0);
      },
    });
    return () => {
      if (timer) { clearTimeout(timer); useStore.getState().updateLayouts({ current: api.toJSON() as DockLayout }); }
      for (const d of subs) d.dispose();
      setDockApi(null);
    };
  }, [api, built]);

  // The layout's keys: F6 / Shift+F6 move between groups, Alt+Shift+PageDown / PageUp between a
  // group's tabs, Alt+Shift+M maximises or restores the active panel, Alt+Shift+W closes it.
  useEffect(() => {
    if (!api) return;
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'F6' && !e.ctrlKey && !e.altKey && !e.metaKey) {
        // In reading order on screen (columns left to right, top to bottom in each), from the group holding the focus.
        const groups = api.groups.filter((g) => g.api.location.type !== 'popout' && g.element.offsetWidth > 0)
          .map((g) => ({ g, r: g.element.getBoundingClientRect() }))
          .sort((a, b) => (Math.abs(a.r.left - b.r.left) > 2 ? a.r.left - b.r.left : a.r.top - b.r.top))
          .map((x) => x.g);
        if (!groups.length) return;
        e.preventDefault();
        const focused = groups.find((g) => g.element.contains(document.activeElement)) ?? api.activeGroup;
        const at = focused ? groups.indexOf(focused) : -1;
        const next = groups[(at + (e.shiftKey ? -1 : 1) + groups.length) % groups.length]!;
        next.activePanel?.api.setActive();
        next.element.querySelector<HTMLElement>('.dv-tab.dv-active-tab')?.focus();
        return;
      }
      if (!e.altKey || !e.shiftKey || e.ctrlKey || e.metaKey) return;
      const panel = api.activePanel;
      if (!panel) return;
      const key = e.key.toLowerCase();
      if (key === 'w') { e.preventDefault(); panel.api.close(); }
      if (key === 'm') {
        e.preventDefault();
        if (panel.api.isMaximized()) panel.api.exitMaximized(); else panel.api.maximize();
      }
      if (key === 'pagedown' || key === 'pageup') {
        e.preventDefault();
        const tabs = panel.group.panels;
        const next = tabs[(tabs.indexOf(panel) + (key === 'pagedown' ? 1 : -1) + tabs.length) % tabs.length];
        next?.api.setActive();
        panel.group.element.querySelector<HTMLElement>('.dv-tab.dv-active-tab')?.focus();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [api]);

  return (
    <div className="dock-host" data-testid="dock" data-built={built ? 'true' : 'false'}>
      <DockviewReact
        components={PANEL_COMPONENTS as never}
        onReady={(e) => setApi(e.api)}
        theme={theme === 'light' ? themeLight : themeDark}
        rightHeaderActionsComponent={GroupActions}
      />
    </div>
  );
}

/** Buttons at the right of each group's tabs: float it, maximise or restore it. */
function GroupActions({ containerApi, group, api }: IDockviewHeaderActionsProps) {
  const [maximised, setMaximised] = useState(api.isMaximized());
  useEffect(() => {
    const d = containerApi.onDidMaximizedGroupChange(() => setMaximised(api.isMaximized()));
    return () => d.dispose();
  }, [containerApi, api]);
  const floating = api.location.type === 'floating';
  return (
    <div className="dock-actions">
      {!floating ? (
        <button type="button" className="dock-action" title="Float this group above the layout" aria-label="Float"
          onClick={() => { const p = group.activePanel; if (p) containerApi.addFloatingGroup(p); }}><FloatIcon /></button>
      ) : null}
      <button type="button" className="dock-action" aria-pressed={maximised}
        title={maximised ? 'Restore (Alt+Shift+M)' : 'Maximise (Alt+Shift+M)'} aria-label={maximised ? 'Restore' : 'Maximise'}
        onClick={() => (maximised ? api.exitMaximized() : api.maximize())}>{maximised ? <RestoreIcon /> : <MaximiseIcon />}</button>
    </div>
  );
}

const ICON = { width: 12, height: 12, viewBox: '0 0 12 12', fill: 'none', stroke: 'currentColor', strokeWidth: 1.3, 'aria-hidden': true } as const;
function FloatIcon() {
  return <svg {...ICON}><rect x="1" y="3.5" width="7" height="7" /><path d="M4 3.5V1.5h6.5V8H8" /></svg>;
}
function MaximiseIcon() {
  return <svg {...ICON}><rect x="1.5" y="1.5" width="9" height="9" /><path d="M1.5 3.5h9" /></svg>;
}
function RestoreIcon() {
  return <svg {...ICON}><rect x="1.5" y="4" width="6.5" height="6.5" /><path d="M4 4V1.5h6.5V8H8" /></svg>;
}
