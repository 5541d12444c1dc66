// CSV export of recordings and acquisitions.
//
// Alignment of signals sampled at different rates (documented for the user):
// one row per distinct sample time over all signals, in time order; a signal's
// cell holds its sample at exactly that time and is empty when it has none. Nothing
// is interpolated or held, so every sample appears exactly once and a column
// read back without its empty cells is the signal as recorded. Signals sampled
// together (the columns of one CSV line from a device) share their rows.
// Time: seconds since the epoch with 6 decimals (µs); values: shortest round-trip text (-0 kept).
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';

export interface CsvColumn {
  header: string;
  times: Float64Array | number[];
  values: Float64Array | number[];
  count: number;
}

export function cell(header: string): string {
  return /[",\n]/.test(header) ? `"${header.replace(/"/g, '""')}"` : header;
}

/** Writes the columns merged by time; returns the number of data rows. */
export function writeCsv(file: string, columns: CsvColumn[]): Promise<number> {
  return writeStreamed(file, (write) => emitCsv(columns, write));
}

/** Runs `produce` with a writer into `file` that waits when the disk is slower; resolves once the file is complete. */
export async function writeStreamed(file: string, produce: (write: (text: string) => Promise<void>) => Promise<number>): Promise<number> {
  const out = createWriteStream(file);
  const failed = new Promise<never>((_, reject) => out.once('error', reject));
  failed.catch(() => undefined);
  const write = async (text: string): Promise<void> => {
    if (!out.write(text)) await Promise.race([once(out, 'drain'), failed]);
  };
  const rows = await produce(write);
  out.end();
  await Promise.race([once(out, 'finish'), failed]);
  return rows;
}

/** The same CSV as text (acquisitions are small). */
export async function csvText(columns: CsvColumn[]): Promise<string> {
  const parts: string[] = [];
  await emitCsv(columns, async (t) => { parts.push(t); });
  return parts.join('');
}

/** Shortest round-trip text; keeps the sign of -0 (String(-0) is "0"). */
export function numberText(v: number): string {
  return v === 0 && 1 / v < 0 ? '-0' : String(v);
}

/** Emits the CSV in pieces to `write` (which may wait, for backpressure); returns the number of data rows. */
export async function emitCsv(columns: CsvColumn[], write: (text: string) => Promise<void>): Promise<number> {
  await write(csvHeader(columns.map((c) => c.header)));
  return emitCsvRows(columns, write);
}

export function csvHeader(headers: string[]): string {
  return `time,${headers.map(cell).join(',')}\n`;
}

/**
 * The data rows of columns merged by time (no header). A long recording is emitted
 * window by window: every sample of one time must be in the same call.
 */
export async function emitCsvRows(columns: CsvColumn[], write: (text: string) => Promise<void>): Promise<number> {
  const next = new Array<number>(columns.length).fill(0);
  const cells = new Array<string>(columns.length);
  let rows = 0;
  let batch: string[] = [];
  for (;;) {
    let t = Infinity;
    for (let c = 0; c < columns.length; c++) {
      const col = columns[c]!;
      if (next[c]! < col.count && col.times[next[c]!]! < t) t = col.times[next[c]!]!;
    }
    if (t === Infinity) break;
    for (let c = 0; c < columns.length; c++) {
      const col = columns[c]!;
      const k = next[c]!;
      if (k < col.count && col.times[k] === t) {
        cells[c] = numberText(col.values[k]!);
        next[c] = k + 1;
      } else {
        cells[c] = '';
      }
    }
    batch.push(`${t.toFixed(6)},${cells.join(',')}\n`);
    rows++;
    if (batch.length >= 4096) {
      await write(batch.join(''));
      batch = [];
    }
  }
  if (batch.length) await write(batch.join(''));
  return rows;
}
