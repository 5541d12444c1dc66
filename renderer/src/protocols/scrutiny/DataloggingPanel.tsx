// The embedded graph: the acquisition form (checked against the device's capabilities
// before anything is sent), Arm, the device's state with its completion as a progress
// bar, the download with its progress, and the acquisition in its own chart.
import { useRef, useState } from 'react';
import type { DeviceInfo } from '../../../../shared/api/contract';
import { client } from '../../hub';
import { usePoll } from '../../hooks/usePoll';
import { AcquisitionChart, type ScrutinyAcquisition } from './AcquisitionChart';
import { checkDlDraft, DL_CONDITIONS, dlDraft, type DlDraft } from './datalogging';
import { StoredAcquisitions } from './StoredAcquisitions';
import type { VariableEntry } from './variables';
import type { DlStatus } from '../../../../shared/api/scrutiny';

type Phase = 'idle' | 'arming' | 'armed' | 'downloading' | 'done';

const STATUS_MS = 200;
const PROGRESS_MS = 100;

export function DataloggingPanel({ sessionId, info, lookup, candidates }: {
  sessionId: string;
  info: DeviceInfo;
  lookup(path: string): VariableEntry | undefined;
  /** Paths offered for signals and operands. */
  candidates: readonly string[];
}) {
  const caps = info.dataloggingCapabilities;
  const [draft, setDraft] = useState<DlDraft>(() => ({ ...dlDraft(), loopId: String(caps?.samplingRates[0]?.identifier ?? '') }));
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [phase, setPhase] = useState<Phase>('idle');
  const [status, setStatus] = useState<DlStatus | null>(null);
  const [download, setDownload] = useState<{ received: number; total: number } | null>(null);
  const [acquisition, setAcquisition] = useState<ScrutinyAcquisition | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const phaseRef = useRef(phase);
  phaseRef.current = phase;

  // While armed: the device's state and completion; on completion, the download.
  usePoll(phase === 'armed', {
    periodMs: STATUS_MS,
    immediate: false,
    poll: () => client.action({ sessionId: sessionId, protocol: 'scrutiny' }, 'dlStatus', {}),
    onValue: (st) => {
      if (phaseRef.current !== 'armed') return;
      setStatus(st);
      if (st.state === 'completed') void read();
      if (st.state === 'error') {
        setFailure('The device reports a datalogging error (a timeout, or a configuration it could not apply)');
        setPhase('idle');
      }
    },
    onError: (e) => setFailure(e.message),
  }, [sessionId]);

  usePoll(phase === 'downloading', {
    periodMs: PROGRESS_MS,
    immediate: false,
    poll: () => client.action({ sessionId: sessionId, protocol: 'scrutiny' }, 'dlProgress', {}),
    onValue: (r) => { if (r.download) setDownload(r.download); },
    onError: (e) => setFailure(`Download progress: ${e.message}`),
  }, [sessionId]);

  const read = async () => {
    setPhase('downloading');
    setDownload(null);
    try {
      const a = await client.action({ sessionId: sessionId, protocol: 'scrutiny' }, 'dlRead', {});
      setAcquisition(a);
      setDownload({ received: 1, total: 1 });
      setPhase('done');
    } catch (e) {
      setFailure((e as Error).message);
      setPhase('idle');
    }
  };

  const arm = async () => {
    setFailure(null);
    const check = checkDlDraft(draft, info, lookup);
    if (!check.ok) {
      setErrors(check.errors);
      return;
    }
    setErrors({});
    setPhase('arming');
    try {
      await client.action({ sessionId: sessionId, protocol: 'scrutiny' }, 'dlConfigure', check.args);
      setStatus(await client.action({ sessionId: sessionId, protocol: 'scrutiny' }, 'dlArm', {}));
      setPhase('armed');
    } catch (e) {
      setFailure((e as Error).message);
      setPhase('idle');
    }
  };

  const disarm = async () => {
    try {
      setStatus(await client.action({ sessionId: sessionId, protocol: 'scrutiny' }, 'dlDisarm', {}));
    } catch (e) {
      setFailure((e as Error).message);
    }
    setPhase('idle');
  };

  if (!caps || !info.supportedFeatures.datalogging) return <p>The device does not support datalogging.</p>;
  const cond = DL_CONDITIONS.find((c) => c.name === draft.condition)!;
  const set = (patch: Partial<DlDraft>) => setDraft((d) => ({ ...d, ...patch }));
  const err = (k: string) => (errors[k] ? <span className="field-error" role="alert">{errors[k]}</span> : null);
  const ratio = status?.completionRatio ?? (status?.state === 'completed' ? 1 : 0);

  return (
    <div className="scrutiny-datalogging" data-testid="scrutiny-datalogging">
      <datalist id={`scrutiny-paths-${sessionId}`}>
        <option value="time" />
        {candidates.map((p) => <option key={p} value={p} />)}
      </datalist>
      <form className="scrutiny-dl-form" aria-label="Acquisition" onSubmit={(e) => { e.preventDefault(); void arm(); }}>
        <div className="field-row">
          <label>Sampling rate
            <select aria-label="Sampling rate" value={draft.loopId} onChange={(e) => set({ loopId: e.target.value })}>
              {caps.samplingRates.map((r) => <option key={r.identifier} value={r.identifier}>{r.name}{r.frequency ? ` (${r.frequency} Hz)` : ' (variable)'}</option>)}
            </select>{err('loopId')}
          </label>
          <label>Decimation <input aria-label="Decimation" value={draft.decimation} onChange={(e) => set({ decimation: e.target.value })} inputMode="numeric" size={5} />{err('decimation')}</label>
          <label>Before trigger (%) <input aria-label="Trigger position" value={draft.triggerPositionPct} onChange={(e) => set({ triggerPositionPct: e.target.value })} inputMode="numeric" size={4} />{err('triggerPositionPct')}</label>
          <label>Timeout (s) <input aria-label="Timeout" value={draft.timeoutS} onChange={(e) => set({ timeoutS: e.target.value })} size={5} />{err('timeoutS')}</label>
        </div>
        <div className="field-row">
          <label>Trigger when
            <select aria-label="Trigger condition" value={draft.condition} onChange={(e) => set({ condition: e.target.value as DlDraft['condition'] })}>
              {DL_CONDITIONS.map((c) => <option key={c.name} value={c.name}>{c.label}</option>)}
            </select>
          </label>
          {Array.from({ length: cond.operands }, (_, i) => (
            <label key={i}>{'ABC'[i]}
              <input aria-label={`Operand ${'ABC'[i]}`} list={`scrutiny-paths-${sessionId}`} value={draft.operands[i] ?? ''} placeholder="number, variable or /rpv/x…"
                onChange={(e) => set({ operands: draft.operands.map((o, k) => (k === i ? e.target.value : o)) })} />{err(`operand${i}`)}
            </label>
          ))}
          <label>Hold (s) <input aria-label="Hold time" value={draft.holdTimeS} onChange={(e) => set({ holdTimeS: e.target.value })} size={5} />{err('holdTimeS')}</label>
        </div>
        <fieldset className="scrutiny-dl-signals">
          <legend>Signals ({draft.signals.length} of at most {caps.maxNbSignal}, buffer {caps.bufferSize} bytes)</legend>
          {draft.signals.map((s, i) => (
            <span key={i} className="scrutiny-dl-signal">
              <input aria-label={`Signal ${i + 1}`} list={`scrutiny-paths-${sessionId}`} value={s} onChange={(e) => set({ signals: draft.signals.map((x, k) => (k === i ? e.target.value : x)) })} />
              <button type="button" className="btn btn-quiet" aria-label={`Remove signal ${i + 1}`} onClick={() => set({ signals: draft.signals.filter((_, k) => k !== i) })}>×</button>
            </span>
          ))}
          <button type="button" className="btn" onClick={() => set({ signals: [...draft.signals, ''] })} disabled={draft.signals.length >= caps.maxNbSignal}>Add signal</button>
          {err('signals')}
        </fieldset>
        {err('form')}
        <div className="field-row">
          <button type="submit" className="btn btn-primary" disabled={phase === 'arming' || phase === 'armed' || phase === 'downloading'}>Arm</button>
          <button type="button" className="btn" onClick={() => void disarm()} disabled={phase !== 'armed'}>Disarm</button>
          <span data-testid="scrutiny-dl-state">{phase === 'downloading' ? 'downloading' : status?.state ?? 'idle'}</span>
          <label className="scrutiny-progress">acquired <progress aria-label="Acquisition completion" max={1} value={ratio} /></label>
          {phase === 'downloading' || download ? (
            <label className="scrutiny-progress">downloaded <progress aria-label="Download" max={download?.total || 1} value={download?.received ?? 0} /></label>
          ) : null}
        </div>
        {failure ? <p role="alert" className="field-error">{failure}</p> : null}
      </form>
      {acquisition ? (
        <>
          <p className="scrutiny-acquisition-summary" data-testid="scrutiny-acquisition-summary">
            Acquisition {acquisition.acquisitionId}: {acquisition.nPoints} points, trigger at point {acquisition.triggerIndex}
            {acquisition.stored ? `; stored in Acquisitions (one entry, ${acquisition.stored.signals.length} ${acquisition.stored.signals.length === 1 ? 'signal' : 'signals'})` : ''}
          </p>
          <AcquisitionChart acquisition={acquisition} />
        </>
      ) : null}
      <StoredAcquisitions sessionId={sessionId} refreshKey={acquisition} onShow={(a) => { setAcquisition(a); setDownload(null); }} />
    </div>
  );
}
