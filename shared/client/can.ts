// Typed CAN helpers for scripts: the CAN requests of the contract with their
// frames and filters checked on this side by the hub's own schemas, so a bad id,
// length or period is an InvalidValueError before anything is sent.
import type { z } from 'zod';
import { CanFilter, CanFrameInput, CanRequestSchemas, CanSignalInput, type CanMonitorSnapshot } from '../api/can';
import { issuesOf } from '../api/contract';
import type { BenchscopeClient } from './client';
import { InvalidValueError, TimeoutError } from './errors';

function check<S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> {
  const r = schema.safeParse(value);
  if (!r.success) {
    const issues = issuesOf(r.error);
    throw new InvalidValueError(`${what}: ${issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join('; ')}`, issues);
  }
  return r.data;
}

/** The CAN side of one session (its link must be a CAN link). */
export class CanSession {
  constructor(private readonly client: BenchscopeClient, readonly sessionId: string) {}

  /** Sends one frame now; `data` as hex bytes ("01 A2 FF") or bytes. */
  async send(frame: Omit<CanFrameInput, 'data'> & { data?: string | ArrayLike<number> }): Promise<void> {
    await this.client.request('canSend', { sessionId: this.sessionId, frame: this.frame(frame) });
  }

  /** Sends a frame every `periodMs` until stopPeriodic(the returned id). */
  async sendPeriodic(frame: Omit<CanFrameInput, 'data'> & { data?: string | ArrayLike<number> }, periodMs: number): Promise<string> {
    check(CanRequestSchemas.canSend.shape.periodMs, periodMs, 'period');
    const r = await this.client.request('canSend', { sessionId: this.sessionId, frame: this.frame(frame), periodMs });
    return r.periodicId!;
  }

  async stopPeriodic(periodicId: string): Promise<void> {
    await this.client.request('canStopPeriodic', { sessionId: this.sessionId, periodicId });
  }

  /** The frame table, filters, periodic frames and statistics. */
  monitor(): Promise<CanMonitorSnapshot> {
    return this.client.request('canMonitor', { sessionId: this.sessionId });
  }

  async setFilters(filters: z.input<typeof CanFilter>[]): Promise<void> {
    const checked = filters.map((f, i) => check(CanFilter, f, `filter ${i + 1}`));
    await this.client.request('canSetFilters', { sessionId: this.sessionId, filters: checked });
  }

  async clear(): Promise<void> {
    await this.client.request('canClear', { sessionId: this.sessionId });
  }

  /** A bit range of a frame id as a signal (plotted like any other); returns its signal id. */
  async addSignal(signal: z.input<typeof CanSignalInput>): Promise<{ signalId: number; name: string }> {
    return this.client.request('canAddSignal', { sessionId: this.sessionId, signal: check(CanSignalInput, signal, 'signal') });
  }

  /** Resolves with the first frame row of `id` (and direction) whose count reaches `count`, polling the monitor. */
  async waitFrame(id: number, opts: { dir?: 'rx' | 'tx'; count?: number; timeoutS?: number; extended?: boolean } = {}): Promise<CanMonitorSnapshot['rows'][number]> {
    const deadline = Date.now() + (opts.timeoutS ?? 5) * 1000;
    for (;;) {
      const row = (await this.monitor()).rows.find((r) => r.id === id && (opts.dir === undefined || r.dir === opts.dir)
        && (opts.extended === undefined || r.extended === opts.extended) && r.count >= (opts.count ?? 1));
      if (row) return row;
      if (Date.now() > deadline) throw new TimeoutError(`no frame 0x${id.toString(16)} seen within ${opts.timeoutS ?? 5} s`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  private frame(f: Omit<CanFrameInput, 'data'> & { data?: string | ArrayLike<number> }): z.output<typeof CanFrameInput> {
    const data = typeof f.data === 'string' || f.data === undefined ? f.data : Array.from(f.data, (b) => {
      if (!Number.isInteger(b) || b < 0 || b > 255) throw new InvalidValueError(`frame: data byte ${b} is not 0..255`, [{ path: 'data', message: 'bytes are 0..255' }]);
      return b.toString(16).padStart(2, '0');
    }).join(' ');
    return check(CanFrameInput, { ...f, ...(data !== undefined ? { data } : {}) }, 'frame');
  }
}
