// All plots of the workspace, and the subscription they need: the union of
// their signals is what this renderer asks the hub to stream.
import { useEffect, useMemo } from 'react';
import type { ReplayStatus } from '../../../shared/api/capture';
import type { SessionStatus } from '../../../shared/api/contract';
import { ReplayBar } from '../capture/ReplayBar';
import { useStore } from '../store';
import { PlotPanel } from './PlotPanel';
import { plottedSignalIds, type SignalSource } from './plot-signals';
import { setWantedSignals } from './telemetry-cache';

const NO_SESSIONS: SessionStatus[] = [];
const NO_REPLAYS: ReplayStatus[] = [];

export function PlotsArea() {
  const plots = useStore((s) => s.plots);
  const liveSessions = useStore((s) => s.status?.sessions ?? NO_SESSIONS);
  const replays = useStore((s) => s.status?.replays ?? NO_REPLAYS);
  // Replays hold signals as sessions do: plots name them the same way.
  const sessions: SignalSource[] = useMemo(
    () => [...liveSessions, ...replays.map((r) => ({ sessionId: r.replayId, name: r.name, replay: true }))],
    [liveSessions, replays],
  );
  const signals = useStore((s) => s.signals);
  const plotsError = useStore((s) => s.plotsError);
  const streamError = useStore((s) => s.streamError);
  const addPlot = useStore((s) => s.addPlot);
  const connected = useStore((s) => s.connection.phase === 'connected');
  const wantedKey = plottedSignalIds(plots, sessions, signals).join(',');

  useEffect(() => {
    if (connected) setWantedSignals(wantedKey ? wantedKey.split(',').map(Number) : []);
  }, [wantedKey, connected]);

  return (
    <section className="panel plots-area" aria-labelledby="plots-title">
      <header className="panel-header">
        <h2 id="plots-title">Plots</h2>
        <button type="button" className="btn" onClick={() => addPlot()}>Add plot</button>
      </header>
      {replays.map((r) => <ReplayBar key={r.replayId} replay={r} />)}
      {plotsError ? <div className="banner banner-error" role="alert">{plotsError}</div> : null}
      {streamError ? <div className="banner banner-error" role="alert">{streamError}</div> : null}
      {plots.length === 0 ? <p className="muted empty">No plots. “Add plot”, then tick the signals to show.</p> : null}
      {plots.map((p) => <PlotPanel key={p.id} plot={p} sessions={sessions} signals={signals} />)}
    </section>
  );
}
