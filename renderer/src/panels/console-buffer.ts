// The console's last lines, kept outside React: lines arrive in batches at
// up to thousands per second, the view re-renders at most 10 times a second.
import type { ConsoleLine } from '../../../shared/api/contract';

export const CONSOLE_KEEP = 2000;
const NOTIFY_EVERY_MS = 100;

export class ConsoleBuffer {
  private lines: ConsoleLine[] = [];
  private version = 0;
  private readonly listeners = new Set<() => void>();
  private timer: ReturnType<typeof setTimeout> | null = null;

  constructor(private readonly keep = CONSOLE_KEEP) {}

  push(batch: readonly ConsoleLine[]): void {
    if (!batch.length) return;
    for (const l of batch) this.lines.push(l);
    // Trimmed in steps so that a steady stream does not shift the array per batch.
    if (this.lines.length > this.keep * 1.25) this.lines = this.lines.slice(-this.keep);
    this.changed();
  }

  clear(): void {
    this.lines = [];
    this.changed();
  }

  /** The last `keep` lines, oldest first: a new array per call, so a view sees the change. */
  snapshot(): readonly ConsoleLine[] {
    return this.lines.slice(-this.keep);
  }

  getVersion = (): number => this.version;

  subscribe = (cb: () => void): (() => void) => {
    this.listeners.add(cb);
    return () => this.listeners.delete(cb);
  };

  private changed(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.version++;
      for (const cb of this.listeners) cb();
    }, NOTIFY_EVERY_MS);
  }
}
