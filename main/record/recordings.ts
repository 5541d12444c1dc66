// The hub's recordings desk: one recording at a time, the recordings folder, and
// the requests on recorded files (list, rename, delete, CSV export).
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { SIGNALS_CSV_MAX_SAMPLES, type Acquisition, type CsvExport, type CsvExportProgress, type RecordingInfo, type RecordingStatus, type SignalsCsv } from '../../shared/api/capture';
import type { TelemetryStore } from '../telemetry/store';
import { csvText, writeStreamed, type CsvColumn } from '../files/csv';
import { Recorder, type RecordedSession } from './recorder';
import { listRecordings, recordingPath, writeSamplesFile } from '../files/recording-files';
import { streamRecordingCsv } from './recording-csv';
import { insideDataFolder } from '../files/data-folder';
import { acquisitionMetadata, acquisitionSignals, storeName } from '../files/acquisition-files';
import { ApiError } from '../../shared/api/errors';


export interface RecordingsOptions {
  store: TelemetryStore;
  sessions(): Iterable<RecordedSession>;
  /** The user data folder (recordings go in its recordings/); null: a folder must be given. */
  userDataDir: string | null;
  onStateChange(status: RecordingStatus): void;
  /** How far a whole-recording CSV export has got (a few times a second, and once done). */
  onCsvProgress?(progress: CsvExportProgress): void;
  /** The name of a replay that has this file open, if any. */
  replayOf?(file: string): string | undefined;
  /** Names of sources of signals that are not sessions (replays), for CSV headers. */
  otherNames?(sessionId: string): string | undefined;
}

function stamp(d: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `recording ${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}.${p(d.getMinutes())}.${p(d.getSeconds())}`;
}

export class Recordings {
  private current: Recorder | null = null;
  private last: RecordingStatus | null = null;

  constructor(private readonly opts: RecordingsOptions) {}

  /** The recordings folder, or a folder given by a request (inside the user data folder). */
  folder(given?: string): string {
    if (given) return this.inside(given, 'Folder');
    if (!this.opts.userDataDir) throw new ApiError('InvalidRequest', 'No recordings folder: this host runs without a user data folder');
    return path.join(this.opts.userDataDir, 'recordings');
  }

  private inside(given: string, what: string): string {
    const r = insideDataFolder(this.opts.userDataDir, given, what);
    if ('refused' in r) throw new ApiError('InvalidRequest', r.refused);
    return r.path;
  }

  /** CSV (same alignment as a recording's) of the samples the store holds of these signals in [t0, t1]. */
  async signalsCsv(ids: number[], t0: number, t1: number): Promise<SignalsCsv> {
    const store = this.opts.store;
    const infos = store.list();
    const sessionNames = new Map([...this.opts.sessions()].map((s) => [s.id, s.name]));
    let truncated = false;
    const columns: CsvColumn[] = ids.map((id) => {
      const info = infos.find((x) => x.id === id);
      if (!info) throw new ApiError('InvalidRequest', `No signal ${id} (see listSignals)`);
      const from = store.oldest(id);
      const held = store.total(id) - from;
      const times = new Float64Array(held);
      const values = new Float64Array(held);
      const n = store.copySince(id, from, times, values, 0, held);
      // Samples are in time order: keep [t0, t1], the newest when there are too many.
      let a = 0;
      while (a < n && times[a]! < t0) a++;
      let b = n;
      while (b > a && times[b - 1]! > t1) b--;
      if (b - a > SIGNALS_CSV_MAX_SAMPLES) {
        a = b - SIGNALS_CSV_MAX_SAMPLES;
        truncated = true;
      }
      const source = sessionNames.get(info.sessionId) ?? this.opts.otherNames?.(info.sessionId) ?? info.sessionId;
      return { header: `${source}/${info.name}`, times: times.subarray(a, b), values: values.subarray(a, b), count: b - a };
    });
    const csv = await csvText(columns);
    return { csv, rows: csv.split('\n').length - 2, columns: columns.map((c) => c.header), truncated };
  }

  status(): RecordingStatus | null {
    return this.current?.status() ?? this.last;
  }

  async start(p: { sessionIds?: string[]; name?: string; folder?: string; console?: boolean }, open?: (file: string) => Promise<import('node:fs/promises').FileHandle>): Promise<RecordingStatus> {
    if (this.current?.active) throw new ApiError('OperationFailure', `A recording is already under way ("${this.current.name}"): stop it first`);
    const known = new Set([...this.opts.sessions()].map((s) => s.id));
    const unknown = (p.sessionIds ?? []).filter((id) => !known.has(id));
    if (unknown.length) throw new ApiError('InvalidRequest', `No session ${unknown.map((u) => `"${u}"`).join(', ')} to record`);
    const folder = this.folder(p.folder);
    const name = p.name ?? stamp(new Date());
    const file = recordingPath(folder, name);
    const recorder = new Recorder({
      store: this.opts.store, sessions: this.opts.sessions, file, sessionIds: p.sessionIds, console: p.console, open,
      onStateChange: (s) => { this.last = s; this.opts.onStateChange(s); },
    });
    try {
      await recorder.start();
    } catch (e) {
      const msg = (e as Error).message;
      throw new ApiError('OperationFailure', /EEXIST/.test(msg) ? `A recording named "${name}" already exists in ${folder}` : msg);
    }
    this.current = recorder;
    return recorder.status();
  }

  async stop(): Promise<RecordingStatus | null> {
    const recorder = this.current;
    if (!recorder) return this.last;
    this.current = null;
    this.last = await recorder.stop();
    return this.last;
  }

  list(folder?: string): Promise<RecordingInfo[]> {
    return listRecordings(this.folder(folder));
  }

  async rename(name: string, newName: string, folder?: string): Promise<void> {
    const dir = this.folder(folder);
    this.refuseCurrent(dir, name, 'rename');
    const to = recordingPath(dir, newName);
    if (await exists(to)) throw new ApiError('OperationFailure', `A recording named "${newName}" already exists in ${dir}`);
    await fs.rename(recordingPath(dir, name), to).catch((e) => { throw this.fileError(e, name, dir); });
  }

  async remove(name: string, folder?: string): Promise<void> {
    const dir = this.folder(folder);
    this.refuseCurrent(dir, name, 'delete');
    await fs.unlink(recordingPath(dir, name)).catch((e) => { throw this.fileError(e, name, dir); });
  }

  /**
   * An acquisition as a recording of its own (MCAP, beside the recordings): it lists,
   * replays and exports like one, and other MCAP tools open it. The trigger is in a
   * "benchscope.acquisition" metadata record.
   */
  async writeAcquisition(a: Acquisition, name?: string, folder?: string): Promise<RecordingInfo> {
    const dir = this.folder(folder);
    const base = name ?? storeName(a.name, `acquisition ${a.id}`);
    const file = recordingPath(dir, base);
    try {
      await writeSamplesFile(file, acquisitionSignals(a), [acquisitionMetadata(a)]);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      throw new ApiError('OperationFailure', code === 'EEXIST' ? `A recording named "${base}" already exists in ${dir}` : `Cannot write ${file}: ${(e as Error).message}`);
    }
    return (await listRecordings(dir)).find((r) => r.name === base)!;
  }

  /** A recording's file, checked to exist (for a replay). */
  async file(name: string, folder?: string): Promise<string> {
    const dir = this.folder(folder);
    const file = recordingPath(dir, name);
    if (!(await exists(file))) throw new ApiError('InvalidRequest', `No recording "${name}" in ${dir}`);
    return file;
  }

  /** Whole recording to CSV (default: beside it, same name with .csv). */
  async exportCsv(name: string, folder?: string, to?: string): Promise<CsvExport> {
    const file = await this.file(name, folder);
    const out = to ? this.inside(to, 'CSV path') : path.join(path.dirname(file), `${name}.csv`);
    let header = '';
    const progress = this.progress(name, out);
    const rows = await writeStreamed(out, (write) => streamRecordingCsv(file, async (text) => {
      if (!header) header = text.slice(0, text.indexOf('\n'));
      await write(text);
    }, progress)).catch((e) => { throw new ApiError('OperationFailure', `Cannot write ${out}: ${(e as Error).message}`); });
    this.opts.onCsvProgress?.({ name, path: out, fraction: 1, rows, done: true });
    return { path: out, rows, columns: header.split(',').slice(1) };
  }

  /** Reports an export's progress at most four times a second. */
  private progress(name: string, out: string): (fraction: number, rows: number) => void {
    let last = 0;
    return (fraction, rows) => {
      const now = Date.now();
      if (now - last < 250) return;
      last = now;
      this.opts.onCsvProgress?.({ name, path: out, fraction, rows, done: false });
    };
  }

  /** Whole recording as CSV, in pieces to `write` (an HTTP response: the browser downloads it). */
  async streamCsv(name: string, write: (text: string) => Promise<void>, folder?: string): Promise<number> {
    return streamRecordingCsv(await this.file(name, folder), write, this.progress(name, 'download'));
  }

  private refuseCurrent(dir: string, name: string, what: string): void {
    if (this.current?.active && path.resolve(this.current.status().path) === recordingPath(dir, name)) {
      throw new ApiError('OperationFailure', `Cannot ${what} "${name}" while it is being recorded: stop the recording first`);
    }
    const replay = this.opts.replayOf?.(path.resolve(recordingPath(dir, name)));
    if (replay) throw new ApiError('OperationFailure', `Cannot ${what} "${name}" while it is open for replay ("${replay}"): close the replay first`);
  }

  private fileError(e: unknown, name: string, dir: string): ApiError {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return new ApiError('InvalidRequest', `No recording "${name}" in ${dir}`);
    return new ApiError('OperationFailure', `${(e as Error).message}`);
  }
}

async function exists(file: string): Promise<boolean> {
  return fs.stat(file).then(() => true, () => false);
}
