// One request in flight to a Scrutiny device, as its half-duplex receiver needs:
// a queue, a timeout per request, matching of the response to the request, and a
// throttle to the device's max_bitrate.
import { commandName, DeviceResponseError, ResponseCode } from './codec';

export class RequestTimeout extends Error {}
export class RequestCancelled extends Error {}

interface Pending {
  frame: Uint8Array;
  cmd: number;
  subfn: number;
  timeoutMs: number;
  resolve(payload: Uint8Array): void;
  reject(e: Error): void;
}

export interface RequesterHooks {
  /** Sends bytes; false when the link is down. */
  write(frame: Uint8Array): boolean;
  /** A response nobody asked for, or for another command. */
  unexpected(cmd: number, subfn: number, code: number): void;
  sent(pending: { cmd: number; subfn: number; frame: Uint8Array }): void;
}

export class Requester {
  /** 0: no throttle. */
  maxBitrate = 0;
  consecutiveTimeouts = 0;
  completed = 0;
  private queue: Pending[] = [];
  private inFlight: (Pending & { timer: ReturnType<typeof setTimeout> }) | null = null;
  private nextSendAt = 0;
  private pumpTimer: ReturnType<typeof setTimeout> | null = null;

  constructor(private readonly hooks: RequesterHooks) {}

  get busy(): boolean {
    return this.inFlight !== null || this.queue.length > 0;
  }

  get queued(): number {
    return this.queue.length + (this.inFlight ? 1 : 0);
  }

  /** Queues a request frame; resolves with a copy of the OK response's payload. */
  request(frame: Uint8Array, timeoutMs: number, urgent = false): Promise<Uint8Array> {
    return new Promise((resolve, reject) => {
      const p: Pending = { frame, cmd: frame[0]! & 0x7f, subfn: frame[1]!, timeoutMs, resolve, reject };
      if (urgent) this.queue.unshift(p);
      else this.queue.push(p);
      this.pump();
    });
  }

  /** A decoded response frame; `payload` is only valid during the call. */
  onResponse(cmd: number, subfn: number, code: number, payload: Uint8Array, receivedBytes: number): void {
    const p = this.inFlight;
    this.account(receivedBytes);
    if (!p || p.cmd !== cmd || p.subfn !== subfn) {
      this.hooks.unexpected(cmd, subfn, code);
      return;
    }
    clearTimeout(p.timer);
    this.inFlight = null;
    this.consecutiveTimeouts = 0;
    this.completed++;
    if (code === ResponseCode.OK) p.resolve(payload.slice());
    else p.reject(new DeviceResponseError(cmd, subfn, code));
    this.pump();
  }

  /** Rejects everything queued and in flight (link down, session lost, close). */
  cancelAll(why: string): void {
    const all = this.queue;
    this.queue = [];
    if (this.inFlight) {
      clearTimeout(this.inFlight.timer);
      all.unshift(this.inFlight);
      this.inFlight = null;
    }
    if (this.pumpTimer) clearTimeout(this.pumpTimer);
    this.pumpTimer = null;
    for (const p of all) p.reject(new RequestCancelled(why));
  }

  private account(bytes: number): void {
    if (this.maxBitrate <= 0) return;
    const now = performance.now();
    this.nextSendAt = Math.max(now, this.nextSendAt) + (bytes * 8 * 1000) / this.maxBitrate;
  }

  private pump(): void {
    if (this.inFlight || this.pumpTimer) return;
    const p = this.queue.shift();
    if (!p) return;
    const wait = this.nextSendAt - performance.now();
    if (this.maxBitrate > 0 && wait > 0) {
      this.queue.unshift(p);
      this.pumpTimer = setTimeout(() => {
        this.pumpTimer = null;
        this.pump();
      }, Math.ceil(wait));
      return;
    }
    if (!this.hooks.write(p.frame)) {
      p.reject(new RequestCancelled('the link is down'));
      this.pump();
      return;
    }
    this.account(p.frame.length);
    this.hooks.sent(p);
    const timer = setTimeout(() => {
      if (this.inFlight?.timer !== timer) return;
      this.inFlight = null;
      this.consecutiveTimeouts++;
      p.reject(new RequestTimeout(`no answer to ${commandName(p.cmd, p.subfn)} within ${p.timeoutMs} ms`));
      this.pump();
    }, p.timeoutMs);
    this.inFlight = { ...p, timer };
  }
}
