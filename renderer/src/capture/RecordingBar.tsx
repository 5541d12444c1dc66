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
  const active = recording?.state === 'recording';

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
        <button type="button" className="btn" disabled={busy} onClick={() => void run(() => client.startRecording())}>● Record</button>
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
