// What every transport shares: state and reason, counters, event delivery that
// never throws back into a socket callback, and the open/retry/close lifecycle.
// A transport supplies connect() (one attempt) and release() (free the socket or port).
import { Backoff, type BackoffOptions } from './backoff';
import type { Link, LinkCounters, LinkEvents, LinkState } from './link';

export interface LinkOptions {
  backoff?: BackoffOptions;
}

export abstract class LinkBase implements Link {
  abstract readonly kind: 'stream' | 'datagram';
  readonly counters: LinkCounters = { rxBytes: 0, txBytes: 0, rxChunks: 0, txChunks: 0, connects: 0 };
  protected readonly backoff: Backoff;
  /** True once close() was called: nothing may reconnect after that. */
  protected closed = false;
  private opened = false;
  private closing: Promise<void> | null = null;
  private restarting = false;
  private currentState: LinkState = 'Disconnected';
  private reason: string | null = null;
  private events: LinkEvents = {};

  constructor(readonly label: string, options: LinkOptions = {}) {
    this.backoff = new Backoff(options.backoff);
  }

  get state(): LinkState {
    return this.currentState;
  }

  get lastError(): string | null {
    return this.reason;
  }

  setEvents(events: LinkEvents): void {
    this.events = events;
  }

  open(): void {
    if (this.opened || this.closed) return;
    this.opened = true;
    this.setState('Connecting', null);
    this.connect();
  }

  close(): Promise<void> {
    if (!this.closing) {
      this.closed = true;
      this.backoff.cancel();
      this.closing = this.release().then(() => this.setState('Disconnected', 'link closed'));
    }
    return this.closing;
  }

  restart(reason: string): void {
    if (this.closed || !this.opened || this.restarting) return;
    this.restarting = true;
    this.backoff.cancel();
    this.setState('Connecting', reason);
    void this.release().then(() => {
      this.restarting = false;
      this.retry(reason);
    });
  }

  abstract write(bytes: Uint8Array): boolean;

  /** One attempt to connect, bind or listen; failures end in retry(). */
  protected abstract connect(): void;

  /** Frees the socket or port; resolves once the OS has released it. */
  protected abstract release(): Promise<void>;

  protected connected(): void {
    this.backoff.reset();
    this.counters.connects++;
    this.setState('Connected', null);
  }

  /** Not connected for `reason`: says so and tries again after the backoff delay. */
  protected retry(reason: string): void {
    if (this.closed) return;
    this.setState('Connecting', reason);
    this.backoff.schedule(() => this.connect());
  }

  protected setState(state: LinkState, reason: string | null): void {
    if (state === this.currentState && reason === this.reason) return;
    this.currentState = state;
    this.reason = reason;
    try {
      this.events.onState?.(state, reason);
    } catch (err) {
      console.error(`${this.label}: state handler threw`, err);
    }
  }

  /** Overrides the reason without a state change (UDP reports send errors while bound). */
  protected setReason(reason: string | null): void {
    this.reason = reason;
  }

  protected received(chunk: Uint8Array, t: number): void {
    this.counters.rxBytes += chunk.length;
    this.counters.rxChunks++;
    try {
      this.events.onData?.(chunk, t);
    } catch (err) {
      console.error(`${this.label}: data handler threw`, err);
    }
  }

  protected sent(bytes: number): void {
    this.counters.txBytes += bytes;
    this.counters.txChunks++;
  }
}
