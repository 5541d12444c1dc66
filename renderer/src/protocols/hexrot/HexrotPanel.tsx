// The selected hexrot session: its live telemetry (table and chart), its config
// table (refreshed whenever the controller resends it), a command form built from
// the layout's command table, and the command history with status, duration and reason.
import { useEffect, useMemo, useState } from 'react';
import type { SessionStatus } from '../../../../shared/api/contract';
import type { CommandRecord, ConfigSnapshot, HexrotLayoutInfo as LayoutInfo } from '../../../../shared/api/hexrot';
import { client } from '../../hub';
import { TelemetryView } from './TelemetryView';
import './hexrot.css';


const OUTCOME_LABELS: Record<CommandRecord['outcome'], string> = {
  pending: 'waiting', ack: 'ACK', noack: 'NO_ACK', timeout: 'timeout', lost: 'lost', unsent: 'not sent',
};

function time(t: number | null): string {
  return t === null ? '' : new Date(t * 1000).toLocaleTimeString();
}

export function HexrotPanel({ session }: { session: SessionStatus }) {
  const id = session.sessionId;
  const hexrot = useMemo(() => client.actionsOf('hexrot', id), [id]);
  const ready = session.deviceCommState === 'ConnectedReady';
  const [layout, setLayout] = useState<LayoutInfo | null>(null);
  const [config, setConfig] = useState<ConfigSnapshot | null>(null);
  const [history, setHistory] = useState<CommandRecord[]>([]);
  const [command, setCommand] = useState('');
  const [params, setParams] = useState<string[]>(['0', '0', '0', '0', '0', '0']);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    const off = client.on('protocol', (e) => {
      if (e.sessionId !== id) return;
      if (e.kind === 'config') setConfig(e.data as ConfigSnapshot);
      if (e.kind === 'command') {
        const r = e.data as CommandRecord;
        setHistory((h) => [...h.filter((x) => x.seq !== r.seq), r].sort((a, b) => a.seq - b.seq).slice(-200));
      }
    });
    return off;
  }, [id]);

  useEffect(() => {
    if (!ready) return;
    let live = true;
    void (async () => {
      try {
        const [l, c, h] = await Promise.all([
          hexrot('layout', {}),
          hexrot('config', {}),
          hexrot('history', {}),
        ]);
        if (!live) return;
        setLayout(l);
        if (c) setConfig(c);
        setHistory(h);
        setCommand((cur) => cur || l.json.commands[0]?.name || '');
      } catch (e) {
        if (live) setError((e as Error).message);
      }
    })();
    return () => { live = false; };
  }, [hexrot, ready]);

  const def = layout?.json.commands.find((c) => c.name === command) ?? null;
  const legacy = layout?.generation === 'legacy';

  const send = async () => {
    if (!def) return;
    const values = params.map((p) => Number(p));
    const bad = values.findIndex((v) => !Number.isFinite(v));
    if (bad >= 0) { setError(`Parameter ${bad + 1} is not a number: "${params[bad]}"`); return; }
    setError(null);
    setBusy(true);
    try {
      if (legacy) {
        await hexrot('putCommand', { name: def.name, params: values });
      } else {
        const r = await hexrot('command', { name: def.name, params: values }, 10);
        if (r.outcome !== 'ack') setError(`${def.name}: ${OUTCOME_LABELS[r.outcome]}${r.reason ? `: ${r.reason}` : ''}`);
      }
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="panel hexrot-panel" aria-labelledby={`hexrot-title-${id}`} data-testid="hexrot-panel">
      <header className="panel-header">
        <h2 id={`hexrot-title-${id}`}>Controller<span className="panel-subject">{layout ? `${layout.json.name}, ${layout.generation} generation` : ''}</span></h2>
      </header>

      {session.deviceLink.sockets ? (
        <ul className="hexrot-sockets" aria-label="Sockets">
          {session.deviceLink.sockets.map((s) => (
            <li key={s.name} data-socket={s.name}>
              <span className="muted">{s.name} socket{s.port !== null ? ` (port ${s.port})` : ''}:</span>{' '}
              <span style={{ color: s.connected ? 'var(--ok)' : 'var(--text-dim)' }}>{s.connected ? 'connected' : 'waiting for the controller'}</span>
            </li>
          ))}
        </ul>
      ) : null}

      <h3>Telemetry</h3>
      <TelemetryView sessionId={id} ready={ready} />

      <h3>Configuration{config ? <span className="muted"> (received {time(config.t)}, #{config.count})</span> : null}</h3>
      {config ? (
        <table className="counters hexrot-fields" aria-label="Configuration" data-testid="hexrot-config">
          <tbody>
            {config.fields.map((f) => (
              <tr key={f.name}>
                <th scope="row" className="mono">{f.name}</th>
                <td className="mono">{f.label ? `${f.label} (${f.value})` : String(f.value)}</td>
                <td className="hexrot-unit">{f.unit ?? ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : <p className="muted">No configuration received yet.</p>}

      <h3>Command</h3>
      <form
        className="hexrot-command"
        aria-label="Send a command"
        onSubmit={(e) => { e.preventDefault(); void send(); }}
      >
        <div className="field-row">
          <div className="field">
            <label htmlFor={`hexrot-cmd-${id}`}>Command</label>
            <select id={`hexrot-cmd-${id}`} value={command} onChange={(e) => setCommand(e.target.value)} disabled={!layout}>
              {(layout?.json.commands ?? []).map((c) => <option key={c.name} value={c.name}>{c.name} ({c.code})</option>)}
            </select>
          </div>
          {params.map((p, i) => {
            const meaning = def?.params[i];
            return (
              <div className="field narrow" key={i}>
                <label htmlFor={`hexrot-p${i + 1}-${id}`}>{meaning ? `param${i + 1}: ${meaning}` : `param${i + 1} (unused)`}</label>
                <input
                  id={`hexrot-p${i + 1}-${id}`}
                  type="text"
                  inputMode="decimal"
                  value={p}
                  title={meaning ?? 'unused by this command'}
                  onChange={(e) => setParams((ps) => ps.map((x, k) => (k === i ? e.target.value : x)))}
                />
              </div>
            );
          })}
          <button type="submit" className="btn btn-primary field-button" disabled={!ready || !def || busy}>{legacy ? 'Put command' : 'Send'}</button>
        </div>
        {error ? <p role="alert" className="field-error" data-testid="hexrot-command-error">{error}</p> : null}
      </form>

      {legacy ? null : (
        <>
          <h3>History</h3>
          <table className="counters" aria-label="Command history" data-testid="hexrot-history">
            <thead><tr><th scope="col">sent</th><th scope="col">counter</th><th scope="col">command</th><th scope="col">params</th><th scope="col">status</th><th scope="col">duration</th><th scope="col">reason</th></tr></thead>
            <tbody>
              {[...history].reverse().map((r) => (
                <tr key={r.seq}>
                  <td>{time(r.sentAt)}</td>
                  <td className="mono">{r.counter >= 0 ? r.counter : ''}</td>
                  <td className="mono">{r.name ?? r.code}</td>
                  <td className="mono">{r.params.join(', ')}</td>
                  <td className={r.outcome === 'ack' ? '' : r.outcome === 'pending' ? 'muted' : 'warn-text'}>{OUTCOME_LABELS[r.outcome]}</td>
                  <td>{r.duration === null ? '' : `${r.duration} s`}</td>
                  <td>{r.reason ?? ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </section>
  );
}
