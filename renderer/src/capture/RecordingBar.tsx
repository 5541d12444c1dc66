// The recording bar in the top bar: start and stop a recording of every session,
// its elapsed time, size and rate, and the recordings list behind a button.
import { useState } from 'react';
import { client } from '../hub';
import { useStore } from '../store';
import { formatBytes, formatDuration, formatRate } from './format';
import { RecordingsList } from './RecordingsList';
import './capture.css';

export function RecordingBar() {
  const recording = useStore((s) => s.status?.recording ?? null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [listOpen, setListOpen] = useState(false);
  const sessions = useStore((s) => s.status?.sessions ?? []);
  /** Sessions to record; null records them all (and any made while recording). */
  const [chosen, setChosen] = useState<string[] | null>(null);
  const [choosing, setChoosing] = useState(false);
  const active = recording?.state === 'recording';
  const picked = chosen?.filter((id) => sessions.some((s) => s.sessionId === id)) ?? null;
  const toggle = (id: string, on: boolean) => {
    const base = picked ?? sessions.map((s) => s.sessionId);
    const next = on ? [...new Set([...base, id])] : base.filter((x) => x !== id);
    setChosen(next.length === sessions.length ? null : next);
  };

  const run = async (what: () => Promise<unknown>) => {
    setBusy(true);
    setError(null);
    try {
      await what();
      await client.requestServerStatusUpdate({ wait: false });
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="recording-bar" data-testid="recording-bar" data-state={recording?.state ?? 'none'}>
      {active ? (
        <button type="button" className="btn btn-danger" disabled={busy} onClick={() => void run(() => client.stopRecording())}>■ Stop recording</button>
      ) : (
        <>
          <button type="button" className="btn" disabled={busy || picked?.length === 0}
            onClick={() => void run(() => client.startRecording(picked ? { sessionIds: picked } : {}))}>● Record</button>
          <button type="button" className="btn btn-quiet" aria-expanded={choosing} aria-label="Sessions to record"
            onClick={() => setChoosing(!choosing)}>{picked ? `${picked.length} of ${sessions.length} sessions` : 'all sessions'} ▾</button>
          {choosing ? (
            <fieldset className="recording-sessions" aria-label="Sessions to record">
              <label><input type="checkbox" checked={picked === null} onChange={(e) => setChosen(e.target.checked ? null : [])} /> All sessions</label>
              {sessions.map((s) => (
                <label key={s.sessionId}>
                  <input type="checkbox" checked={picked === null || picked.includes(s.sessionId)} onChange={(e) => toggle(s.sessionId, e.target.checked)} /> {s.name}
                </label>
              ))}
            </fieldset>
          ) : null}
        </>
      )}
      {recording ? (
        <span className={`recording-figures ${active ? 'rec-on' : ''}`} data-testid="recording-figures" title={recording.path}>
          {active ? <i className="rec-dot" aria-hidden="true" /> : null}
          <span data-testid="recording-elapsed">{formatDuration(recording.elapsedS)}</span>
          <span data-testid="recording-size">{formatBytes(recording.bytes)}</span>
          {active ? <span>{formatRate(recording.samplesPerSec, 'S')}</span> : <span className="muted">{recording.state}</span>}
          {recording.lostSamples ? <span className="warn">{recording.lostSamples} samples lost</span> : null}
        </span>
      ) : null}
      <button type="button" className="btn btn-quiet" aria-expanded={listOpen} onClick={() => setListOpen(!listOpen)}>Recordings</button>
      {recording?.error ? <span className="rec-error" role="alert">{recording.error}</span> : null}
      {error ? <span className="rec-error" role="alert">{error}</span> : null}
      {listOpen ? <RecordingsList onClose={() => setListOpen(false)} /> : null}
    </div>
  );
}
