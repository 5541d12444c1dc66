// The recordings list: name, sessions, duration, size, date; rename, delete, and
// CSV export (written beside the recording in the host's folder), and Open: a
// replay into the plots.
import { useEffect, useState } from 'react';
import type { CsvExportProgress, RecordingInfo } from '../../../shared/api/capture';
import { client } from '../hub';
import { useStore } from '../store';
import { formatBytes, formatDuration } from './format';

/** Signals a replay's own plot starts with (more can be ticked under Signals). */
const REPLAY_PLOT_SIGNALS = 8;

export function RecordingsList({ onClose }: { onClose(): void }) {
  const [list, setList] = useState<RecordingInfo[] | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const [renaming, setRenaming] = useState<{ name: string; text: string } | null>(null);
  const recordingState = useStore((s) => s.status?.recording?.state);
  const [exporting, setExporting] = useState<CsvExportProgress | null>(null);
  // A long recording takes a while to export: the engine says how far it has got.
  useEffect(() => client.on('csvExport', (p) => { if (p.path !== 'download') setExporting(p.done ? null : p); }), []);
  const addPlot = useStore((s) => s.addPlot);

  /** Opens the recording for replay, playing, in a plot of its own (its first signals), and closes the list. */
  const openReplay = async (name: string) => {
    try {
      const r = await client.openReplay(name, { play: true });
      // The smallest window that holds the whole recording, at most 10 s.
      const windowSeconds = [1, 5, 10].find((w) => w >= r.end - r.start) ?? 10;
      addPlot({ title: r.name, windowSeconds, signals: r.signals.slice(0, REPLAY_PLOT_SIGNALS).map((signal) => ({ session: r.name, signal })) });
      await client.requestServerStatusUpdate({ wait: false });
      onClose();
    } catch (e) {
      setMessage((e as Error).message);
    }
  };

  const refresh = () => client.listRecordings().then(setList, (e: Error) => setMessage(e.message));
  useEffect(() => { void refresh(); }, [recordingState]);

  const act = async (what: () => Promise<string | null>) => {
    try {
      setMessage(await what());
    } catch (e) {
      setMessage((e as Error).message);
    }
    void refresh();
  };

  return (
    <div className="recordings-list" role="dialog" aria-label="Recordings" data-testid="recordings-list">
      <header>
        <strong>Recordings</strong>
        <button type="button" className="btn btn-quiet" aria-label="Close recordings" onClick={onClose}>✕</button>
      </header>
      {list === null ? <p className="muted">Loading…</p> : null}
      {list?.length === 0 ? <p className="muted">No recordings yet: press Record.</p> : null}
      {list?.length ? (
        <table>
          <thead><tr><th>Name</th><th>Sessions</th><th>Duration</th><th>Size</th><th>Date</th><th /></tr></thead>
          <tbody>
            {list.map((r) => (
              <tr key={r.name} data-testid="recording-row" data-name={r.name}>
                <td>
                  {renaming?.name === r.name ? (
                    <form onSubmit={(e) => {
                      e.preventDefault();
                      const to = renaming.text.trim();
                      setRenaming(null);
                      void act(async () => { await client.request('renameRecording', { name: r.name, newName: to }); return null; });
                    }}>
                      <input aria-label={`New name for ${r.name}`} value={renaming.text} autoFocus onChange={(e) => setRenaming({ name: r.name, text: e.target.value })} />
                    </form>
                  ) : r.name}
                  {r.complete ? null : <span className="warn" title="Cut short (the engine stopped while recording): readable up to its last flushed chunk"> (cut short)</span>}
                </td>
                <td className="recording-sessions-cell" title={r.sessions.map((s) => s.name).join('\n')}>{sessionsText(r.sessions.map((s) => s.name))}</td>
                <td>{formatDuration(r.durationS)}</td>
                <td>{formatBytes(r.bytes)}</td>
                <td>{new Date(r.modified * 1000).toLocaleString()}</td>
                <td className="row-actions">
                  <button type="button" className="btn" title="Replay it into the plots (timeline above the plots)" onClick={() => void openReplay(r.name)}>Open</button>
                  <button type="button" className="btn" onClick={() => setRenaming({ name: r.name, text: r.name })}>Rename</button>
                  <button type="button" className="btn" onClick={() => void act(async () => {
                    const out = await client.request('exportRecordingCsv', { name: r.name }, 3600);
                    return `Exported ${out.rows} rows to ${out.path}`;
                  })}>Export CSV</button>
                  {downloadUrl(r.name) ? <a className="btn" href={downloadUrl(r.name)!} download={`${r.name}.csv`}>Download CSV</a> : null}
                  <button type="button" className="btn btn-danger" onClick={() => {
                    if (window.confirm(`Delete the recording "${r.name}"?`)) void act(async () => { await client.request('deleteRecording', { name: r.name }); return null; });
                  }}>Delete</button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      {exporting ? (
        <p className="muted" data-testid="csv-progress">
          Exporting {exporting.name} as CSV: <progress max={1} value={exporting.fraction} aria-label={`CSV export of ${exporting.name}`} /> {Math.round(exporting.fraction * 100)} % · {exporting.rows.toLocaleString()} rows
        </p>
      ) : null}
      {message ? <p className="muted mono" role="status">{message}</p> : null}
    </div>
  );
}

/** A recording's sessions on one line: the first two, then how many more (all of them in the cell's title). */
function sessionsText(names: string[]): string {
  return names.length <= 2 ? names.join(', ') : `${names.slice(0, 2).join(', ')} +${names.length - 2} more`;
}

/** In a browser (the headless host), a recording's CSV streamed by the host; none in the desktop window (no HTTP server). */
function downloadUrl(name: string): string | null {
  const token = new URLSearchParams(location.search).get('token');
  return token ? `/recordings/${encodeURIComponent(name)}.csv?token=${encodeURIComponent(token)}` : null;
}
