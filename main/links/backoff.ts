// Bounded exponential backoff for reconnecting links: a device that is off or
// unplugged is retried quickly at first, then every few seconds, never in a busy loop.

export interface BackoffOptions {
  /** First delay, in ms. */
  initialMs?: number;
  /** Cap on the delay, in ms. */
  maxMs?: number;
}

export class Backoff {
  private readonly initialMs: number;
  private readonly maxMs: number;
  private nextMs: number;
  private timer: NodeJS.Timeout | null = null;

  constructor({ initialMs = 250, maxMs = 5000 }: BackoffOptions = {}) {
    this.initialMs = initialMs;
    this.maxMs = Math.max(initialMs, maxMs);
    this.nextMs = initialMs;
  }

  /** Runs `retry` after the current delay, then doubles the delay up to the cap.
   *  Replaces a run already pending. Returns the delay used, in ms. */
  schedule(retry: () => void): number {
    this.cancel();
    const delay = this.nextMs;
    this.nextMs = Math.min(this.nextMs * 2, this.maxMs);
    this.timer = setTimeout(() => {
      this.timer = null;
      retry();
    }, delay);
    return delay;
  }

  /** After a successful connect: the next failure is retried quickly again. */
  reset(): void {
    this.nextMs = this.initialMs;
  }

  /** Drops the pending run, if any. */
  cancel(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}
