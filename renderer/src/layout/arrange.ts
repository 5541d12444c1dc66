// Where panels go: the default layout, a session's panels when it appears, and
// bringing a session's panels to the front. Panels of one kind share a group
// (tabs), so a new session's workbench lands beside the others.
import type { AddPanelOptions, DockviewApi, IDockviewPanel } from 'dockview-react';
import type { SessionStatus } from '../../../shared/api/contract';
import { PANEL_KINDS, type PanelKind } from '../../../shared/api/layout';

export const SESSIONS_PANEL = 'sessions';
export const SESSION_PANEL = 'session';
export const STATS_PANEL = 'stats';
export const REPLAYS_PANEL = 'replays';
export const SIGNALS_PANEL = 'signals';

export function panelId(kind: PanelKind, key?: string): string {
  return key === undefined ? kind : `${kind}:${key}`;
}

export function kindOf(panel: IDockviewPanel): PanelKind | null {
  const kind = panel.id.split(':', 1)[0];
  return (PANEL_KINDS as readonly string[]).includes(kind!) ? kind as PanelKind : null;
}

/** The session a panel is about, for the kinds that are about one. */
export function sessionOf(panel: IDockviewPanel): string | null {
  const s = (panel.params as { session?: unknown } | undefined)?.session;
  return typeof s === 'string' ? s : null;
}

export const WORKBENCH_TITLE = (name: string) => name;
export const CONSOLE_TITLE = (name: string) => `Console · ${name}`;
export const CAN_TITLE = (name: string) => `CAN · ${name}`;

function firstOfKind(api: DockviewApi, kind: PanelKind): IDockviewPanel | undefined {
  return api.panels.find((p) => p.id === kind || p.id.startsWith(`${kind}:`));
}

/**
 * Adds a panel beside those of its kind (as a tab), or else where `fallback`
 * says, or else to the right of everything. Never steals the active tab unless asked.
 */
type Direction = 'right' | 'below' | 'left' | 'above';
/** Beside the group of a kind, or (kind null) at that edge of the whole layout. */
type Fallback = { kind: PanelKind | null; direction: Direction | 'within' };

function addBeside(api: DockviewApi, options: AddPanelOptions, kind: PanelKind, fallback: Fallback[], activate = false): IDockviewPanel {
  const existing = api.getPanel(options.id);
  if (existing) return existing;
  const sibling = firstOfKind(api, kind);
  let position: AddPanelOptions['position'];
  if (sibling) position = { referenceGroup: sibling.group, direction: 'within' };
  else {
    for (const f of fallback) {
      if (f.kind === null) { position = { direction: f.direction }; break; }
      const ref = firstOfKind(api, f.kind);
      if (ref) { position = { referenceGroup: ref.group, direction: f.direction }; break; }
    }
  }
  return api.addPanel({ ...options, ...(position ? { position } : {}), inactive: !activate && Boolean(sibling) } as AddPanelOptions);
}

export function addSessionPanels(api: DockviewApi, session: SessionStatus, plotId: string | null, plotTitle: string): void {
  const name = session.name;
  // A column of its own: beside a group of the left column it would split that column.
  addBeside(api, { id: panelId('workbench', name), component: 'workbench', title: WORKBENCH_TITLE(name), params: { session: name } }, 'workbench',
    [{ kind: 'plot', direction: 'left' }, { kind: null, direction: 'right' }]);
  if (plotId) addPlotPanel(api, plotId, plotTitle);
  addBeside(api, { id: panelId('console', name), component: 'console', title: CONSOLE_TITLE(name), params: { session: name } }, 'console',
    [{ kind: 'workbench', direction: 'below' }]);
  if (session.deviceLink.type === 'can') {
    // Beside the consoles, not among them: a CAN session's monitor and console are both in view.
    addBeside(api, { id: panelId('can', name), component: 'can', title: CAN_TITLE(name), params: { session: name } }, 'can',
      [{ kind: 'console', direction: 'right' }, { kind: 'workbench', direction: 'below' }]);
  }
}

export function addPlotPanel(api: DockviewApi, plotId: string, title: string, activate = false): IDockviewPanel {
  return addBeside(api, { id: panelId('plot', plotId), component: 'plot', title: title || 'Untitled plot', params: { plot: plotId } }, 'plot',
    [{ kind: 'workbench', direction: 'right' }, { kind: null, direction: 'right' }], activate);
}

export function addReplaysPanel(api: DockviewApi): void {
  if (api.getPanel(REPLAYS_PANEL)) return;
  const plot = firstOfKind(api, 'plot');
  api.addPanel({
    id: REPLAYS_PANEL, component: 'replays', title: 'Replay',
    ...(plot ? { position: { referenceGroup: plot.group, direction: 'above' } } : {}),
    ...(plot ? { initialHeight: 90 } : {}),
  } as AddPanelOptions);
}

/**
 * A session renamed: each of its panels is replaced, in the same group, at the same
 * place among the tabs, by one under the new name (panel ids carry the name).
 */
export function renameSessionPanels(api: DockviewApi, from: string, to: string): void {
  const titles: Partial<Record<PanelKind, (name: string) => string>> = { workbench: WORKBENCH_TITLE, console: CONSOLE_TITLE, can: CAN_TITLE };
  for (const p of [...api.panels]) {
    const kind = kindOf(p);
    const title = kind ? titles[kind] : undefined;
    if (sessionOf(p) !== from || !kind || !title) continue;
    const group = p.group;
    const shown = group.activePanel === p;
    if (!api.getPanel(panelId(kind, to))) {
      api.addPanel({
        id: panelId(kind, to), component: kind, title: title(to), params: { session: to },
        position: { referenceGroup: group, index: group.panels.indexOf(p) }, inactive: !shown,
      } as AddPanelOptions);
    }
    p.api.close();
  }
}

/** Closes every panel about a session (workbench, console, CAN monitor). */
export function closeSessionPanels(api: DockviewApi, name: string): void {
  for (const p of [...api.panels]) if (sessionOf(p) === name) p.api.close();
}

/** Shows a session's panels: its tab becomes the active one in each group that has it. */
export function bringSessionToFront(api: DockviewApi, name: string, plotIds: string[]): void {
  const ids = [panelId('can', name), panelId('console', name), ...plotIds.map((id) => panelId('plot', id)), panelId('workbench', name)];
  for (const id of ids) {
    const p = api.getPanel(id);
    if (p && !p.api.isVisible) p.api.setActive();
  }
}

/**
 * The layout a first start shows: sessions, the selected session and the hub's
 * statistics on the left; the workbenches with the consoles under them; the plots on the right.
 */
export function buildDefaultLayout(api: DockviewApi, sessions: SessionStatus[], plotOf: (s: SessionStatus) => { id: string; title: string } | null): void {
  api.clear();
  api.addPanel({ id: SESSIONS_PANEL, component: 'sessions', title: 'Sessions' });
  // The columns first (workbench, then plots to its right, consoles under the workbench),
  // then the left column is split: splitting it first would put the session under every column.
  sessions.forEach((s, i) => {
    const plot = plotOf(s);
    addSessionPanels(api, s, plot?.id ?? null, plot?.title ?? s.name);
    if (i === 0) {
      api.addPanel({ id: SESSION_PANEL, component: 'session', title: 'Session', position: { referencePanel: SESSIONS_PANEL, direction: 'below' }, inactive: true });
      api.addPanel({ id: STATS_PANEL, component: 'stats', title: 'Statistics', position: { referencePanel: SESSION_PANEL, direction: 'within' }, inactive: true });
      api.addPanel({ id: SIGNALS_PANEL, component: 'signals', title: 'Signals', position: { referencePanel: SESSION_PANEL, direction: 'within' }, inactive: true });
    }
  });
  if (!sessions.length) {
    api.addPanel({ id: SESSION_PANEL, component: 'session', title: 'Session', position: { referencePanel: SESSIONS_PANEL, direction: 'below' } });
    api.addPanel({ id: STATS_PANEL, component: 'stats', title: 'Statistics', position: { referencePanel: SESSION_PANEL, direction: 'within' }, inactive: true });
    api.addPanel({ id: SIGNALS_PANEL, component: 'signals', title: 'Signals', position: { referencePanel: SESSION_PANEL, direction: 'within' }, inactive: true });
  }
  const first = sessions[0];
  if (first) api.getPanel(panelId('workbench', first.name))?.api.setActive();
  sizeDefault(api);
}

/** Column widths for the default layout: a narrow sessions column, the plots taking about half of the rest. */
export function sizeDefault(api: DockviewApi): void {
  const width = api.width;
  const height = api.height;
  const sessions = api.getPanel(SESSIONS_PANEL)?.group;
  const session = api.getPanel(SESSION_PANEL)?.group;
  const plot = firstOfKind(api, 'plot')?.group;
  const console = firstOfKind(api, 'console')?.group;
  const left = Math.max(220, Math.min(300, Math.round(width * 0.18)));
  sessions?.api.setSize({ width: left });
  if (sessions && session && sessions !== session) sessions.api.setSize({ height: Math.round(height * 0.45) });
  if (plot) plot.api.setSize({ width: Math.round((width - left) * 0.48) });
  if (console) console.api.setSize({ height: Math.round(height * 0.34) });
}

/** Every panel the bench can show: the single ones, and each session's own. */
export function possiblePanels(sessions: SessionStatus[]): { id: string; kind: PanelKind; title: string; session?: string }[] {
  const all: { id: string; kind: PanelKind; title: string; session?: string }[] = [
    { id: SESSIONS_PANEL, kind: 'sessions', title: 'Sessions' },
    { id: SESSION_PANEL, kind: 'session', title: 'Session' },
    { id: STATS_PANEL, kind: 'stats', title: 'Statistics' },
    { id: REPLAYS_PANEL, kind: 'replays', title: 'Replay' },
    { id: SIGNALS_PANEL, kind: 'signals', title: 'Signals' },
  ];
  for (const s of sessions) {
    all.push({ id: panelId('workbench', s.name), kind: 'workbench', title: WORKBENCH_TITLE(s.name), session: s.name });
    all.push({ id: panelId('console', s.name), kind: 'console', title: CONSOLE_TITLE(s.name), session: s.name });
    if (s.deviceLink.type === 'can') all.push({ id: panelId('can', s.name), kind: 'can', title: CAN_TITLE(s.name), session: s.name });
  }
  return all;
}

/** Opens a panel again where its kind lives (or at a sensible edge), in front. */
export function openPanel(api: DockviewApi, p: { id: string; kind: PanelKind; title: string; session?: string }): void {
  const params = p.session === undefined ? {} : { session: p.session };
  const fallback: Record<PanelKind, Fallback[]> = {
    sessions: [{ kind: 'session', direction: 'above' }, { kind: null, direction: 'left' }],
    session: [{ kind: 'stats', direction: 'within' }, { kind: 'sessions', direction: 'below' }, { kind: null, direction: 'left' }],
    stats: [{ kind: 'session', direction: 'within' }, { kind: 'sessions', direction: 'below' }, { kind: null, direction: 'left' }],
    workbench: [{ kind: 'plot', direction: 'left' }, { kind: null, direction: 'right' }],
    console: [{ kind: 'can', direction: 'left' }, { kind: 'workbench', direction: 'below' }, { kind: null, direction: 'below' }],
    can: [{ kind: 'console', direction: 'right' }, { kind: 'workbench', direction: 'below' }, { kind: null, direction: 'below' }],
    plot: [{ kind: 'workbench', direction: 'right' }, { kind: null, direction: 'right' }],
    replays: [{ kind: 'plot', direction: 'above' }, { kind: null, direction: 'above' }],
    signals: [{ kind: 'stats', direction: 'within' }, { kind: 'sessions', direction: 'below' }, { kind: null, direction: 'left' }],
  };
  const panel = addBeside(api, { id: p.id, component: p.kind, title: p.title, params }, p.kind, fallback[p.kind], true);
  panel.api.setActive();
}
