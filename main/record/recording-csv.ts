// A whole recording as CSV (the alignment of csv.ts), streamed window by window
// through the replay source: a complete file is read through its index a few
// chunks at a time, so an hour at 10 kHz never sits in memory; a file cut short is
// read whole, as far as it goes. Columns: the signals in the order their channels
// were registered. Progress is reported as the fraction of the recording's time span.
import { csvHeader, emitCsvRows, type CsvColumn } from '../files/csv';
import { openReplaySource } from './replay-source';

/** Windows of the recording's time: at least this long, and at most this many. */
const MIN_WINDOW_S = 0.25;
const MAX_WINDOWS = 20_000;

export async function streamRecordingCsv(
  file: string,
  write: (text: string) => Promise<void>,
  onProgress?: (fraction: number, rows: number) => void,
): Promise<number> {
  const source = await openReplaySource(file);
  try {
    const channels = source.channels;
    await write(csvHeader(channels.map((c) => `${c.session}/${c.signal}`)));
    if (!channels.length) return 0;
    const span = source.end - source.start;
    const step = Math.max(MIN_WINDOW_S, span / MAX_WINDOWS);
    // Per channel, the pieces of the window (a window may cross chunks).
    const pieces: { times: Float64Array; values: Float64Array }[][] = channels.map(() => []);
    let rows = 0;
    // (t0, t1]: the first window starts just below the first sample.
    for (let t0 = source.start - 1e-6; t0 < source.end;) {
      const t1 = Math.min(source.end, t0 + step);
      await source.read(t0, t1, (ch, times, values, from, to) => {
        pieces[ch]!.push({ times: times.subarray(from, to), values: values.subarray(from, to) });
      });
      const columns: CsvColumn[] = pieces.map((p, ch) => {
        const joined = join(p);
        p.length = 0;
        return { header: channels[ch]!.signal, times: joined.times, values: joined.values, count: joined.times.length };
      });
      rows += await emitCsvRows(columns, write);
      onProgress?.(span > 0 ? (t1 - source.start) / span : 1, rows);
      t0 = t1;
    }
    return rows;
  } finally {
    await source.close();
  }
}

function join(parts: { times: Float64Array; values: Float64Array }[]): { times: Float64Array; values: Float64Array } {
  if (parts.length === 1) return parts[0]!;
  let n = 0;
  for (const p of parts) n += p.times.length;
  const times = new Float64Array(n);
  const values = new Float64Array(n);
  let at = 0;
  for (const p of parts) {
    times.set(p.times, at);
    values.set(p.values, at);
    at += p.times.length;
  }
  return { times, values };
}
