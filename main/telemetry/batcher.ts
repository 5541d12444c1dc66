// The batcher: at each flush (the hub calls flush() about every 33 ms) it sends
// every client that can take it one binary telemetry frame holding, per subscribed
// signal, the samples since that client's cursor.
//
// Invariants:
// - Samples are never copied per client into JS objects: the store's rings are the
//   backlog, and each client is only a cursor per signal. A flush copies ring slices
//   straight into the frame's ArrayBuffer.
// - A client never slows the engine: a busy client is skipped, its samples wait in
//   the ring up to maxBacklogSamples per signal; older ones are dropped, counted in
//   its stats and reported in its next frame's `dropped`.
// - A fast client loses nothing while it keeps up with the ring.

import type { TelemetryStore } from './store';
import { TELEMETRY_FRAME_MAX_SIGNALS, TelemetryFrameWriter } from '../../shared/api/telemetry-frame';

export interface TelemetryClientStats {
  framesSent: number;
  samplesSent: number;
  bytesSent: number;
  /** Samples this client never received (slow client, or its send failed). */
  samplesDropped: number;
  /** Flushes skipped because the client was busy. */
  flushesSkipped: number;
}

export interface TelemetryClient {
  /** Starts each signal at its current total, or at the oldest backlog-bounded sample with `history`. */
  subscribe(ids: readonly number[], opts?: { history?: boolean }): void;
  unsubscribe(ids: readonly number[]): void;
  readonly stats: Readonly<TelemetryClientStats>;
}

export interface TelemetryBatcherOptions {
  /** Samples per signal a busy client may fall behind before the oldest are dropped (default: store capacity). */
  maxBacklogSamples?: number;
  /** Samples per frame; a larger backlog is sent over the next flushes, not dropped (default 2^20, a 16 MiB frame). */
  maxSamplesPerFrame?: number;
}

class ClientState implements TelemetryClient {
  /** Signal id -> number of the next sample this client gets. */
  readonly cursors = new Map<number, number>();
  readonly stats: TelemetryClientStats = { framesSent: 0, samplesSent: 0, bytesSent: 0, samplesDropped: 0, flushesSkipped: 0 };
  /** Dropped since the last frame, reported in the next one. */
  pendingDropped = 0;

  constructor(
    private readonly batcher: TelemetryBatcher,
    readonly send: (frame: ArrayBuffer) => void,
    readonly isBusy: () => boolean,
  ) {}

  subscribe(ids: readonly number[], opts: { history?: boolean } = {}): void {
    for (const id of ids) {
      if (this.cursors.has(id) || !this.batcher.store.has(id)) continue;
      const total = this.batcher.store.total(id);
      this.cursors.set(id, opts.history ? Math.max(this.batcher.store.oldest(id), total - this.batcher.maxBacklogSamples) : total);
    }
  }

  unsubscribe(ids: readonly number[]): void {
    for (const id of ids) this.cursors.delete(id);
  }
}

export class TelemetryBatcher {
  readonly maxBacklogSamples: number;
  readonly maxSamplesPerFrame: number;
  private readonly clients = new Set<ClientState>();
  // Reused per flush: pending sample count per subscribed signal of the client at hand.
  private ids: number[] = [];
  private counts: number[] = [];

  constructor(readonly store: TelemetryStore, opts: TelemetryBatcherOptions = {}) {
    this.maxBacklogSamples = Math.max(1, Math.floor(opts.maxBacklogSamples ?? store.capacity));
    this.maxSamplesPerFrame = Math.max(1, Math.floor(opts.maxSamplesPerFrame ?? 1 << 20));
  }

  addClient(send: (frame: ArrayBuffer) => void, isBusy: () => boolean): TelemetryClient {
    const client = new ClientState(this, send, isBusy);
    this.clients.add(client);
    return client;
  }

  removeClient(handle: TelemetryClient): void {
    this.clients.delete(handle as ClientState);
  }

  flush(): void {
    for (const client of this.clients) {
      this.trimBacklog(client);
      if (client.isBusy()) {
        client.stats.flushesSkipped++;
        continue;
      }
      this.sendFrame(client);
    }
  }

  /** Moves the client's cursors past what the ring or the backlog bound no longer holds, counting the loss. */
  private trimBacklog(client: ClientState): void {
    for (const [id, cursor] of client.cursors) {
      if (!this.store.has(id)) {
        client.cursors.delete(id); // its session is gone
        continue;
      }
      const from = Math.max(cursor, this.store.oldest(id), this.store.total(id) - this.maxBacklogSamples);
      if (from === cursor) continue;
      client.cursors.set(id, from);
      client.pendingDropped += from - cursor;
      client.stats.samplesDropped += from - cursor;
    }
  }

  private sendFrame(client: ClientState): void {
    const ids = this.ids;
    const counts = this.counts;
    ids.length = 0;
    counts.length = 0;
    let pending = 0;
    for (const [id, cursor] of client.cursors) {
      const n = this.store.total(id) - cursor;
      if (n <= 0) continue;
      if (ids.length === TELEMETRY_FRAME_MAX_SIGNALS) break; // the others go in the next frame
      ids.push(id);
      counts.push(n);
      pending += n;
    }
    if (ids.length === 0 && client.pendingDropped === 0) return;

    // Above the per-frame bound every signal gets its share; the rest waits for the next flush.
    let samples = pending;
    if (pending > this.maxSamplesPerFrame) {
      samples = 0;
      for (let k = 0; k < counts.length; k++) {
        counts[k] = Math.max(1, Math.floor((counts[k]! * this.maxSamplesPerFrame) / pending));
        samples += counts[k]!;
      }
    }
    const writer = new TelemetryFrameWriter(ids.length, samples, client.pendingDropped);
    for (let k = 0; k < ids.length; k++) {
      const id = ids[k]!;
      const cursor = client.cursors.get(id)!;
      const out = writer.block(id, counts[k]!);
      this.store.copySince(id, cursor, out.times, out.values, 0, counts[k]!);
      client.cursors.set(id, cursor + counts[k]!);
    }
    const frame = writer.finish();
    const dropped = client.pendingDropped;
    client.pendingDropped = 0;
    try {
      client.send(frame);
    } catch {
      // A failing transport must not stop the flush for the others; the client learns of the loss in its next frame.
      client.pendingDropped = dropped + samples;
      client.stats.samplesDropped += samples;
      return;
    }
    client.stats.framesSent++;
    client.stats.samplesSent += samples;
    client.stats.bytesSent += frame.byteLength;
  }
}
