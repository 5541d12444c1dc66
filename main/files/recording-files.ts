// Recordings on disk: read back (complete or cut short by a crash), list, rename,
// delete. Reading streams the file record by record, so a file without its index
// (a killed process) reads up to its last complete chunk.
import { createReadStream, promises as fs } from 'node:fs';
import path from 'node:path';
import { McapIndexedReader, McapStreamReader, type McapTypes } from '@mcap/core';
import { FileHandleReadable } from '@mcap/nodejs';
import type { RecordingInfo } from '../../shared/api/capture';
import type { Mark } from '../../shared/api/contract';
import {
  decodeSample, MARK_SCHEMA_NAME, nsToSeconds, RECORDING_METADATA, recordingMetadata, SAMPLE_SCHEMA_NAME, SAMPLE_SCHEMA_TEXT, type RecordingSessionMeta,
} from './mcap-format';
import { damagedChunk, DamagedChunkError, mcapCrc } from './mcap-crc';
import { DEFAULT_CHUNK_BYTES, SampleMcapWriter } from './mcap-sample-writer';

export interface RecordedSignal {
  topic: string;
  sessionId: string;
  session: string;
  signal: string;
  unit: string | null;
  times: Float64Array;
  values: Float64Array;
  /** The MCAP sequence of each sample (its number in the engine, mod 2^32). */
  sequences: Uint32Array;
  count: number;
}

export interface RecordedConsoleLine { session: string; t: number; dir: string; text: string }
export interface RecordedMark { session: string; t: number; label: string; severity: Mark['severity']; signal: string | null }

export interface RecordingContents {
  sessions: RecordingSessionMeta[];
  signals: RecordedSignal[];
  console: RecordedConsoleLine[];
  marks: RecordedMark[];
  /** Metadata records by name (the last of a name). */
  metadata: Map<string, Map<string, string>>;
  /** False when the file ends without its footer (cut short). */
  complete: boolean;
}

function grow<T extends Float64Array | Uint32Array>(a: T, n: number): T {
  if (n <= a.length) return a;
  const b = new (a.constructor as new (n: number) => T)(Math.max(n, a.length * 2));
  b.set(a);
  return b;
}

/**
 * Reads a whole recording into per-signal arrays, in file order. A chunk whose
 * records fail their CRC is refused (DamagedChunkError naming the file and chunk).
 */
export async function readRecording(file: string): Promise<RecordingContents> {
  // Chunks come to us before their messages, so each is checked here, where its place is known.
  const reader = new McapStreamReader({ includeChunks: true, validateCrcs: false });
  let chunks = 0;
  const channels = new Map<number, McapTypes.Channel>();
  const schemas = new Map<number, McapTypes.Schema>();
  const byChannel = new Map<number, RecordedSignal>();
  const out: RecordingContents = { sessions: [], signals: [], console: [], marks: [], metadata: new Map(), complete: false };
  const decoder = new TextDecoder();
  const take = (): boolean => {
    for (let rec; (rec = reader.nextRecord()); ) {
      switch (rec.type) {
        case 'Chunk': {
          chunks++;
          // (A compressed chunk is refused by the reader itself: Benchscope writes none.)
          const computed = rec.uncompressedCrc === 0 || rec.compression !== '' ? rec.uncompressedCrc : mcapCrc(rec.records);
          if (computed !== rec.uncompressedCrc) throw damagedChunk(file, { ordinal: chunks, messageStartTime: rec.messageStartTime, messageEndTime: rec.messageEndTime }, rec.uncompressedCrc, computed);
          break;
        }
        case 'Schema': schemas.set(rec.id, rec); break;
        case 'Channel': channels.set(rec.id, rec); break;
        case 'Metadata':
          out.metadata.set(rec.name, rec.metadata);
          if (rec.name === RECORDING_METADATA) out.sessions = JSON.parse(rec.metadata.get('sessions') ?? '[]');
          break;
        case 'Message': {
          const ch = channels.get(rec.channelId);
          if (!ch) break;
          if (schemas.get(ch.schemaId)?.name === SAMPLE_SCHEMA_NAME) {
            let sig = byChannel.get(rec.channelId);
            if (!sig) {
              sig = {
                topic: ch.topic, sessionId: ch.metadata.get('sessionId') ?? '', session: ch.metadata.get('session') ?? '',
                signal: ch.metadata.get('signal') ?? ch.topic, unit: ch.metadata.get('unit') || null,
                times: new Float64Array(1024), values: new Float64Array(1024), sequences: new Uint32Array(1024), count: 0,
              };
              byChannel.set(rec.channelId, sig);
              out.signals.push(sig);
            }
            const k = sig.count++;
            sig.times = grow(sig.times, sig.count);
            sig.values = grow(sig.values, sig.count);
            sig.sequences = grow(sig.sequences, sig.count);
            sig.times[k] = nsToSeconds(rec.logTime);
            sig.values[k] = decodeSample(rec.data);
            sig.sequences[k] = rec.sequence;
          } else if (schemas.get(ch.schemaId)?.name === MARK_SCHEMA_NAME) {
            const m = parseMark(decoder.decode(rec.data));
            if (m) out.marks.push({ session: ch.metadata.get('session') ?? '', t: nsToSeconds(rec.logTime), ...m });
          } else {
            // Anything else is a console line; one that is not (garbage JSON) is skipped.
            const line = parseConsoleLine(decoder.decode(rec.data));
            if (line) out.console.push({ session: ch.metadata.get('session') ?? '', t: nsToSeconds(rec.logTime), ...line });
          }
          break;
        }
        case 'Footer': out.complete = true; return true;
        default: break;
      }
    }
    return false;
  };
  const stream = createReadStream(file, { highWaterMark: 1 << 20 });
  try {
    for await (const chunk of stream) {
      reader.append(chunk as Buffer);
      if (take()) break;
    }
  } catch (e) {
    // A chunk cut in the middle by a crash: everything before it has been read.
    if (e instanceof DamagedChunkError || !(e instanceof Error) || !/crc|length|exceeds|invalid/i.test(e.message)) throw e;
  } finally {
    stream.destroy();
  }
  return out;
}

const SEVERITIES = new Set(['info', 'ok', 'warn', 'error']);

/** A mark message's JSON, checked: null when it is not one. */
export function parseMark(text: string): { label: string; severity: Mark['severity']; signal: string | null } | null {
  try {
    const m = JSON.parse(text) as { label?: unknown; severity?: unknown; signal?: unknown };
    if (typeof m.label !== 'string') return null;
    return {
      label: m.label.slice(0, 200),
      severity: typeof m.severity === 'string' && SEVERITIES.has(m.severity) ? m.severity as Mark['severity'] : 'info',
      signal: typeof m.signal === 'string' ? m.signal : null,
    };
  } catch {
    return null;
  }
}

/** A console message's JSON, checked: null when it is not one. */
export function parseConsoleLine(text: string): { dir: string; text: string } | null {
  try {
    const l = JSON.parse(text) as { dir?: unknown; text?: unknown };
    return typeof l.text === 'string' ? { dir: typeof l.dir === 'string' ? l.dir : 'info', text: l.text } : null;
  } catch {
    return null;
  }
}

export function recordingPath(folder: string, name: string): string {
  return path.join(folder, `${name}.mcap`);
}

/** One recording's facts from its index (or, for a file cut short, its metadata record). */
export async function describeRecording(file: string): Promise<RecordingInfo> {
  const stat = await fs.stat(file);
  const info: RecordingInfo = {
    name: path.basename(file).replace(/\.mcap$/, ''), path: file, sessions: [], start: null, durationS: null,
    bytes: stat.size, modified: stat.mtimeMs / 1000, complete: false,
  };
  const handle = await fs.open(file, 'r');
  try {
    const reader = await McapIndexedReader.Initialize({ readable: new FileHandleReadable(handle) });
    info.complete = true;
    // The recorder writes no statistics record (it costs per message): the chunk index has the times.
    let first: bigint | null = null;
    let last: bigint | null = null;
    for (const c of reader.chunkIndexes) {
      if (first === null || c.messageStartTime < first) first = c.messageStartTime;
      if (last === null || c.messageEndTime > last) last = c.messageEndTime;
    }
    if (first !== null && last !== null) {
      info.start = nsToSeconds(first);
      info.durationS = nsToSeconds(last) - info.start;
    }
    for await (const meta of reader.readMetadata({ name: RECORDING_METADATA })) info.sessions = JSON.parse(meta.metadata.get('sessions') ?? '[]');
  } catch {
    // No index (cut short): the metadata record comes first in the file.
    const head = Buffer.alloc(Math.min(stat.size, 256 * 1024));
    await handle.read(head, 0, head.length, 0);
    const stream = new McapStreamReader({ validateCrcs: false });
    stream.append(head);
    try {
      for (let rec; (rec = stream.nextRecord()); ) {
        if (rec.type === 'Metadata' && rec.name === RECORDING_METADATA) { info.sessions = JSON.parse(rec.metadata.get('sessions') ?? '[]'); break; }
      }
    } catch {
      // A head shorter than the first records: the sessions stay unknown.
    }
  } finally {
    await handle.close();
  }
  return info;
}

export async function listRecordings(folder: string): Promise<RecordingInfo[]> {
  let names: string[];
  try {
    names = await fs.readdir(folder);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw e;
  }
  const out: RecordingInfo[] = [];
  for (const n of names) {
    if (!n.endsWith('.mcap')) continue;
    try {
      out.push(await describeRecording(path.join(folder, n)));
    } catch {
      // A file vanished while listing, or is not readable: it is not listed.
    }
  }
  return out.sort((a, b) => b.modified - a.modified);
}

/** Samples of one signal to write as a recording's channel. */
export interface SignalSamples {
  sessionId: string;
  session: string;
  protocol: string;
  signal: string;
  unit: string | null;
  times: ArrayLike<number>;
  values: ArrayLike<number>;
}

/**
 * Writes samples already in memory (an acquisition) as a recording laid out as the
 * recorder lays one out, so it lists, replays and exports like any recording and
 * opens in Foxglove, Lichtblick and PlotJuggler. Extra metadata records ride along.
 * Never overwrites: an existing file is refused (EEXIST).
 */
export async function writeSamplesFile(file: string, signals: SignalSamples[], extra: McapTypes.Metadata[] = []): Promise<number> {
  await fs.mkdir(path.dirname(file), { recursive: true });
  const handle = await fs.open(file, 'wx');
  let written = 0;
  try {
    // The recorder's own writer: the same layout as a recording, samples in bulk.
    const writer = new SampleMcapWriter(handle, { chunkBytes: DEFAULT_CHUNK_BYTES });
    await writer.start({ profile: '', library: 'benchscope' });
    const schemaId = await writer.registerSchema({ name: SAMPLE_SCHEMA_NAME, encoding: 'ros2msg', data: new TextEncoder().encode(SAMPLE_SCHEMA_TEXT) });
    const sessions = new Map<string, RecordingSessionMeta>();
    for (const s of signals) sessions.set(s.sessionId, { sessionId: s.sessionId, name: s.session, protocol: s.protocol });
    const first = Math.min(...signals.map((s) => (s.times.length ? s.times[0]! : Infinity)));
    await writer.addMetadata(recordingMetadata([...sessions.values()], Number.isFinite(first) ? first * 1000 : Date.now()));
    for (const m of extra) await writer.addMetadata(m);
    for (const s of signals) {
      const channelId = await writer.registerChannel({
        topic: `${s.session}/${s.signal}`, messageEncoding: 'cdr', schemaId,
        metadata: new Map([['sessionId', s.sessionId], ['session', s.session], ['signal', s.signal], ['unit', s.unit ?? '']]),
      });
      const n = Math.min(s.times.length, s.values.length);
      await writer.addSamples(channelId, Float64Array.from(s.times), Float64Array.from(s.values), n, 0);
      written += n;
    }
    await writer.end();
  } finally {
    await handle.close();
  }
  return written;
}
