// Saved acquisitions on disk: one MCAP file each under <user data>/acquisitions/
// (DESIGN: recordings and acquisitions are MCAP files, so Foxglove, Lichtblick and
// PlotJuggler open them), laid out as a recording of one signal, with the whole
// summary (trigger, condition, name...) in a "benchscope.acquisition" metadata record.
// Acquisitions saved as JSON by earlier versions are still read, renamed and deleted.
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { McapIndexedReader, type McapTypes } from '@mcap/core';
import { FileHandleReadable } from '@mcap/nodejs';
import type { Acquisition, AcquisitionSummary } from '../../shared/api/capture';
import { readRecording, writeSamplesFile } from './recording-files';

export const ACQUISITION_METADATA = 'benchscope.acquisition';

/** A name the stores accept (on rename too): letters, digits, spaces and _ . ( ) -, at most 100 characters. */
export function storeName(text: string, fallback: string): string {
  return text.replace(/[^A-Za-z0-9 _.()-]/g, '_').replace(/^[^A-Za-z0-9]+/, '').slice(0, 100).trim() || fallback;
}

export function summaryOf(a: Acquisition): AcquisitionSummary {
  const { times: _t, values: _v, channelValues: _c, ...summary } = a;
  return summary;
}

/** The metadata record of an acquisition: the summary as JSON, and its trigger in plain keys for other tools. */
export function acquisitionMetadata(a: Acquisition): McapTypes.Metadata {
  return {
    name: ACQUISITION_METADATA,
    metadata: new Map([
      ['summary', JSON.stringify(summaryOf(a))],
      ['id', a.id], ['triggerTime', String(a.triggerTime)], ['triggerIndex', String(a.triggerIndex)], ['condition', a.condition],
      ['level', String(a.level)], ['level2', a.level2 === null ? '' : String(a.level2)], ['forced', String(a.forced)],
    ]),
  };
}

/** The acquisition's samples as signals of a recording: its first signal, then each of its channels. */
export function acquisitionSignals(a: Acquisition) {
  const of = (name: string, unit: string | null, values: number[]) => ({
    sessionId: a.signal.sessionId, session: a.signal.session || 'acquisition', protocol: 'acquisition', signal: name || 'signal', unit, times: a.times, values,
  });
  return [of(a.signal.name, a.signal.unit, a.values), ...(a.channels ?? []).map((c, k) => of(c.name, c.unit, a.channelValues?.[k] ?? []))];
}

/** Writes (or rewrites) an acquisition as <folder>/<id>.mcap, atomically; a JSON file of it from before goes. */
export async function writeAcquisitionFile(folder: string, a: Acquisition): Promise<void> {
  await fs.mkdir(folder, { recursive: true });
  const file = path.join(folder, `${a.id}.mcap`);
  const tmp = `${file}.tmp`;
  await fs.rm(tmp, { force: true });
  await writeSamplesFile(tmp, acquisitionSignals(a), [acquisitionMetadata(a)]);
  await fs.rename(tmp, file);
  await fs.rm(path.join(folder, `${a.id}.json`), { force: true });
}

/** An acquisition with its samples; null when there is no file of that id. */
export async function readAcquisitionFile(folder: string, id: string): Promise<Acquisition | null> {
  const mcap = path.join(folder, `${id}.mcap`);
  try {
    const contents = await readRecording(mcap);
    const summary = JSON.parse(contents.metadata.get(ACQUISITION_METADATA)?.get('summary') ?? 'null') as AcquisitionSummary | null;
    if (!summary) throw new Error('it has no benchscope.acquisition metadata record');
    // Signals come back in the order they were written: the first, then the channels.
    const [s, ...rest] = contents.signals;
    const values = (r: typeof s) => Array.from(r?.values.subarray(0, r.count) ?? []);
    return {
      ...summary, times: Array.from(s?.times.subarray(0, s.count) ?? []), values: values(s),
      ...(summary.channels ? { channelValues: summary.channels.map((_c, k) => values(rest[k])) } : {}),
    };
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw new Error(`Cannot read acquisition ${id} (${mcap}): ${(e as Error).message}`, { cause: e });
  }
  try {
    return JSON.parse(await fs.readFile(path.join(folder, `${id}.json`), 'utf8')) as Acquisition;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new Error(`Cannot read acquisition ${id}: ${(e as Error).message}`, { cause: e });
  }
}

/** The summaries of every saved acquisition (from the metadata record: the samples are not read). */
export async function listAcquisitionFiles(folder: string): Promise<AcquisitionSummary[]> {
  const names = await fs.readdir(folder).catch(() => [] as string[]);
  const out: AcquisitionSummary[] = [];
  for (const n of names) {
    const file = path.join(folder, n);
    try {
      if (n.endsWith('.mcap')) {
        const handle = await fs.open(file, 'r');
        try {
          const reader = await McapIndexedReader.Initialize({ readable: new FileHandleReadable(handle) });
          for await (const m of reader.readMetadata({ name: ACQUISITION_METADATA })) out.push(JSON.parse(m.metadata.get('summary') ?? 'null') as AcquisitionSummary);
        } finally {
          await handle.close();
        }
      } else if (n.endsWith('.json')) {
        out.push(summaryOf(JSON.parse(await fs.readFile(file, 'utf8')) as Acquisition));
      }
    } catch {
      // A file being written, cut short, or not an acquisition: not listed.
    }
  }
  return out.filter((a) => a && typeof a.id === 'string');
}

/** Deletes an acquisition's file (MCAP, or JSON from before); false when there was none. */
export async function removeAcquisitionFile(folder: string, id: string): Promise<boolean> {
  const gone = await Promise.all([`${id}.mcap`, `${id}.json`].map((n) => fs.unlink(path.join(folder, n)).then(() => true, () => false)));
  return gone.some(Boolean);
}
