// The recorder: writes chosen sessions (or all) to an MCAP file at full rate.
//
// Invariants (load-bearing):
// - Nothing is added to the telemetry path: the recorder follows the store like a
//   batcher client, with a cursor per signal, every `periodMs`, and copies ring
//   slices in bulk into scratch arrays. Samples that fell out of a ring before the
//   recorder reached them are counted (lostSamples), never silently skipped.
// - No allocation per sample: ring slices go to SampleMcapWriter in bulk, which lays
//   the message records straight into the chunk (see mcap-sample-writer.ts).
// - A long catch-up yields to the event loop every YIELD_EVERY messages, so links
//   and the batcher keep running while the recorder writes.
// - The file is chunked (chunkBytes): a killed process leaves a file readable up to
//   its last flushed chunk, and a chunk goes out at least every maxChunkAgeMs even
//   when samples trickle. No statistics record (the chunk index has the times).
//   Message indexes stay: indexed readers (Foxglove's) refuse chunks without them.
// - A write error (full disk, folder gone) stops the recording with its reason;
//   the sessions carry on.
import { promises as fs } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import path from 'node:path';
import type { ConsoleLine, Mark } from '../../shared/api/contract';
import type { RecordingStatus } from '../../shared/api/capture';
import type { TelemetryStore } from '../telemetry/store';
import { CONSOLE_SCHEMA, CONSOLE_SCHEMA_NAME, MARK_SCHEMA, MARK_SCHEMA_NAME, recordingMetadata, SAMPLE_SCHEMA_NAME, SAMPLE_SCHEMA_TEXT } from '../files/mcap-format';
import { DEFAULT_CHUNK_BYTES, SampleMcapWriter } from '../files/mcap-sample-writer';

export { DEFAULT_CHUNK_BYTES };

const SCRATCH = 1 << 14;
const YIELD_EVERY = 1 << 15;
/** A chunk holding samples this old goes to disk even when not full: a crash loses at most about this much. */
export const DEFAULT_MAX_CHUNK_AGE_MS = 1000;

/** What the recorder needs of a device session (DeviceSession fits). */
export interface RecordedSession {
  readonly id: string;
  readonly name: string;
  readonly protocolName: string;
  consoleWatchers: number;
  consoleSince(cursor: number): { lines: ConsoleLine[]; next: number; lost: number };
  /** The session's marks from `cursor` on (a session without marks may leave it out). */
  marksSince?(cursor: number): { marks: Mark[]; next: number };
}

export interface RecorderOptions {
  store: TelemetryStore;
  /** The sessions now on the bench (the recorder picks the chosen ones each period). */
  sessions(): Iterable<RecordedSession>;
  file: string;
  sessionIds?: string[];
  console?: boolean;
  periodMs?: number;
  chunkBytes?: number;
  /** A chunk older than this is written even when not full (default DEFAULT_MAX_CHUNK_AGE_MS). */
  maxChunkAgeMs?: number;
  /** Opens the file; default fs.open(file, 'wx') (never overwrites). */
  open?: (file: string) => Promise<FileHandle>;
  onStateChange?: (status: RecordingStatus) => void;
}

interface SignalChannel { channelId: number; cursor: number }

/** A session's console or marks channel, and the cursor the recorder follows it with. */
interface EventChannel { channelId: number; cursor: number; session: RecordedSession }

export class Recorder {
  private handle: FileHandle | null = null;
  private writer: SampleMcapWriter | null = null;
  private readonly signals = new Map<number, SignalChannel>();
  private readonly consoles = new Map<string, EventChannel>();
  private readonly markChannels = new Map<string, EventChannel>();
  private markSchemaId = 0;
  private marks = 0;
  private sampleSchemaId = 0;
  private consoleSchemaId = 0;
  private readonly times = new Float64Array(SCRATCH);
  private readonly values = new Float64Array(SCRATCH);
  private timer: ReturnType<typeof setTimeout> | null = null;
  private running: Promise<void> = Promise.resolve();
  /** Set by stop(): no new pass is scheduled, so the final pass is the only one writing. */
  private stopping = false;
  private sinceYield = 0;
  private startedMs = 0;
  private endedMs = 0;
  private samples = 0;
  private consoleLines = 0;
  private lostSamples = 0;
  private state: RecordingStatus['state'] = 'recording';
  private error: string | null = null;
  private readonly rate = { lastMs: 0, lastSamples: 0, lastBytes: 0, samplesPerSec: 0, bytesPerSec: 0 };
  private watched: RecordedSession[] = [];
  readonly name: string;

  constructor(private readonly opts: RecorderOptions) {
    this.name = path.basename(opts.file).replace(/\.mcap$/, '');
  }

  /** Opens the file and writes its header; throws with a clear reason when it cannot. */
  async start(): Promise<void> {
    const open = this.opts.open ?? ((f: string) => fs.open(f, 'wx'));
    try {
      await fs.mkdir(path.dirname(this.opts.file), { recursive: true });
      this.handle = await open(this.opts.file);
    } catch (e) {
      throw new Error(`Cannot record to ${this.opts.file}: ${(e as Error).message}`, { cause: e });
    }
    this.writer = new SampleMcapWriter(this.handle, { chunkBytes: this.opts.chunkBytes ?? DEFAULT_CHUNK_BYTES });
    this.startedMs = Date.now();
    this.rate.lastMs = this.startedMs;
    try {
      await this.writer.start({ profile: '', library: 'benchscope' });
      this.sampleSchemaId = await this.writer.registerSchema({ name: SAMPLE_SCHEMA_NAME, encoding: 'ros2msg', data: new TextEncoder().encode(SAMPLE_SCHEMA_TEXT) });
      this.consoleSchemaId = await this.writer.registerSchema({ name: CONSOLE_SCHEMA_NAME, encoding: 'jsonschema', data: new TextEncoder().encode(JSON.stringify(CONSOLE_SCHEMA)) });
      this.markSchemaId = await this.writer.registerSchema({ name: MARK_SCHEMA_NAME, encoding: 'jsonschema', data: new TextEncoder().encode(JSON.stringify(MARK_SCHEMA)) });
      // Signals already there are recorded from now on; ones that appear later, from their first sample.
      await this.discover(false);
      await this.writer.addMetadata(recordingMetadata(this.chosen().map((s) => ({ sessionId: s.id, name: s.name, protocol: s.protocolName })), this.startedMs));
    } catch (e) {
      await this.fail(e);
      throw new Error(this.error ?? String(e), { cause: e });
    }
    this.schedule();
  }

  /** Writes what is left, closes the file with its index and returns the final status. */
  async stop(): Promise<RecordingStatus> {
    this.stopping = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.running;
    if (this.state === 'recording') {
      try {
        await this.pass();
        await this.writer!.end();
        await this.handle!.close();
        this.endedMs = Date.now();
        this.state = 'stopped';
        this.release();
      } catch (e) {
        await this.fail(e);
      }
    }
    return this.status();
  }

  status(): RecordingStatus {
    const end = this.state === 'recording' ? Date.now() : this.endedMs;
    return {
      state: this.state,
      name: this.name,
      path: this.opts.file,
      sessionIds: this.chosen().map((s) => s.id),
      startedAt: this.startedMs / 1000,
      elapsedS: Math.max(0, (end - this.startedMs) / 1000),
      bytes: this.writer?.bytes ?? 0,
      samples: this.samples,
      consoleLines: this.consoleLines,
      samplesPerSec: this.state === 'recording' ? this.rate.samplesPerSec : 0,
      bytesPerSec: this.state === 'recording' ? this.rate.bytesPerSec : 0,
      lostSamples: this.lostSamples,
      error: this.error,
    };
  }

  get active(): boolean {
    return this.state === 'recording';
  }

  // ------------------------------------------------------------ the periodic pass

  private schedule(): void {
    if (this.state !== 'recording' || this.stopping) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.running = this.pass().then(() => this.schedule(), (e) => this.fail(e));
    }, this.opts.periodMs ?? 100);
  }

  private chosen(): RecordedSession[] {
    const ids = this.opts.sessionIds;
    const out: RecordedSession[] = [];
    for (const s of this.opts.sessions()) if (!ids || ids.includes(s.id)) out.push(s);
    return out;
  }

  /** Registers channels for signals and sessions not seen yet. */
  private async discover(fromFirstSample: boolean): Promise<void> {
    const sessions = this.chosen();
    const watched = new Set(this.watched);
    for (const s of sessions) {
      if ((this.opts.console ?? true) && !this.consoles.has(s.id)) {
        const channelId = await this.writer!.registerChannel({
          topic: `${s.name}/console`, messageEncoding: 'json', schemaId: this.consoleSchemaId,
          metadata: new Map([['sessionId', s.id], ['session', s.name], ['protocol', s.protocolName]]),
        });
        // Adapters only make console text while someone watches: the recording watches.
        s.consoleWatchers++;
        this.watched.push(s);
        this.consoles.set(s.id, { channelId, cursor: s.consoleSince(Number.MAX_SAFE_INTEGER).next, session: s });
      }
      if (s.marksSince && !this.markChannels.has(s.id)) {
        const channelId = await this.writer!.registerChannel({
          topic: `${s.name}/marks`, messageEncoding: 'json', schemaId: this.markSchemaId,
          metadata: new Map([['sessionId', s.id], ['session', s.name], ['protocol', s.protocolName]]),
        });
        this.markChannels.set(s.id, { channelId, cursor: s.marksSince(Number.MAX_SAFE_INTEGER).next, session: s });
      }
      watched.delete(s);
      for (const info of this.opts.store.list(s.id)) {
        if (this.signals.has(info.id)) continue;
        const channelId = await this.writer!.registerChannel({
          topic: `${s.name}/${info.name}`, messageEncoding: 'cdr', schemaId: this.sampleSchemaId,
          metadata: new Map([['sessionId', s.id], ['session', s.name], ['signal', info.name], ['signalId', String(info.id)], ['unit', info.unit ?? '']]),
        });
        this.signals.set(info.id, { channelId, cursor: fromFirstSample ? this.opts.store.oldest(info.id) : info.total });
      }
    }
  }

  private async pass(): Promise<void> {
    if (this.state !== 'recording') return;
    await this.discover(true);
    const store = this.opts.store;
    const writer = this.writer!;
    for (const [id, ch] of this.signals) {
      if (!store.has(id)) continue;
      for (;;) {
        const from = Math.max(ch.cursor, store.oldest(id));
        const n = store.copySince(id, from, this.times, this.values, 0, SCRATCH);
        this.lostSamples += from - ch.cursor;
        ch.cursor = from + n;
        if (n === 0) break;
        await writer.addSamples(ch.channelId, this.times, this.values, n, from);
        this.samples += n;
        this.sinceYield += n;
        if (this.sinceYield >= YIELD_EVERY) {
          this.sinceYield = 0;
          await new Promise<void>((r) => setImmediate(r));
          if (this.state !== 'recording') return;
        }
        if (n < SCRATCH) break;
      }
    }
    const encoder = new TextEncoder();
    for (const ch of this.consoles.values()) {
      const { lines, next } = ch.session.consoleSince(ch.cursor);
      ch.cursor = next;
      for (const line of lines) {
        await writer.addMessage(ch.channelId, this.consoleLines, line.t, encoder.encode(JSON.stringify({ dir: line.dir, text: line.text })));
        this.consoleLines++;
      }
    }
    for (const ch of this.markChannels.values()) {
      const { marks, next } = ch.session.marksSince!(ch.cursor);
      ch.cursor = next;
      for (const m of marks) {
        await writer.addMessage(ch.channelId, this.marks++, m.t, encoder.encode(JSON.stringify({ label: m.label, severity: m.severity, signal: m.signal })));
      }
    }
    // A slow trickle of samples still reaches the disk about once a second.
    if (performance.now() - writer.pendingSince >= (this.opts.maxChunkAgeMs ?? DEFAULT_MAX_CHUNK_AGE_MS)) await writer.flush();
    this.updateRate();
  }

  private updateRate(): void {
    const now = Date.now();
    const dt = (now - this.rate.lastMs) / 1000;
    if (dt < 0.5) return;
    const bytes = this.writer!.bytes;
    this.rate.samplesPerSec = (this.samples - this.rate.lastSamples) / dt;
    this.rate.bytesPerSec = (bytes - this.rate.lastBytes) / dt;
    this.rate.lastMs = now;
    this.rate.lastSamples = this.samples;
    this.rate.lastBytes = bytes;
  }

  private async fail(e: unknown): Promise<void> {
    if (this.state !== 'recording') return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.state = 'failed';
    this.endedMs = Date.now();
    const err = e as NodeJS.ErrnoException;
    const why = err?.code === 'ENOSPC' ? 'the disk is full' : (err?.message ?? String(e));
    this.error = `Recording "${this.name}" stopped: cannot write ${this.opts.file}: ${why}. The sessions carry on; the file is readable up to its last flushed chunk.`;
    this.release();
    await this.handle?.close().catch(() => undefined);
    this.opts.onStateChange?.(this.status());
  }

  private release(): void {
    for (const s of this.watched) s.consoleWatchers--;
    this.watched = [];
  }
}
