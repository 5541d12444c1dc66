// The selected DCS session: the hardware servers and their device tree, motor moves,
// shutters, ion chambers, encoders, strings, operations with their timeline, abort
// all, and the message log of both directions.
import { useEffect, useMemo, useState } from 'react';
import type { ConsoleLine, ProtocolEvent, SessionStatus } from '../../../../shared/api/contract';
import type { DcsTree } from '../../../../shared/api/dcs';
import type { ActionArgs, ActionName, ActionResult } from '../../../../shared/api/protocol-actions';
import { client } from '../../hub';
import { usePoll } from '../../hooks/usePoll';
import type { FieldErrors } from '../../forms/link-draft';
import { DcsConfigEditor } from './DcsConfigEditor';
import { parseOperationArgs } from './operation-args';
import { draftFromOptions, validateDcsConfig, type DcsConfigDraft } from './options';
import './dcs.css';

interface TimelineEntry { t: number; kind: string; text: string }

const REFRESH_MS = 250;
/** Text columns read from the left (the counters table style aligns numbers right). */
const LEFT = { textAlign: 'left' } as const;
const LOG_KEEP = 2000;
const STATUS_COLOURS: Record<string, string> = { normal: 'var(--ok)', moving: 'var(--warn)', aborted: 'var(--warn)', unknown: 'var(--text-dim)' };

function when(t: number): string {
  return new Date(t * 1000).toISOString().slice(11, 23);
}

export function DcsPanel({ session }: { session: SessionStatus }) {
  const id = session.sessionId;
  const dcs = useMemo(() => ({ sessionId: id, protocol: 'dcs' as const }), [id]);
  const [tree, setTree] = useState<DcsTree | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [targets, setTargets] = useState<Record<string, string>>({});
  const [icTime, setIcTime] = useState('1');
  const [icCounts, setIcCounts] = useState<string>('');
  const [icRepeat, setIcRepeat] = useState(false);
  const [inputs, setInputs] = useState<Record<string, string>>({});
  const [operation, setOperation] = useState('');
  const [opArgs, setOpArgs] = useState('');
  const [timeline, setTimeline] = useState<TimelineEntry[]>([]);
  const [log, setLog] = useState<ConsoleLine[]>([]);
  const [logFilter, setLogFilter] = useState('');

  usePoll(true, {
    periodMs: REFRESH_MS,
    poll: () => client.action(dcs, 'devices', {}),
    onValue: setTree,
    onError: (e) => setError(e.message),
  }, [dcs]);

  useEffect(() => {
    let live = true;
    void client.request('getConsole', { sessionId: id, limit: 500 }).then((lines) => { if (live) setLog(lines as ConsoleLine[]); }, (e: Error) => { if (live) setError(`Cannot read the message log: ${e.message}`); });
    const offEvents = client.on('protocol', (ev: ProtocolEvent) => {
      if (ev.sessionId !== id) return;
      const entry = describe(ev);
      if (entry) setTimeline((l) => [...l.slice(-299), entry]);
    });
    const offConsole = client.on('console', (lines: ConsoleLine[]) => {
      const mine = lines.filter((l) => l.sessionId === id);
      if (mine.length) setLog((l) => [...l, ...mine].slice(-LOG_KEEP));
    });
    return () => {
      live = false;
      offEvents();
      offConsole();
    };
  }, [id, dcs]);

  const act = async <N extends ActionName<'dcs'>>(action: N, args: ActionArgs<'dcs', N>): Promise<ActionResult<'dcs', N> | undefined> => {
    setError(null);
    try {
      return await client.action(dcs, action, args, 60);
    } catch (e) {
      setError(`${action}: ${(e as Error).message}`);
      return undefined;
    }
  };
  const input = (key: string, fallback = '') => ({
    value: inputs[key] ?? fallback,
    onChange: (e: { target: { value: string } }) => setInputs((i) => ({ ...i, [key]: e.target.value })),
  });

  const shownLog = useMemo(() => {
    const needle = logFilter.trim().toLowerCase();
    const rows = needle ? log.filter((l) => l.text.toLowerCase().includes(needle)) : log;
    return rows.slice(-300);
  }, [log, logFilter]);

  if (!tree) {
    return <section className="panel"><h2>DCS hardware servers</h2><p>{error ?? session.deviceLink.lastError ?? 'loading…'}</p></section>;
  }
  const operations = tree.operations.map((o) => o.name);
  const chosenOp = operation || operations[0] || '';
  const parsedArgs = parseOperationArgs(opArgs);
  return (
    <section className="panel" aria-labelledby={`dcs-title-${id}`} data-testid="dcs-panel">
      <header className="panel-header">
        <h2 id={`dcs-title-${id}`}>DCS hardware servers<span className="panel-subject">{session.deviceLink.endpoint}</span></h2>
        <button type="button" onClick={() => void act('abortAll', { hard: false })}>Abort all (soft)</button>
        <button type="button" className="danger" onClick={() => void act('abortAll', { hard: true })}>Abort all (hard)</button>
      </header>
      {error ? <p role="alert" className="fault-text">{error}</p> : null}
      {session.lastProtocolError ? <p className="muted">Last problem: {session.lastProtocolError}</p> : null}

      <table className="counters" aria-label="Hardware servers">
        <thead><tr><th>DHS</th><th>allowed from</th><th>protocol</th><th>state</th><th>connects</th><th>last refusal / drop</th></tr></thead>
        <tbody>
          {tree.hardwareServers.map((s) => (
            <tr key={s.name} data-dhs={s.name}>
              <td className="mono">{s.name}</td><td className="mono">{s.address}</td><td>v{s.protocol}</td>
              <td style={{ color: s.connected ? 'var(--ok)' : 'var(--text-dim)' }}>{s.connected ? `connected from ${s.peer}` : 'not connected'}</td>
              <td>{s.connects}</td><td className="muted" style={LEFT}>{s.lastRejection ?? s.lastDisconnect ?? ''}</td>
            </tr>
          ))}
        </tbody>
      </table>

      <DeviceTree tree={tree} />

      <h3>Motors</h3>
      <table className="counters" aria-label="Motors">
        <thead><tr><th>motor</th><th>DHS</th><th>position</th><th>status</th><th>limits</th><th>move to</th><th /></tr></thead>
        <tbody>
          {tree.motors.map((m) => (
            <tr key={m.name} data-motor={m.name}>
              <td className="mono">{m.name}{m.kind === 'pseudo' ? <span className="muted"> (pseudo)</span> : null}</td>
              <td className="muted">{m.dhs}</td>
              <td className="mono" data-testid={`dcs-position-${m.name}`}>{m.position} {m.units ?? ''}</td>
              <td style={{ color: STATUS_COLOURS[m.status] ?? 'var(--fault)' }}>{m.status}{m.moving && m.target !== null ? ` → ${m.target}` : ''}</td>
              <td className="muted">{m.lowerLimit} … {m.upperLimit}</td>
              <td>
                <input aria-label={`Target of ${m.name}`} className="narrow" inputMode="decimal" value={targets[m.name] ?? ''} onChange={(e) => setTargets((t) => ({ ...t, [m.name]: e.target.value }))} />
              </td>
              <td>
                <button type="button" disabled={m.moving} onClick={() => void act('moveMotor', { motor: m.name, position: Number(targets[m.name]) })}>Move</button>
                <button type="button" disabled={!m.moving} onClick={() => void act('abortMotor', { motor: m.name })}>Abort</button>
                <button type="button" disabled={m.moving} onClick={() => void act('setMotorPosition', { motor: m.name, position: Number(targets[m.name]) })}>Set position</button>
                <button type="button" disabled={m.moving} onClick={() => void act('correctMotor', { motor: m.name, correction: Number(targets[m.name]) })}>Correct by</button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>

      <div className="field-row">
        <div className="grow">
          <h3>Shutters</h3>
          {tree.shutters.map((s) => (
            <div key={s.name} data-shutter={s.name}>
              <span className="mono">{s.name}</span>: <strong>{s.state}</strong>{s.lastResult && s.lastResult !== 'normal' ? <span className="fault-text"> ({s.lastResult})</span> : null}{' '}
              <button type="button" onClick={() => void act('setShutter', { shutter: s.name, open: true })}>Open</button>
              <button type="button" onClick={() => void act('setShutter', { shutter: s.name, open: false })}>Close</button>
            </div>
          ))}
        </div>
        <div className="grow">
          <h3>Ion chambers</h3>
          <label>Time (s) <input aria-label="Counting time" className="narrow" inputMode="decimal" value={icTime} onChange={(e) => setIcTime(e.target.value)} /></label>
          <label title="The DHS counts again after each report until Abort all; every report is plotted"><input type="checkbox" checked={icRepeat} onChange={(e) => setIcRepeat(e.target.checked)} /> repeat</label>
          <button type="button" disabled={!tree.ionChambers.length} onClick={() => void act('readIonChambers', { time: Number(icTime), chambers: tree.ionChambers.map((c) => c.name), repeat: icRepeat }).then((r) => { if (r) setIcCounts(JSON.stringify(r.counts)); })}>Read all</button>
          <ul>{tree.ionChambers.map((c) => <li key={c.name}><span className="mono">{c.name}</span>: {c.counts ?? '—'}{c.time ? <span className="muted"> in {c.time} s</span> : null}</li>)}</ul>
          {icCounts ? <p className="muted mono">last read: {icCounts}</p> : null}
        </div>
      </div>

      <div className="field-row">
        <div className="grow">
          <h3>Encoders</h3>
          {tree.encoders.map((e) => (
            <div key={e.name}>
              <span className="mono">{e.name}</span>: {e.position ?? '—'} <span className="muted">{e.status ?? ''}</span>{' '}
              <button type="button" onClick={() => void act('getEncoder', { encoder: e.name })}>Get</button>
              <input aria-label={`Value for ${e.name}`} className="narrow" inputMode="decimal" {...input(`enc:${e.name}`)} />
              <button type="button" onClick={() => void act('setEncoder', { encoder: e.name, position: Number(inputs[`enc:${e.name}`]) })}>Set</button>
            </div>
          ))}
        </div>
        <div className="grow">
          <h3>Strings</h3>
          {tree.strings.map((s) => (
            <div key={s.name}>
              <span className="mono">{s.name}</span> = <span className="mono">{s.value ?? '—'}</span>{' '}
              <input aria-label={`New value of ${s.name}`} {...input(`str:${s.name}`)} />
              <button type="button" onClick={() => void act('setString', { string: s.name, value: inputs[`str:${s.name}`] ?? '' })}>Set</button>
            </div>
          ))}
        </div>
      </div>

      <h3>Operations</h3>
      <div className="field-row">
        <select aria-label="Operation" value={chosenOp} onChange={(e) => setOperation(e.target.value)}>
          {operations.map((o) => <option key={o} value={o}>{o}</option>)}
        </select>
        <input
          aria-label="Operation arguments" placeholder="arguments, space separated" className="grow" value={opArgs}
          aria-invalid={parsedArgs.ok ? undefined : true} aria-describedby={parsedArgs.ok ? undefined : `dcs-op-args-${id}`}
          onChange={(e) => setOpArgs(e.target.value)}
        />
        <button type="button" disabled={!chosenOp || !parsedArgs.ok} onClick={() => { if (parsedArgs.ok) void act('startOperation', { operation: chosenOp, args: parsedArgs.args }); }}>Start</button>
      </div>
      {parsedArgs.ok ? null : <p id={`dcs-op-args-${id}`} className="field-error" role="alert">{parsedArgs.error}</p>}
      <div style={{ maxHeight: 200, overflow: 'auto' }}>
        <table className="counters" aria-label="Timeline">
          <tbody>
            {timeline.slice().reverse().map((e, i) => (
              <tr key={`${e.t}-${i}`}><td className="mono muted">{when(e.t)}</td><td style={LEFT}>{e.kind}</td><td className="mono" style={LEFT}>{e.text}</td></tr>
            ))}
          </tbody>
        </table>
      </div>

      <ConfigurationSection sessionId={id} revision={session.optionsRevision} />

      <h3>Messages</h3>
      <input aria-label="Filter messages" placeholder="filter, e.g. sample_x or htos_operation" value={logFilter} onChange={(e) => setLogFilter(e.target.value)} />
      <div style={{ maxHeight: 240, overflow: 'auto' }} aria-label="DCS message log">
        <table className="counters">
          <tbody>
            {shownLog.map((l, i) => (
              <tr key={`${l.t}-${i}`}><td className="mono muted">{when(l.t)}</td><td>{l.dir === 'tx' ? '→ DHS' : l.dir === 'rx' ? '← DHS' : ''}</td><td className="mono" style={LEFT}>{l.text}</td></tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

function describe(ev: ProtocolEvent): TimelineEntry | null {
  const d = ev.data as Record<string, unknown>;
  const args = (x: unknown) => (Array.isArray(x) ? x.join(' ') : '');
  switch (ev.kind) {
    case 'motorMoveStarted': return { t: ev.t, kind: 'move started', text: `${d.motor} → ${d.position}` };
    case 'motorMoveCompleted': return { t: ev.t, kind: 'move completed', text: `${d.motor} at ${d.position} (${d.status})` };
    case 'operationStarted': return { t: ev.t, kind: 'operation started', text: `${d.operation} ${d.handle} ${args(d.args)}` };
    case 'operationUpdate': return { t: ev.t, kind: 'operation update', text: `${d.operation} ${d.handle} ${args(d.args)}` };
    case 'operationCompleted': return { t: ev.t, kind: 'operation completed', text: `${d.operation} ${d.handle} ${d.status} ${args(d.args)}` };
    case 'dhsConnected': return { t: ev.t, kind: 'DHS connected', text: `${d.dhs} from ${d.peer} (v${d.protocol})` };
    case 'dhsDisconnected': return { t: ev.t, kind: 'DHS disconnected', text: `${d.dhs}: ${d.reason}` };
    case 'dhsRejected': return { t: ev.t, kind: 'DHS refused', text: `${d.dhs ?? d.peer}: ${d.reason}` };
    case 'shutter': return { t: ev.t, kind: 'shutter', text: `${d.shutter} ${d.state} (${d.result})` };
    case 'ionChambers': return { t: ev.t, kind: 'ion chambers', text: JSON.stringify(d.counts) };
    case 'note': case 'log': return { t: ev.t, kind: ev.kind, text: String(d.text) };
    case 'unknownCommand': return { t: ev.t, kind: 'unknown command', text: String(d.text) };
    case 'forwarded': return { t: ev.t, kind: String(d.type), text: args(d.args) };
    default: return null;
  }
}

/** The session's DCS configuration, edited in place; applying it restarts the listening session. */
function ConfigurationSection({ sessionId, revision }: { sessionId: string; revision: number }) {
  const [draft, setDraft] = useState<DcsConfigDraft | null>(null);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [note, setNote] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    void client.request('listSessions', {}).then((list) => {
      const mine = list.find((x) => x.sessionId === sessionId);
      if (live && mine) setDraft(draftFromOptions(mine.options));
    }, (e: Error) => { if (live) setNote(`Cannot read the configuration: ${e.message}`); });
    return () => { live = false; };
  }, [sessionId, revision]);
  if (!draft) return note ? <p className="muted" role="status">{note}</p> : null;
  const change = (next: DcsConfigDraft) => {
    setDraft(next);
    setNote(null);
    const v = validateDcsConfig(next);
    setErrors(v.ok ? {} : v.errors);
  };
  const apply = async () => {
    const v = validateDcsConfig(draft);
    if (!v.ok) {
      setErrors(v.errors);
      setNote('Not applied: the configuration has errors (shown beside their fields).');
      return;
    }
    try {
      await client.request('setSessionOptions', { sessionId, options: v.options });
      setNote('Applied: the session listens again with this configuration; hardware servers reconnect.');
    } catch (e) {
      setNote(`Not applied: ${(e as Error).message}`);
    }
  };
  return (
    <details className="dcs-configuration">
      <summary><h3 style={{ display: 'inline' }}>Configuration</h3> <span className="muted">hardware servers allowed and their devices</span></summary>
      <DcsConfigEditor idPrefix={`dcs-${sessionId}`} value={draft} errors={errors} onChange={change} />
      <div className="button-row">
        <button type="button" className="btn btn-primary" onClick={() => void apply()}>Apply configuration</button>
        {note ? <span role="status">{note}</span> : null}
      </div>
    </details>
  );
}

/** Each hardware server with the devices it owns, by kind: what DCSS registered with it. */
function DeviceTree({ tree }: { tree: DcsTree }) {
  const kinds: [string, { name: string; dhs: string }[]][] = [
    ['motors', tree.motors], ['shutters', tree.shutters], ['ion chambers', tree.ionChambers],
    ['encoders', tree.encoders], ['strings', tree.strings], ['operations', tree.operations],
  ];
  return (
    <div className="dcs-tree" role="tree" aria-label="Devices by hardware server">
      {tree.hardwareServers.map((s) => (
        <details key={s.name} role="treeitem" aria-label={`${s.name} devices`} open={s.connected}>
          <summary>
            <span className="mono">{s.name}</span>{' '}
            <span style={{ color: s.connected ? 'var(--ok)' : 'var(--text-dim)' }}>{s.connected ? `connected from ${s.peer}` : 'not connected'}</span>
          </summary>
          <ul role="group">
            {kinds.map(([kind, list]) => {
              const mine = list.filter((d) => d.dhs === s.name);
              return mine.length ? <li key={kind}><span className="muted">{kind}:</span> <span className="mono">{mine.map((d) => d.name).join(', ')}</span></li> : null;
            })}
          </ul>
        </details>
      ))}
    </div>
  );
}
