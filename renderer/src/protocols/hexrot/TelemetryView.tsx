// The controller's telemetry: a live table (field, value, unit; a state field by
// its name) beside a chart of the same fields. In the chart each unit has its own
// y axis and state fields are timelines, so an application status of 1024 does
// not flatten positions of a few mm. The chart's samples come through the
// telemetry cache like any plot's; the table asks the engine for the newest frame.
import { useEffect, useRef, useState } from 'react';
import type { TelemetrySnapshot } from '../../../../shared/api/hexrot';
import { formatSample } from '../../format';
import { client } from '../../hub';
import { usePoll } from '../../hooks/usePoll';
import { LiveChart, type ChartSeries } from '../../plot/live-chart';
import { setPanelSignals } from '../../plot/telemetry-cache';
import { useStore } from '../../store';
import './hexrot.css';

const TABLE_REFRESH_MS = 250;
const CHART_WINDOW_S = 30;

function shown(f: TelemetrySnapshot['fields'][number]): string {
  const v = typeof f.value === 'number' ? formatSample(f.value) : f.value;
  return f.label ? `${f.label} (${v})` : v;
}

export function TelemetryView({ sessionId, ready }: { sessionId: string; ready: boolean }) {
  const [snapshot, setSnapshot] = useState<TelemetrySnapshot | null>(null);
  const [error, setError] = useState<string | null>(null);

  usePoll(ready, {
    periodMs: TABLE_REFRESH_MS,
    poll: () => client.action({ sessionId, protocol: 'hexrot' }, 'telemetry', {}),
    onValue: (s) => { if (s) setSnapshot(s); setError(null); },
    onError: (e) => setError(e.message),
  }, [sessionId]);

  // The telemetry signals are the session's signals outside the config.
  const signals = useStore((s) => s.signals);
  const series: ChartSeries[] = signals
    .filter((s) => s.sessionId === sessionId && !s.name.startsWith('config.'))
    .map((s) => ({ id: s.id, label: `${s.name}${s.unit ? ` [${s.unit}]` : ''}`, unit: s.unit, ...(s.states ? { states: s.states } : {}) }));
  const seriesKey = JSON.stringify(series);

  const host = useRef<HTMLDivElement>(null);
  const chart = useRef<LiveChart | null>(null);
  useEffect(() => {
    const c = new LiveChart(host.current!, { onFrame: () => {}, onFollowChange: () => {} });
    c.setWindow(CHART_WINDOW_S);
    chart.current = c;
    return () => { c.destroy(); chart.current = null; };
  }, []);
  useEffect(() => {
    chart.current?.setSeries(series);
    chart.current?.setMarkFilter({ signalsBySession: new Map([[sessionId, new Set(series.map((s) => signals.find((x) => x.id === s.id)!.name))]]) });
    const panel = `hexrot:${sessionId}`;
    setPanelSignals(panel, series.map((s) => s.id));
    return () => setPanelSignals(panel, null);
    // eslint-disable-next-line react-hooks/exhaustive-deps -- seriesKey stands for series and the signals it names (new arrays each render)
  }, [seriesKey, sessionId]);

  return (
    <div className="hexrot-telemetry">
      <div className={`hexrot-telemetry-table${ready ? '' : ' hexrot-stale'}`}>
        {snapshot ? (
          <table className="counters hexrot-fields" aria-label="Telemetry" data-testid="hexrot-telemetry">
            <thead><tr><th scope="col">field</th><th scope="col">value</th><th scope="col">unit</th></tr></thead>
            <tbody>
              {snapshot.fields.map((f) => (
                <tr key={f.name} data-field={f.name}>
                  <th scope="row" className="mono">{f.name}</th>
                  <td className="mono">{shown(f)}</td>
                  <td className="hexrot-unit">{f.unit ?? ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : <p className="muted">No telemetry received yet.</p>}
        {snapshot ? <p className="muted">frame #{snapshot.count}{ready ? '' : ', not connected: the last values received'}</p> : null}
        {error ? <p role="alert" className="field-error">{error}</p> : null}
      </div>
      <div className="hexrot-telemetry-chart plot-chart" ref={host} data-testid="hexrot-telemetry-chart" aria-label="Telemetry chart" />
    </div>
  );
}
