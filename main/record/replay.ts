// Replays: a recording played back into the telemetry store, so plots show it
// exactly as they show a live session (same frames, same interactions).
//
// A replay is a read-only source of signals under its own session id
// ("replay-<n>"), named after the recording; its signals are named
// "<recorded session>/<recorded signal>". A playhead moves with the wall clock
// times the speed; every tick the samples in (previous playhead, playhead] are
// appended to the store. A seek drops the replay's signals and declares them
// again (new ids, so no client mixes samples from before and after the seek),
// then loads the `historyS` seconds before the new playhead so the plot window
// fills at once.
import path from 'node:path';
import type { OpenedReplay, ReplayStatus } from '../../shared/api/capture';
import type { Mark } from '../../shared/api/contract';
import { MAX_REPLAYS } from '../../shared/api/limits';
import type { TelemetryStore } from '../telemetry/store';
import { openReplaySource, ReplaySourceError, type ReplayConsoleLine, type ReplaySource } from './replay-source';
import { ApiError } from '../../shared/api/errors';


const TICK_MS = 25;
/** Just below a time, above the double's resolution at today's epoch seconds (about 0.24 us). */
const BEFORE = 1e-6;
export const DEFAULT_HISTORY_S = 10;
/** The most wall-clock time one tick makes up for (after a stall, the playhead jumps at most this times the speed). */
const MAX_TICK_S = 2;

class Replay {
  playing = false;
  speed = 1;
  position: number;
  /** Samples up to this time are in the store: the next read is (cursor, ...]. Starts just below the first sample. */
  private cursor: number;
  error: string | null = null;
  ids: number[] = [];
  private timer: ReturnType<typeof setInterval> | null = null;
  private lastTick = 0;
  private ticking = false;
  /** Serialises reads: a tick, a seek and a close never interleave. */
  private chain: Promise<void> = Promise.resolve();
  closed = false;

  constructor(
    readonly id: string,
    readonly name: string,
    readonly recording: string,
    readonly path: string,
    readonly source: ReplaySource,
    private readonly store: TelemetryStore,
    private readonly changed: (signals: boolean) => void,
  ) {
    this.position = source.start;
    this.cursor = source.start - BEFORE;
    this.declare();
  }

  /** The recording's marks, on this replay's signals ("<session>/<signal>"). */
  marks(): Mark[] {
    return this.source.marks.map((m) => ({
      sessionId: this.id, t: m.t, label: m.label, severity: m.severity, signal: m.signal === null ? null : `${m.session}/${m.signal}`,
    }));
  }

  status(): ReplayStatus {
    return {
      replayId: this.id, name: this.name, recording: this.recording, path: this.path,
      start: this.source.start, end: this.source.end, position: this.position,
      playing: this.playing, speed: this.speed, complete: this.source.complete,
      signalCount: this.source.channels.length, samplesPerSecond: this.source.samplesPerSecond, error: this.error,
    };
  }

  play(on: boolean): Promise<void> {
    return this.queue(async () => {
      if (on === this.playing) return;
      if (on && this.position >= this.source.end) await this.seekNow(this.source.start, 0);
      this.playing = on;
      if (on) {
        this.lastTick = performance.now();
        // A tick still reading (a dense recording at a high speed) is not queued again behind itself.
        this.timer = setInterval(() => {
          if (this.ticking) return;
          this.ticking = true;
          // A failed read is kept in the replay's status (failed()): nothing to throw here.
          this.queue(() => this.tick()).catch(() => undefined).finally(() => { this.ticking = false; });
        }, TICK_MS);
      } else {
        this.stopTimer();
      }
      this.changed(false);
    });
  }

  setSpeed(speed: number): void {
    this.speed = speed;
    this.changed(false);
  }

  seek(t: number, historyS: number): Promise<void> {
    return this.queue(() => this.seekNow(t, historyS));
  }

  close(): Promise<void> {
    this.closed = true;
    this.stopTimer();
    return this.queue(async () => {
      this.store.removeSession(this.id);
      await this.source.close();
    });
  }

  /** Resolves when every queued read has run. */
  idle(): Promise<void> {
    return this.chain;
  }

  private queue(step: () => Promise<void>): Promise<void> {
    const run = this.chain.then(step);
    this.chain = run.catch((e: unknown) => this.failed(e));
    return run;
  }

  private async tick(): Promise<void> {
    if (!this.playing || this.closed) return;
    const now = performance.now();
    const dt = Math.min((now - this.lastTick) / 1000, MAX_TICK_S);
    this.lastTick = now;
    const to = Math.min(this.source.end, this.position + dt * this.speed);
    await this.load(this.cursor, to);
    this.position = to;
    this.cursor = to;
    if (to >= this.source.end) {
      this.playing = false;
      this.stopTimer();
      this.changed(false);
    }
  }

  private async seekNow(t: number, historyS: number): Promise<void> {
    const to = Math.min(Math.max(t, this.source.start), this.source.end);
    this.store.removeSession(this.id);
    this.declare();
    this.changed(true);
    // (from, to] with from just below to - historyS: the samples at the playhead (and at the start) are in.
    await this.load(Math.max(this.source.start, to - historyS) - BEFORE, to);
    this.position = to;
    this.cursor = to;
    this.lastTick = performance.now();
    this.changed(false);
  }

  private async load(t0: number, t1: number): Promise<void> {
    await this.source.read(t0, t1, (ch, times, values, from, to) => {
      this.store.appendBulk(this.ids[ch]!, times.subarray(from, to), values.subarray(from, to), to - from);
    });
  }

  private declare(): void {
    this.ids = this.source.channels.map((c) => this.store.declare(this.id, `${c.session}/${c.signal}`, c.unit ?? undefined));
  }

  private stopTimer(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  private failed(e: unknown): void {
    this.playing = false;
    this.stopTimer();
    this.error = `Replay of "${this.recording}" stopped: ${(e as Error)?.message ?? String(e)}`;
    this.changed(false);
  }
}

export interface ReplaysOptions {
  store: TelemetryStore;
  /** A recording's file from its name (and folder); throws when there is no such recording. */
  resolve(name: string, folder?: string): Promise<string>;
  onChange(signals: boolean): void;
  /** A replay's marks, for the plots (sent when it opens). */
  onMarks?(marks: Mark[]): void;
}

export class Replays {
  private readonly open = new Map<string, Replay>();
  private next = 1;

  constructor(private readonly opts: ReplaysOptions) {}

  async openReplay(p: { name: string; folder?: string; play?: boolean; speed?: number; file?: string; position?: number }): Promise<OpenedReplay> {
    // As many as the workspace keeps, to open them again at the next start.
    if (this.open.size >= MAX_REPLAYS) throw new ApiError('OperationFailure', `${this.open.size} recordings are open for replay, the most a workspace holds (${MAX_REPLAYS}): close one first`);
    const file = p.file ?? await this.opts.resolve(p.name, p.folder);
    let source: ReplaySource;
    try {
      source = await openReplaySource(file);
    } catch (e) {
      throw new ApiError('OperationFailure', e instanceof ReplaySourceError ? e.message : `Cannot replay "${p.name}": ${(e as Error).message}`);
    }
    if (source.channels.length === 0) {
      await source.close();
      throw new ApiError('OperationFailure', `The recording "${p.name}" holds no samples to replay`);
    }
    const id = `replay-${this.next++}`;
    const taken = new Set([...this.open.values()].map((r) => r.name));
    let name = `Replay: ${p.name}`;
    for (let k = 2; taken.has(name); k++) name = `Replay: ${p.name} (${k})`;
    const replay = new Replay(id, name, p.name, file, source, this.opts.store, (signals) => this.opts.onChange(signals));
    this.open.set(id, replay);
    try {
      if (p.speed !== undefined) replay.setSpeed(p.speed);
      if (p.position !== undefined && p.position > source.start) await replay.seek(p.position, DEFAULT_HISTORY_S);
      if (p.play) await replay.play(true);
    } catch (e) {
      // Not left half open: its signals and file go with it.
      this.open.delete(id);
      await replay.close().catch(() => undefined);
      this.opts.onChange(true);
      throw new ApiError('OperationFailure', `Cannot replay "${p.name}": ${(e as Error).message}`);
    }
    this.opts.onChange(true);
    const marks = replay.marks();
    if (marks.length) this.opts.onMarks?.(marks);
    return { ...replay.status(), signals: source.channels.map((c) => `${c.session}/${c.signal}`) };
  }

  async control(p: { replayId: string; play?: boolean; speed?: number; seek?: number; historyS?: number }): Promise<ReplayStatus> {
    const r = this.get(p.replayId);
    r.error = null;
    try {
      if (p.speed !== undefined) r.setSpeed(p.speed);
      if (p.seek !== undefined) await r.seek(p.seek, p.historyS ?? DEFAULT_HISTORY_S);
      if (p.play !== undefined) await r.play(p.play);
      await r.idle();
    } catch {
      // The reason is kept in the replay's status.
    }
    if (r.error) throw new ApiError('OperationFailure', r.error);
    return r.status();
  }

  async close(replayId: string): Promise<void> {
    const r = this.get(replayId);
    this.open.delete(replayId);
    await r.close();
    this.opts.onChange(true);
  }

  list(): ReplayStatus[] {
    return [...this.open.values()].map((r) => r.status());
  }

  get playing(): boolean {
    for (const r of this.open.values()) if (r.playing) return true;
    return false;
  }

  /** The console lines of the recording up to the replay's playhead (the last `limit`). */
  async console(replayId: string, limit: number): Promise<ReplayConsoleLine[]> {
    const r = this.get(replayId);
    try {
      return await r.source.consoleBefore(r.position, limit);
    } catch (e) {
      throw new ApiError('OperationFailure', `Cannot read the console of "${r.recording}": ${(e as Error).message}`);
    }
  }

  /** The marks of every open replay (or one), oldest first. */
  marks(replayId?: string): Mark[] {
    const out: Mark[] = [];
    for (const r of this.open.values()) if (replayId === undefined || r.id === replayId) out.push(...r.marks());
    return out.sort((a, b) => a.t - b.t);
  }

  /** The name of an open replay of this file, if any. */
  openOn(file: string): string | undefined {
    for (const r of this.open.values()) if (path.resolve(r.path) === file) return r.name;
    return undefined;
  }

  nameOf(id: string): string | undefined {
    return this.open.get(id)?.name;
  }

  /** Whether a session id is a replay's (its signals live in the store like a session's). */
  has(id: string): boolean {
    return this.open.has(id);
  }

  async closeAll(): Promise<void> {
    for (const id of [...this.open.keys()]) await this.close(id);
  }

  private get(id: string): Replay {
    const r = this.open.get(id);
    if (!r) throw new ApiError('InvalidRequest', `No replay "${id}" (see listReplays)`);
    return r;
  }
}
