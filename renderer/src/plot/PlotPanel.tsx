// One plot: its title, signals, time window and pause, over a LiveChart. The
// frame counters are written straight into the DOM by the chart's frame hook,
// never through React state.
import { useEffect, useMemo, useRef, useState, type KeyboardEvent } from 'react';
import type { PlotConfig, SignalInfo } from '../../../shared/api/contract';
import { CaptureTools } from '../capture/CaptureTools';
import { client } from '../hub';
import { useStore } from '../store';
import { LiveChart, SERIES_COLOURS, type ChartSeries } from './live-chart';
import { parseSignalDrag, plotDropHandler, plotDropType, SIGNAL_DRAG_TYPE } from './plot-drop';
import { resolvePlotSignals, type SignalSource } from './plot-signals';
import { SignalPicker } from './SignalPicker';
import { replayClock } from '../capture/replay-clock';

export const WINDOW_CHOICES = [
  { seconds: 1, label: '1 s' },
  { seconds: 5, label: '5 s' },
  { seconds: 10, label: '10 s' },
  { seconds: 30, label: '30 s' },
  { seconds: 60, label: '60 s' },
  { seconds: 300, label: '5 min' },
];

export function PlotPanel({ plot, sessions, signals }: { plot: PlotConfig; sessions: SignalSource[]; signals: SignalInfo[] }) {
  const updatePlot = useStore((s) => s.updatePlot);
  const removePlot = useStore((s) => s.removePlot);
  const resolved = useMemo(() => resolvePlotSignals(plot, sessions, signals), [plot, sessions, signals]);
  const severalSessions = new Set(plot.signals.map((s) => s.session)).size > 1;
  const series: ChartSeries[] = resolved.flatMap((r) => (r.info ? [{
    id: r.info.id,
    label: `${severalSessions ? `${r.session}: ` : ''}${r.signal}${r.info.unit ? ` [${r.info.unit}]` : ''}`,
    ...(r.info.states ? { states: r.info.states } : {}),
    unit: r.info.unit,
  }] : []));
  const seriesKey = JSON.stringify(series);
  // The marks of the plotted signals' sessions (a mark naming a signal only where that signal is plotted).
  const markFilterKey = JSON.stringify(resolved.flatMap((r) => (r.info ? [[r.info.sessionId, r.signal]] : [])));
  // Same order as the chart's series, so a checkbox's swatch matches its line.
  const colourOf = new Map(resolved.filter((r) => r.info).map((r, i) => [`${r.session}\u0000${r.signal}`, SERIES_COLOURS[i % SERIES_COLOURS.length]]));
  const missing = resolved.length - series.length;
  // A plot of a replay follows the replay's playhead, not the wall clock.
  const replayId = resolved.find((r) => r.info && sessions.find((x) => x.sessionId === r.info!.sessionId)?.replay)?.info?.sessionId ?? null;

  const chartHost = useRef<HTMLDivElement>(null);
  const chart = useRef<LiveChart | null>(null);
  const frameRef = useRef<HTMLSpanElement>(null);
  const pointsRef = useRef<HTMLSpanElement>(null);
  const receivedRef = useRef<HTMLSpanElement>(null);
  const marksRef = useRef<HTMLSpanElement>(null);
  const lagRef = useRef<HTMLSpanElement>(null);
  const [following, setFollowing] = useState(true);
  const [choosing, setChoosing] = useState(plot.signals.length === 0);
  const [dropping, setDropping] = useState(false);

  useEffect(() => {
    const c = new LiveChart(chartHost.current!, {
      onFrame: (st) => {
        if (frameRef.current) frameRef.current.textContent = String(st.pointsLastFrame);
        if (pointsRef.current) pointsRef.current.textContent = String(st.pointsDrawnTotal);
        if (receivedRef.current) receivedRef.current.textContent = String(st.received);
        if (marksRef.current) marksRef.current.textContent = String(st.marks);
        if (lagRef.current) lagRef.current.textContent = Number.isFinite(st.lagMs) ? String(Math.max(0, Math.round(st.lagMs))) : '—';
      },
      onFollowChange: setFollowing,
    });
    chart.current = c;
    return () => {
      c.destroy();
      chart.current = null;
    };
  }, []);
  // eslint-disable-next-line react-hooks/exhaustive-deps -- seriesKey stands for series: a new array each render, the same content mostly
  useEffect(() => chart.current?.setSeries(series), [seriesKey]);
  useEffect(() => chart.current?.setWindow(plot.windowSeconds), [plot.windowSeconds]);
  useEffect(() => chart.current?.setClock(replayId ? () => replayClock(replayId) : null), [replayId]);
  useEffect(() => {
    const signalsBySession = new Map<string, Set<string>>();
    for (const [sessionId, signal] of JSON.parse(markFilterKey) as [string, string][]) {
      if (!signalsBySession.has(sessionId)) signalsBySession.set(sessionId, new Set());
      signalsBySession.get(sessionId)!.add(signal);
    }
    chart.current?.setMarkFilter({ signalsBySession });
  }, [markFilterKey]);

  const windowChoices = WINDOW_CHOICES.some((w) => w.seconds === plot.windowSeconds)
    ? WINDOW_CHOICES
    : [...WINDOW_CHOICES, { seconds: plot.windowSeconds, label: `${plot.windowSeconds} s` }];

  const [csvNote, setCsvNote] = useState<string | null>(null);
  /** The engine holds every sample at full rate: the CSV is made there, for the range on screen, and downloaded. */
  const exportVisibleCsv = async () => {
    const range = chart.current?.visibleRange();
    if (!range) return;
    try {
      const r = await client.request('exportSignalsCsv', { signalIds: series.map((s) => s.id), t0: range[0], t1: range[1] });
      const url = URL.createObjectURL(new Blob([r.csv], { type: 'text/csv' }));
      const a = document.createElement('a');
      a.href = url;
      a.download = `${(plot.title || 'plot').replace(/[^A-Za-z0-9 _.-]/g, '_')}.csv`;
      a.click();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
      setCsvNote(`${r.rows} rows${r.truncated ? ' (the newest samples only: too many in range)' : ''}`);
    } catch (e) {
      setCsvNote(`CSV not made: ${(e as Error).message}`);
    }
  };

  const toggleSignal = (session: string, signal: string, on: boolean) => {
    const rest = plot.signals.filter((s) => !(s.session === session && s.signal === signal));
    updatePlot(plot.id, { signals: on ? [...rest, { session, signal }] : rest });
  };
  const isPlotted = (session: string, signal: string) => plot.signals.some((s) => s.session === session && s.signal === signal);
  const headingId = `${plot.id}-title`;

  return (
    <section className={`plot${dropping ? ' plot-dropping' : ''}`} data-testid="plot" data-plot-id={plot.id} aria-labelledby={headingId}
      onDragOver={(e) => {
        if (!plotDropType([...e.dataTransfer.types])) return;
        e.preventDefault();
        e.dataTransfer.dropEffect = 'copy';
        setDropping(true);
      }}
      onDragLeave={(e) => { if (!e.currentTarget.contains(e.relatedTarget as Node | null)) setDropping(false); }}
      onDrop={(e) => {
        setDropping(false);
        const type = plotDropType([...e.dataTransfer.types]);
        if (!type) return;
        e.preventDefault();
        if (type === SIGNAL_DRAG_TYPE) {
          const sig = parseSignalDrag(e.dataTransfer.getData(SIGNAL_DRAG_TYPE));
          if (sig && !isPlotted(sig.session, sig.signal)) updatePlot(plot.id, { signals: [...plot.signals, sig] });
          return;
        }
        plotDropHandler(type)?.(e.dataTransfer, plot);
      }}>
      <header className="plot-header">
        <h3 id={headingId} className="visually-hidden">{plot.title || 'Untitled plot'}</h3>
        <PlotTitle title={plot.title} onCommit={(title) => updatePlot(plot.id, { title })} />
        <label className="inline-field">
          <span>Window</span>
          <select
            aria-label="Time window"
            value={plot.windowSeconds}
            onChange={(e) => updatePlot(plot.id, { windowSeconds: Number(e.target.value) })}
          >
            {windowChoices.map((w) => <option key={w.seconds} value={w.seconds}>{w.label}</option>)}
          </select>
        </label>
        <button type="button" className="btn" aria-pressed={!following} onClick={() => chart.current?.setPaused(following)}>
          {following ? 'Pause' : 'Resume'}
        </button>
        <button type="button" className="btn" disabled={series.length === 0} title="The samples in view, as CSV (one time column, one column per signal)"
          onClick={() => void exportVisibleCsv()}>CSV</button>
        <button type="button" className="btn" aria-expanded={choosing} onClick={() => setChoosing(!choosing)}>
          Signals ({series.length})
        </button>
        <button type="button" className="btn btn-quiet" aria-label={`Remove plot ${plot.title}`} title="Remove plot" onClick={() => removePlot(plot.id)}>✕</button>
      </header>
      {choosing ? (
        <SignalChooser plot={plot} sessions={sessions} signals={signals} colourOf={colourOf} isPlotted={isPlotted} onToggle={toggleSignal} />
      ) : null}
      <div className="plot-chart" ref={chartHost} />
      <CaptureTools signals={series} chartHost={chartHost} title={plot.title} />
      <footer className="plot-status" aria-label="Plot status">
        <span><span ref={frameRef} data-testid="plot-frame-points">0</span> pts last frame</span>
        <span><span ref={pointsRef} data-testid="plot-points">0</span> pts drawn</span>
        <span><span ref={receivedRef} data-testid="plot-received">0</span> samples received</span>
        <span title="Events on the time axis (status changes, moves) in view"><span ref={marksRef} data-testid="plot-marks">0</span> marks</span>
        <span title="How long ago the newest sample drawn reached the engine"><span ref={lagRef} data-testid="plot-lag">—</span> ms lag</span>
        {following ? <span className="live">{replayId ? '▶ replay' : '● live'}</span> : <span className="held">paused (double-click: back to window)</span>}
        {csvNote ? <span role="status" data-testid="plot-csv-note">{csvNote}</span> : null}
        {missing ? <span className="warn">{missing} signal{missing > 1 ? 's' : ''} not available</span> : null}
        {series.length === 0 && !missing ? <span className="muted">no signals: tick some under Signals</span> : null}
        <span className="muted hint-keys">drag: zoom · shift+drag / shift+wheel: pan · ctrl+wheel: zoom</span>
      </footer>
    </section>
  );
}

function PlotTitle({ title, onCommit }: { title: string; onCommit(title: string): void }) {
  const [text, setText] = useState(title);
  useEffect(() => setText(title), [title]);
  const commit = () => { if (text !== title) onCommit(text.slice(0, 200)); };
  const onKeyDown = (e: KeyboardEvent<HTMLInputElement>) => {
    if (e.key === 'Enter') { e.preventDefault(); commit(); e.currentTarget.blur(); }
    if (e.key === 'Escape') { e.preventDefault(); setText(title); }
  };
  return (
    <input className="plot-title" aria-label="Plot title" value={text} maxLength={200}
      onChange={(e) => setText(e.target.value)} onBlur={commit} onKeyDown={onKeyDown} />
  );
}

/** The plot's own picker: tick to plot; the signals the plot names that do not exist now, to untick. */
function SignalChooser({ plot, sessions, signals, colourOf, isPlotted, onToggle }: {
  plot: PlotConfig;
  colourOf: Map<string, string>;
  sessions: SignalSource[];
  signals: SignalInfo[];
  isPlotted(session: string, signal: string): boolean;
  onToggle(session: string, signal: string, on: boolean): void;
}) {
  const nameOf = new Map(sessions.map((x) => [x.sessionId, x.name]));
  const known = new Set(signals.map((s) => `${nameOf.get(s.sessionId)}\u0000${s.name}`));
  const unavailable = plot.signals.filter((s) => !known.has(`${s.session}\u0000${s.signal}`));
  return (
    <div className="signal-chooser">
      <SignalPicker sessions={sessions} signals={signals} label="Signals to plot" isPicked={isPlotted} onPick={onToggle}
        colourOf={(session, signal) => colourOf.get(`${session}\u0000${signal}`)} />
      {unavailable.length ? (
        <fieldset>
          <legend>Not available now</legend>
          {unavailable.map((s) => {
            const id = `${plot.id}-missing-${s.session}-${s.signal}`;
            return (
              <span key={id} className="signal-check">
                <input id={id} type="checkbox" checked onChange={() => onToggle(s.session, s.signal, false)} />
                <label htmlFor={id}>{s.session}: {s.signal}</label>
              </span>
            );
          })}
        </fieldset>
      ) : null}
    </div>
  );
}
