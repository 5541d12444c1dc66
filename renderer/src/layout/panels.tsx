// The workbench's dockable panels: each wraps a view of the app for the docking
// layout. Panels about one session find it by name; a layout naming a session
// the bench does not have shows the panel waiting for it. Views that poll or
// draw (plots, workbenches, consoles) are mounted only while their tab is shown.
import { Suspense, useEffect, useMemo, useState, type ReactNode } from 'react';
import type { IDockviewPanelProps } from 'dockview-react';
import type { ReplayStatus } from '../../../shared/api/capture';
import type { SessionStatus } from '../../../shared/api/contract';
import type { PanelKind, PanelParams } from '../../../shared/api/layout';
import { CanMonitorPanel } from '../can/CanMonitorPanel';
import { ReplayBar } from '../capture/ReplayBar';
import { Console } from '../panels/Console';
import { LinkPanel } from '../panels/LinkPanel';
import { PanelBoundary } from '../panels/PanelBoundary';
import { SessionList } from '../panels/SessionList';
import { SessionStatusPanel } from '../panels/SessionStatusPanel';
import { StatsPanel } from '../panels/StatsPanel';
import { PlotPanel } from '../plot/PlotPanel';
import { SignalPicker } from '../plot/SignalPicker';
import type { SignalSource } from '../plot/plot-signals';
import { RENDERER_PROTOCOLS } from '../protocols/registry';
import { selectedSession, useStore } from '../store';

const NO_SESSIONS: SessionStatus[] = [];
const NO_REPLAYS: ReplayStatus[] = [];

type Props<K extends PanelKind> = IDockviewPanelProps<PanelParams<K>>;

/** True while the panel's tab is the one shown in its group. */
function useVisible(api: IDockviewPanelProps['api']): boolean {
  const [visible, setVisible] = useState(api.isVisible);
  useEffect(() => {
    setVisible(api.isVisible);
    const d = api.onDidVisibilityChange((e) => setVisible(e.isVisible));
    return () => d.dispose();
  }, [api]);
  return visible;
}

function useSessionNamed(name: string): SessionStatus | null {
  return useStore((s) => s.status?.sessions.find((x) => x.name === name) ?? null);
}

function Scroll({ children, kind }: { children: ReactNode; kind: PanelKind }) {
  return <div className={`dock-panel dock-${kind}`} data-panel-kind={kind}>{children}</div>;
}

function Waiting({ name, what }: { name: string; what: string }) {
  return (
    <div className="dock-waiting" data-testid="panel-waiting" role="status">
      <p>Waiting for the session <strong>{name}</strong>.</p>
      <p className="muted">This {what} opens when a session of that name is on the bench.</p>
    </div>
  );
}

function SessionsPanel() {
  return <Scroll kind="sessions"><SessionList /></Scroll>;
}

function SelectedSessionPanel() {
  const session = useStore(selectedSession);
  return (
    <Scroll kind="session">
      {session ? (
        <>
          <SessionStatusPanel session={session} />
          <LinkPanel session={session} />
        </>
      ) : <p className="muted empty">No session selected.</p>}
    </Scroll>
  );
}

function StatsDockPanel() {
  return <Scroll kind="stats"><StatsPanel /></Scroll>;
}

function WorkbenchPanel({ api, params }: Props<'workbench'>) {
  const session = useSessionNamed(params.session);
  const visible = useVisible(api);
  const Panel = session ? RENDERER_PROTOCOLS[session.protocol]?.Panel : undefined;
  if (!session) return <Scroll kind="workbench"><Waiting name={params.session} what="workbench" /></Scroll>;
  return (
    <Scroll kind="workbench">
      <div className="protocol-area" data-session-name={session.name}>
        {visible && Panel ? (
          <PanelBoundary key={session.sessionId} name={session.protocol}>
            <Suspense fallback={<p className="muted">Loading the {session.protocol} panel…</p>}>
              <Panel session={session} />
            </Suspense>
          </PanelBoundary>
        ) : null}
        {!Panel ? <p className="muted empty">The {session.protocol} protocol has no workbench of its own: its signals plot and its lines show in the console.</p> : null}
      </div>
    </Scroll>
  );
}

function ConsolePanel({ api, params }: Props<'console'>) {
  const session = useSessionNamed(params.session);
  const visible = useVisible(api);
  if (!session) return <Scroll kind="console"><Waiting name={params.session} what="console" /></Scroll>;
  return <Scroll kind="console">{visible ? <Console key={session.sessionId} sessionId={session.sessionId} sessionName={session.name} /> : null}</Scroll>;
}

function CanPanel({ api, params }: Props<'can'>) {
  const session = useSessionNamed(params.session);
  const visible = useVisible(api);
  if (!session) return <Scroll kind="can"><Waiting name={params.session} what="CAN monitor" /></Scroll>;
  return <Scroll kind="can">{visible ? <CanMonitorPanel key={session.sessionId} session={session} /> : null}</Scroll>;
}

/** Live sessions and open replays: plots name their signals the same way. */
export function useSignalSources(): SignalSource[] {
  const liveSessions = useStore((s) => s.status?.sessions ?? NO_SESSIONS);
  const replays = useStore((s) => s.status?.replays ?? NO_REPLAYS);
  return useMemo(
    () => [...liveSessions, ...replays.map((r) => ({ sessionId: r.replayId, name: r.name, replay: true }))],
    [liveSessions, replays],
  );
}

function PlotDockPanel({ api, params }: Props<'plot'>) {
  const plot = useStore((s) => s.plots.find((p) => p.id === params.plot) ?? null);
  const signals = useStore((s) => s.signals);
  const sessions = useSignalSources();
  const visible = useVisible(api);
  useEffect(() => { if (plot && api.title !== (plot.title || 'Untitled plot')) api.setTitle(plot.title || 'Untitled plot'); }, [api, plot]);
  return (
    <Scroll kind="plot">
      {!plot ? <p className="muted empty">This plot is not in the workspace.</p>
        : visible ? <PlotPanel plot={plot} sessions={sessions} signals={signals} /> : null}
    </Scroll>
  );
}

function ReplaysPanel() {
  const replays = useStore((s) => s.status?.replays ?? NO_REPLAYS);
  return (
    <Scroll kind="replays">
      {replays.length ? replays.map((r) => <ReplayBar key={r.replayId} replay={r} />)
        : <p className="muted empty">No recording is open for replay. Open one from Recordings in the top bar.</p>}
    </Scroll>
  );
}

/**
 * Every signal of the bench, searched: dragged onto any plot, or picked (click,
 * Space, Enter) onto the plot chosen at the top; with no plot, a pick makes one.
 */
function SignalsPanel() {
  const plots = useStore((s) => s.plots);
  const signals = useStore((s) => s.signals);
  const addPlot = useStore((s) => s.addPlot);
  const updatePlot = useStore((s) => s.updatePlot);
  const sessions = useSignalSources();
  const [targetId, setTargetId] = useState<string | null>(null);
  const target = plots.find((p) => p.id === targetId) ?? plots[0] ?? null;
  const isPicked = (session: string, signal: string) => !!target?.signals.some((s) => s.session === session && s.signal === signal);
  const onPick = (session: string, signal: string, on: boolean) => {
    if (!target) {
      setTargetId(addPlot({ title: signal, signals: [{ session, signal }] }));
      return;
    }
    const rest = target.signals.filter((s) => !(s.session === session && s.signal === signal));
    updatePlot(target.id, { signals: on ? [...rest, { session, signal }] : rest });
  };
  return (
    <Scroll kind="signals">
      <label className="inline-field signals-target">
        <span>Pick onto</span>
        <select aria-label="Plot to pick onto" value={target?.id ?? ''} onChange={(e) => setTargetId(e.target.value)} disabled={!plots.length}>
          {plots.length ? plots.map((p) => <option key={p.id} value={p.id}>{p.title || 'Untitled plot'}</option>) : <option value="">a new plot</option>}
        </select>
        <span className="muted">or drag a signal onto any plot</span>
      </label>
      <SignalPicker sessions={sessions} signals={signals} label="Signals" isPicked={isPicked} onPick={onPick} />
    </Scroll>
  );
}

export const PANEL_COMPONENTS = {
  sessions: SessionsPanel,
  session: SelectedSessionPanel,
  stats: StatsDockPanel,
  workbench: WorkbenchPanel,
  console: ConsolePanel,
  can: CanPanel,
  plot: PlotDockPanel,
  replays: ReplaysPanel,
  signals: SignalsPanel,
} satisfies Record<PanelKind, (props: never) => ReactNode>;
