// The CAN monitor of a session on a CAN link: the live frame table (id, length, data,
// count, period), id/mask filters, a form to send one frame or a periodic one, and a
// bit range of an id turned into a signal and plotted. The table is polled from the
// hub a few times a second: it is a summary, never a per-frame stream.
import { useState, type FormEvent } from 'react';
import type { CanFilter, CanMonitorSnapshot } from '../../../shared/api/can';
import { CanFrameInput, CanSignalInput } from '../../../shared/api/can';
import type { SessionStatus } from '../../../shared/api/contract';
import { fieldErrors, parseCanId, splitHubError, type FieldErrors } from '../forms/link-draft';
import { CheckField, TextField } from '../forms/fields';
import { client } from '../hub';
import { usePoll } from '../hooks/usePoll';
import { useStore } from '../store';
import './can.css';

const REFRESH_MS = 250;

const fmtId = (id: number, extended: boolean) => `0x${id.toString(16).toUpperCase().padStart(extended ? 8 : 3, '0')}`;

export function CanMonitorPanel({ session }: { session: SessionStatus }) {
  const sessionId = session.sessionId;
  const [snap, setSnap] = useState<CanMonitorSnapshot | null>(null);
  const [error, setError] = useState<string | null>(null);

  usePoll(true, {
    periodMs: REFRESH_MS,
    poll: () => client.request('canMonitor', { sessionId }),
    onValue: (s) => { setSnap(s); setError(null); },
    onError: (e) => setError(e.message),
  }, [sessionId]);

  const s = snap?.stats;
  return (
    <section className="panel can-monitor" aria-labelledby="can-monitor-title" data-testid="can-monitor">
      <header className="panel-header">
        <h2 id="can-monitor-title">CAN monitor <span className="panel-subject">{snap?.label ?? session.deviceLink.endpoint}</span></h2>
        <button type="button" className="btn" onClick={() => void client.request('canClear', { sessionId })}>Clear</button>
      </header>
      {error ? <p className="field-error" role="alert">{error}</p> : null}
      {s ? (
        <p className="can-stats muted" data-testid="can-stats">
          rx {s.rxFrames} ({s.rxFramesPerSec.toFixed(0)}/s) · tx {s.txFrames} ({s.txFramesPerSec.toFixed(0)}/s)
          {s.busLoad !== null ? ` · bus load ${(s.busLoad * 100).toFixed(1)} %` : ''}
          {` · error frames ${s.errorFrames} · malformed ${s.malformed}`}
          {snap && snap.filteredOut ? ` · filtered out ${snap.filteredOut}` : ''}
          {s.lastProblem ? <span className="field-error"> · {s.lastProblem}</span> : null}
        </p>
      ) : null}
      <div className="can-table-wrap">
        <table className="can-table" data-testid="can-frames">
          <thead><tr><th>dir</th><th>id</th><th>len</th><th>data</th><th>count</th><th>period ms</th></tr></thead>
          <tbody>
            {snap?.rows.map((r) => (
              <tr key={`${r.extended}-${r.id}-${r.dir}`} data-id={fmtId(r.id, r.extended)}>
                <td>{r.dir}</td>
                <td className="mono">{fmtId(r.id, r.extended)}{r.fd ? (r.brs ? ' FD+BRS' : ' FD') : ''}{r.rtr ? ' RTR' : ''}</td>
                <td>{r.length}</td>
                <td className="mono">{r.data}</td>
                <td>{r.count}</td>
                <td>{r.periodMs === null ? '' : r.periodMs.toFixed(1)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <FilterForm sessionId={sessionId} filters={snap?.filters ?? []} />
      <SendForm sessionId={sessionId} snap={snap} />
      <SignalForm session={session} />
    </section>
  );
}

function FilterForm({ sessionId, filters }: { sessionId: string; filters: CanFilter[] }) {
  const [id, setId] = useState('0x000');
  const [mask, setMask] = useState('0x000');
  const [extended, setExtended] = useState(false);
  const [errors, setErrors] = useState<FieldErrors>({});
  const apply = (next: CanFilter[]) => client.request('canSetFilters', { sessionId, filters: next }).then(
    () => setErrors({}),
    (e) => { const { fields, other } = splitHubError(e, ['filters.']); setErrors({ ...fields, ...(other ? { other } : {}) }); },
  );
  const add = (e: FormEvent) => {
    e.preventDefault();
    void apply([...filters, { id: parseCanId(id), mask: parseCanId(mask), extended }]);
  };
  const n = filters.length;
  return (
    <form className="can-form" onSubmit={add} aria-label="CAN filters">
      <TextField id="can-filter-id" label="Filter id" value={id} onChange={setId} className="narrow" error={errors[`filters.${n}.id`]} />
      <TextField id="can-filter-mask" label="Mask" value={mask} onChange={setMask} className="narrow" error={errors[`filters.${n}.mask`]} />
      <CheckField id="can-filter-ext" label="Extended" checked={extended} onChange={setExtended} />
      <button type="submit" className="btn">Add filter</button>
      {filters.map((f, i) => (
        <button key={i} type="button" className="btn btn-quiet" title="Remove this filter"
          onClick={() => void apply(filters.filter((_, j) => j !== i))}>
          {fmtId(f.id, f.extended)}/{fmtId(f.mask, f.extended)} ✕
        </button>
      ))}
      {errors.other ? <span className="field-error" role="alert">{errors.other}</span> : null}
    </form>
  );
}

function SendForm({ sessionId, snap }: { sessionId: string; snap: CanMonitorSnapshot | null }) {
  const [id, setId] = useState('0x123');
  const [data, setData] = useState('01 02 03');
  const [extended, setExtended] = useState(false);
  const [fd, setFd] = useState(false);
  const [brs, setBrs] = useState(false);
  const [rtr, setRtr] = useState(false);
  const [dlc, setDlc] = useState('0');
  const [period, setPeriod] = useState('');
  const [errors, setErrors] = useState<FieldErrors>({});
  const submit = (e: FormEvent) => {
    e.preventDefault();
    // A remote frame sends no data: it asks for DLC bytes.
    const frame = rtr ? { id: parseCanId(id), extended, fd, brs, rtr, dlc: dlc.trim() === '' ? NaN : Number(dlc), data: '' } : { id: parseCanId(id), extended, fd, brs, data };
    // Checked here with the hub's own schema, so the words are the same either way.
    const parsed = CanFrameInput.safeParse(frame);
    const periodMs = period.trim() === '' ? undefined : Number(period);
    const errs: FieldErrors = parsed.success ? {} : fieldErrors(parsed.error.issues);
    if (periodMs !== undefined && !(Number.isInteger(periodMs) && periodMs >= 1)) errs.period = 'Period is a whole number of ms, at least 1';
    setErrors(errs);
    if (Object.keys(errs).length) return;
    client.request('canSend', { sessionId, frame, ...(periodMs !== undefined ? { periodMs } : {}) }).then(
      () => undefined,
      (err) => { const { fields, other } = splitHubError(err, ['frame.']); setErrors({ ...fieldsOf(fields), ...(other ? { other } : {}) }); },
    );
  };
  return (
    <form className="can-form" onSubmit={submit} aria-label="Send a CAN frame">
      <TextField id="can-send-id" label="Send id" value={id} onChange={setId} className="narrow" error={errors.id} />
      {rtr
        ? <TextField id="can-send-dlc" label="DLC (bytes asked for)" value={dlc} onChange={setDlc} className="narrow" error={errors.dlc} />
        : <TextField id="can-send-data" label="Data (hex)" value={data} onChange={setData} className="grow" error={errors.data} />}
      <CheckField id="can-send-rtr" label="Remote (RTR)" checked={rtr} onChange={setRtr} error={errors.rtr} />
      <CheckField id="can-send-ext" label="Extended id" checked={extended} onChange={setExtended} />
      <CheckField id="can-send-fd" label="FD" checked={fd} onChange={setFd} />
      <CheckField id="can-send-brs" label="BRS" checked={brs} onChange={setBrs} error={errors.brs} />
      <TextField id="can-send-period" label="Period ms" value={period} onChange={setPeriod} className="narrow" hint="empty: once" error={errors.period} />
      <button type="submit" className="btn btn-primary">Send</button>
      {errors.other ? <span className="field-error" role="alert">{errors.other}</span> : null}
      {snap?.periodic.map((p) => (
        <button key={p.periodicId} type="button" className="btn" onClick={() => void client.request('canStopPeriodic', { sessionId, periodicId: p.periodicId })}>
          Stop {fmtId(p.frame.id, p.frame.extended ?? false)} every {p.periodMs} ms ({p.sent} sent)
        </button>
      ))}
    </form>
  );
}

function fieldsOf(fields: FieldErrors): FieldErrors {
  const out: FieldErrors = {};
  for (const [k, v] of Object.entries(fields)) out[k.replace(/^frame\./, '')] = v;
  return out;
}

function SignalForm({ session }: { session: SessionStatus }) {
  const [id, setId] = useState('0x123');
  const [extended, setExtended] = useState(false);
  const [startBit, setStartBit] = useState('0');
  const [bitLength, setBitLength] = useState('8');
  const [bigEndian, setBigEndian] = useState(false);
  const [signed, setSigned] = useState(false);
  const [scale, setScale] = useState('1');
  const [errors, setErrors] = useState<FieldErrors>({});
  const addPlot = useStore((st) => st.addPlot);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const signal = {
      id: parseCanId(id), extended, startBit: Number(startBit), bitLength: Number(bitLength),
      byteOrder: bigEndian ? 'big' as const : 'little' as const, signed, scale: Number(scale),
    };
    const parsed = CanSignalInput.safeParse(signal);
    if (!parsed.success) { setErrors(fieldErrors(parsed.error.issues)); return; }
    setErrors({});
    client.request('canAddSignal', { sessionId: session.sessionId, signal }).then(
      ({ name }) => addPlot({ title: name, signals: [{ session: session.name, signal: name }] }),
      (err: Error) => setErrors({ other: err.message }),
    );
  };
  return (
    <form className="can-form" onSubmit={submit} aria-label="Plot a CAN signal">
      <TextField id="can-sig-id" label="Signal id" value={id} onChange={setId} className="narrow" error={errors.id} />
      <CheckField id="can-sig-ext" label="Extended" checked={extended} onChange={setExtended} />
      <TextField id="can-sig-start" label="Start bit" value={startBit} onChange={setStartBit} className="narrow" error={errors.startBit} />
      <TextField id="can-sig-len" label="Bits" value={bitLength} onChange={setBitLength} className="narrow" error={errors.bitLength} />
      <CheckField id="can-sig-be" label="Big endian" checked={bigEndian} onChange={setBigEndian} />
      <CheckField id="can-sig-signed" label="Signed" checked={signed} onChange={setSigned} />
      <TextField id="can-sig-scale" label="Scale" value={scale} onChange={setScale} className="narrow" error={errors.scale} />
      <button type="submit" className="btn">Plot</button>
      {errors.other ? <span className="field-error" role="alert">{errors.other}</span> : null}
    </form>
  );
}
