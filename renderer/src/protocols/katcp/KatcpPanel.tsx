// The selected KATCP session: a sensor browser (live values, statuses, strategy per
// sensor), a request console and the device log.
import React, { useEffect, useMemo, useState } from 'react';
import type { ProtocolEvent, SessionStatus } from '../../../../shared/api/contract';
import { client } from '../../hub';
import { usePoll } from '../../hooks/usePoll';
import { useStore } from '../../store';
import { KATCP_STRATEGIES, type KatcpLogLevel, type KatcpStrategy, type KatcpLogEntry as LogEntry, type KatcpSensorRow as SensorRow } from '../../../../shared/api/katcp';

interface Reply { name: string; mid: number | null; reply: string[]; informs: string[][]; ok: boolean }
interface ConsoleEntry { request: string; reply: Reply | null; error: string | null }

const REFRESH_MS = 1000;
/** Sensor types that stream into the telemetry store (numbers, and states as timelines). */
const PLOTTABLE = new Set(['integer', 'float', 'timestamp', 'boolean', 'discrete', 'lru']);
const LEVELS: readonly KatcpLogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace'];
const STATUS_COLOURS: Record<string, string> = {
  nominal: 'var(--ok)', warn: 'var(--warn)', error: 'var(--fault)', failure: 'var(--fault)',
  unreachable: 'var(--text-dim)', inactive: 'var(--text-dim)', unknown: 'var(--text-dim)',
};
/** Parameters proposed when a strategy is picked in the table. */
const DEFAULT_PARAMS: Record<string, number[]> = { period: [1], differential: [1], 'event-rate': [0.1, 10], 'differential-rate': [1, 0.1, 10] };

function when(t: number | null): string {
  return t === null ? '' : new Date(t * 1000).toISOString().slice(11, 23);
}

function quoteArg(a: string): string {
  return a === '' ? '\\@' : a.replace(/\\/g, '\\\\').replace(/ /g, '\\_').replace(/\t/g, '\\t').replace(/\n/g, '\\n');
}

export function KatcpPanel({ session }: { session: SessionStatus }) {
  const id = session.sessionId;
  const katcp = useMemo(() => client.actionsOf('katcp', id), [id]);
  const ready = session.deviceCommState === 'ConnectedReady';
  const [sensors, setSensors] = useState<SensorRow[]>([]);
  const [filter, setFilter] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [paramsText, setParamsText] = useState<Record<string, string>>({});
  const [requestText, setRequestText] = useState('?help');
  const [history, setHistory] = useState<ConsoleEntry[]>([]);
  /** Position while walking back through past requests with the arrow keys (null: editing a new one). */
  const [recall, setRecall] = useState<number | null>(null);
  const [helpNames, setHelpNames] = useState<string[]>([]);
  const [logs, setLogs] = useState<LogEntry[]>([]);
  const [logLevel, setLogLevel] = useState<KatcpLogLevel>('debug');
  const addPlot = useStore((st) => st.addPlot);

  // Polled while disconnected too: the engine then shows every sensor unreachable, its last value stale.
  usePoll(true, {
    periodMs: REFRESH_MS,
    poll: () => katcp('listSensors', {}),
    onValue: setSensors,
    onError: (e) => setError(e.message),
  }, [id, katcp, ready, session.deviceSessionId]);

  useEffect(() => {
    if (!ready) return;
    let live = true;
    const tick = async () => {
      const rows = await katcp('listSensors', {}).catch((e: Error) => {
        if (live) setError(`Cannot read the sensor list: ${e.message}`);
        return null;
      });
      if (live && rows) setSensors(rows);
    };
    // Request names only help the completion of the request field; without them the field still works.
    void katcp('help', {}).then((h) => { if (live) setHelpNames(h.map((x) => x.name)); },
      (e: Error) => { if (live) setError(`?help failed, request names are not offered: ${e.message}`); });
    void katcp('logs', {}).then((l) => { if (live) setLogs(l.slice(-200)); },
      (e: Error) => { if (live) setError(`Cannot read the server's log so far: ${e.message}`); });
    const off = client.on('protocol', (ev: ProtocolEvent) => {
      if (ev.sessionId !== id) return;
      if (ev.kind === 'log') setLogs((l) => [...l.slice(-199), ev.data as LogEntry]);
      if (ev.kind === 'sensors') void tick();
    });
    return () => {
      live = false;
      off();
    };
  }, [id, katcp, ready, session.deviceSessionId]);

  const shown = useMemo(() => {
    if (!filter) return sensors;
    let test: (s: string) => boolean;
    if (filter.length >= 2 && filter.startsWith('/') && filter.endsWith('/')) {
      try {
        const re = new RegExp(filter.slice(1, -1), 'i');
        test = (s) => re.test(s);
      } catch {
        return [];
      }
    } else {
      const needle = filter.toLowerCase();
      test = (s) => s.toLowerCase().includes(needle);
    }
    return sensors.filter((s) => test(s.name) || test(s.description));
  }, [sensors, filter]);

  const setStrategy = async (sensor: string, strategy: KatcpStrategy, paramText?: string) => {
    setError(null);
    const params = (paramText ?? (DEFAULT_PARAMS[strategy] ?? []).join(' ')).trim().split(/\s+/).filter(Boolean).map(Number);
    setParamsText((p) => ({ ...p, [sensor]: params.join(' ') }));
    try {
      await katcp('setStrategy', { sensor, strategy, params });
      setSensors(await katcp('listSensors', {}));
    } catch (e) {
      setError((e as Error).message);
    }
  };

  const [bulkStrategy, setBulkStrategy] = useState<KatcpStrategy>('event');
  const [bulkParams, setBulkParams] = useState('');
  const [bulkResult, setBulkResult] = useState<string | null>(null);
  /** One strategy for every sensor shown by the filter: one bulk request when the server has flag B. */
  const setStrategyForShown = async () => {
    setError(null);
    setBulkResult(null);
    const names = shown.filter((s) => !s.removed).map((s) => s.name);
    if (!names.length) return;
    const params = (bulkParams || (DEFAULT_PARAMS[bulkStrategy] ?? []).join(' ')).trim().split(/\s+/).filter(Boolean).map(Number);
    try {
      const results = await katcp('setStrategies', { sensors: names, strategy: bulkStrategy, params });
      const refused = results.filter((r) => !r.ok);
      setBulkResult(`${results.length - refused.length} of ${results.length} set to ${bulkStrategy}${refused.length ? `; refused: ${refused.map((r) => `${r.sensor} (${r.reason})`).join(', ')}` : ''}`);
      setSensors(await katcp('listSensors', {}));
    } catch (e) {
      setError((e as Error).message);
    }
  };

  const send = async (text: string) => {
    const words = text.trim().replace(/^\?/, '').split(/\s+/).filter(Boolean);
    if (!words.length) return;
    const [name, ...args] = words;
    const entry: ConsoleEntry = { request: `?${[name, ...args].join(' ')}`, reply: null, error: null };
    try {
      // Arguments are typed escaped, as on the wire; the engine escapes again, so undo it here.
      const unescaped = args.map((a) => (a === '\\@' ? '' : a.replace(/\\(.)/g, (_m, c: string) => ({ _: ' ', t: '\t', n: '\n', r: '\r', e: '\x1b', '0': '\0' } as Record<string, string>)[c] ?? c)));
      entry.reply = await katcp('request', { name, args: unescaped });
    } catch (e) {
      entry.error = (e as Error).message;
    }
    setHistory((h) => [...h.slice(-49), entry]);
    setRecall(null);
  };

  /** Up and down walk through the requests sent before, as in a shell. */
  const onRequestKey = (e: React.KeyboardEvent<HTMLInputElement>) => {
    if (e.key !== 'ArrowUp' && e.key !== 'ArrowDown') return;
    if (!history.length) return;
    e.preventDefault();
    const last = history.length - 1;
    const next = e.key === 'ArrowUp' ? (recall === null ? last : Math.max(0, recall - 1)) : (recall === null ? null : recall + 1 > last ? null : recall + 1);
    setRecall(next);
    setRequestText(next === null ? '' : history[next]!.request);
  };

  const setServerLogLevel = async (level: KatcpLogLevel) => {
    setLogLevel(level);
    try {
      await katcp('logLevel', { level });
    } catch (e) {
      setError((e as Error).message);
    }
  };

  if (!ready && !sensors.length) {
    return <section className="panel"><h2>KATCP server</h2><p>Not ready: {session.lastProtocolError ?? session.deviceLink.lastError ?? 'connecting'}</p></section>;
  }
  const maxLevel = LEVELS.indexOf(logLevel);
  return (
    <section className="panel" aria-labelledby="katcp-title" data-testid="katcp-panel">
      <header className="panel-header">
        <h2 id="katcp-title">KATCP sensors <span className="panel-subject">{sensors.length} sensors</span></h2>
        <input aria-label="Filter sensors (text or /regex/)" placeholder="filter or /regex/" value={filter} onChange={(e) => setFilter(e.target.value)} />
      </header>
      {!ready ? (
        <p role="status" className="warn-text" data-testid="katcp-unreachable">
          Not connected ({session.lastProtocolError ?? session.deviceLink.lastError ?? 'connecting'}): every sensor is unreachable; the values shown are the last read.
        </p>
      ) : null}
      {error ? <p role="alert" className="fault-text">{error}</p> : null}
      <form className="button-row" aria-label="Bulk sampling strategy" onSubmit={(e) => { e.preventDefault(); void setStrategyForShown(); }}>
        <span className="muted">All {shown.filter((s) => !s.removed).length} shown:</span>
        <select aria-label="Strategy for the sensors shown" value={bulkStrategy} onChange={(e) => { setBulkStrategy(e.target.value as KatcpStrategy); setBulkParams((DEFAULT_PARAMS[e.target.value] ?? []).join(' ')); }}>
          {KATCP_STRATEGIES.map((k) => <option key={k} value={k}>{k}</option>)}
        </select>
        {bulkStrategy !== 'none' && bulkStrategy !== 'auto' && bulkStrategy !== 'event' ? (
          <input aria-label="Parameters for the sensors shown" size={10} value={bulkParams} onChange={(e) => setBulkParams(e.target.value)} />
        ) : null}
        <button type="submit" className="btn">Set strategy</button>
        {bulkResult ? <span role="status" className="muted">{bulkResult}</span> : null}
      </form>
      <div style={{ maxHeight: 320, overflow: 'auto' }}>
        <table aria-label="KATCP sensors" style={{ width: '100%', borderCollapse: 'collapse', fontVariantNumeric: 'tabular-nums' }}>
          <thead className="muted" style={{ textAlign: 'left', fontSize: 11 }}><tr><th>name</th><th>description</th><th>units</th><th>type</th><th>value</th><th>status</th><th>time</th><th>strategy</th><th /></tr></thead>
          <tbody>
            {shown.map((s) => (
              <tr key={s.name} data-sensor={s.name} data-removed={s.removed ? 'true' : undefined} data-stale={s.stale ? 'true' : undefined} style={{ borderBottom: '1px solid var(--line)', opacity: s.removed || s.stale ? 0.55 : 1 }}>
                <td className="mono">{s.name}{s.removed ? <span className="warn-text" title="Gone from the server's ?sensor-list; its plotted history is kept"> (removed)</span> : null}</td>
                <td className="muted">{s.description}</td>
                <td>{s.units}</td>
                <td title={s.params.join(' ')}>{s.type}{s.params.length ? <span className="muted"> [{s.params.join(' ')}]</span> : null}</td>
                <td className="mono" title={s.stale ? 'last value read before the connection dropped' : undefined}>{s.value}{s.stale ? <span className="muted"> (stale)</span> : null}</td>
                <td style={{ color: STATUS_COLOURS[s.status] ?? 'inherit' }}>{s.status}</td>
                <td className="mono muted">{when(s.timestamp)}</td>
                <td>
                  <select aria-label={`Strategy of ${s.name}`} value={s.strategy} disabled={s.removed} onChange={(e) => void setStrategy(s.name, e.target.value as KatcpStrategy)}>
                    {KATCP_STRATEGIES.map((k) => <option key={k} value={k}>{k}</option>)}
                  </select>
                  {s.strategy !== 'none' && s.strategy !== 'auto' && s.strategy !== 'event' ? (
                    <input
                      aria-label={`Parameters of ${s.name}`}
                      size={10}
                      value={paramsText[s.name] ?? s.strategyParams.join(' ')}
                      onChange={(e) => setParamsText((p) => ({ ...p, [s.name]: e.target.value }))}
                      onKeyDown={(e) => { if (e.key === 'Enter') void setStrategy(s.name, s.strategy, paramsText[s.name]); }}
                    />
                  ) : null}
                </td>
                <td>
                  {PLOTTABLE.has(s.type) ? (
                    <button type="button" className="btn btn-quiet" title={s.strategy === 'none' ? 'Plot (set a strategy to get values)' : 'Plot'}
                      onClick={() => addPlot({ title: s.name, signals: [{ session: session.name, signal: s.name }] })}>plot</button>
                  ) : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>

      <h3>Request console</h3>
      <form className="button-row" onSubmit={(e) => { e.preventDefault(); void send(requestText); }}>
        <input aria-label="KATCP request" list={`katcp-help-${id}`} className="mono" style={{ flex: 1 }} value={requestText}
          title="Enter sends; up and down recall earlier requests" onKeyDown={onRequestKey} onChange={(e) => { setRecall(null); setRequestText(e.target.value); }} />
        <datalist id={`katcp-help-${id}`}>{helpNames.map((n) => <option key={n} value={`?${n}`} />)}</datalist>
        <button className="btn btn-primary" type="submit">Send request</button>
      </form>
      <div className="mono" data-testid="katcp-console" style={{ maxHeight: 200, overflow: 'auto', whiteSpace: 'pre-wrap' }}>
        {history.map((h, i) => (
          <div key={i}>
            <button type="button" className="btn btn-quiet" title="Send again" onClick={() => void send(h.request)}>↻</button>
            <span>{h.request}</span>
            {h.error ? <div className="fault-text" data-testid="katcp-request-error">{h.error}</div> : null}
            {h.reply?.informs.map((inf, k) => <div key={k} className="muted">#{h.reply!.name}{h.reply!.mid ? `[${h.reply!.mid}]` : ''} {inf.map(quoteArg).join(' ')}</div>)}
            {h.reply ? <div>!{h.reply.name}{h.reply.mid ? `[${h.reply.mid}]` : ''} {h.reply.reply.map(quoteArg).join(' ')}</div> : null}
          </div>
        ))}
      </div>

      <h3>Device log</h3>
      <div className="button-row">
        <label className="inline-field">show up to
          <select aria-label="Log level filter" value={logLevel} onChange={(e) => setLogLevel(e.target.value as KatcpLogLevel)}>
            {LEVELS.map((l) => <option key={l} value={l}>{l}</option>)}
          </select>
        </label>
        <button type="button" className="btn" onClick={() => void setServerLogLevel(logLevel)}>Set server ?log-level</button>
      </div>
      <div className="mono" data-testid="katcp-log" style={{ maxHeight: 160, overflow: 'auto' }}>
        {logs.filter((l) => (LEVELS as readonly string[]).indexOf(l.level) <= maxLevel).map((l, i) => (
          <div key={i} className={l.level === 'error' || l.level === 'fatal' ? 'fault-text' : l.level === 'warn' ? 'warn-text' : ''}>
            {when(l.t)} {l.level} {l.logger}: {l.message}
          </div>
        ))}
      </div>
    </section>
  );
}
