// One request in flight to a Scrutiny device, as its half-duplex receiver needs:
// a queue, a timeout per request, matching of the response to the request, and a
// throttle to the device's max_bitrate. The next request goes out as soon as the
// previous answer is in: no timer between them unless the device's bitrate asks.
import { commandName, DeviceResponseError, ResponseCode } from './commands';

export class RequestTimeout extends Error {}
export class RequestCancelled extends Error {}

/**
 * A request to send. The polling path keeps one and submits it again and again
 * (nothing allocated per request); `answer` gets the response payload, valid only
 * during the call, and the response code.
 */
export interface PendingRequest {
  frame: Uint8Array;
  cmd: number;
  subfn: number;
  timeoutMs: number;
  answer(code: number, payload: Uint8Array): void;
  fail(e: Error): void;
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
  /** performance.now() of the last answer (any code): how long the device has been silent. */
  lastAnswerAt = performance.now();
  private queue: PendingRequest[] = [];
  private inFlight: PendingRequest | null = null;
  private nextSendAt = 0;
  private pumpTimer: ReturnType<typeof setTimeout> | null = null;
  /** One timer re-armed (refresh) for each request of the same timeout, rather than one timer per request. */
  private watchdog: ReturnType<typeof setTimeout> | null = null;
  private watchdogMs = 0;
  private readonly onWatchdog = () => this.timedOut();

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
      const cmd = frame[0]! & 0x7f;
      const subfn = frame[1]!;
      this.submit({
        frame, cmd, subfn, timeoutMs,
        answer: (code, payload) => (code === ResponseCode.OK ? resolve(payload.slice()) : reject(new DeviceResponseError(cmd, subfn, code))),
        fail: reject,
      }, urgent);
    });
  }

  /** Queues a request (urgent: ahead of the others, a heartbeat). */
  submit(p: PendingRequest, urgent = false): void {
    if (urgent) this.queue.unshift(p);
    else this.queue.push(p);
    this.pump();
  }

  /** A decoded response frame; `payload` is only valid during the call. */
  onResponse(cmd: number, subfn: number, code: number, payload: Uint8Array, receivedBytes: number): void {
    const p = this.inFlight;
    this.account(receivedBytes);
    if (!p || p.cmd !== cmd || p.subfn !== subfn) {
      this.hooks.unexpected(cmd, subfn, code);
      return;
    }
    this.inFlight = null;
    this.consecutiveTimeouts = 0;
    this.completed++;
    this.lastAnswerAt = performance.now();
    p.answer(code, payload);
    this.pump();
  }

  /** Rejects everything queued and in flight (link down, session lost, close). */
  cancelAll(why: string): void {
    const all = this.queue;
    this.queue = [];
    if (this.inFlight) {
      all.unshift(this.inFlight);
      this.inFlight = null;
    }
    if (this.pumpTimer) clearTimeout(this.pumpTimer);
    this.pumpTimer = null;
    if (this.watchdog) clearTimeout(this.watchdog);
    this.watchdog = null;
    for (const p of all) p.fail(new RequestCancelled(why));
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
      p.fail(new RequestCancelled('the link is down'));
      this.pump();
      return;
    }
    this.account(p.frame.length);
    this.hooks.sent(p);
    this.inFlight = p;
    this.arm(p.timeoutMs);
  }

  /** The watchdog fires timeoutMs after the last send; an answer in between leaves it to fire on nothing. */
  private arm(ms: number): void {
    if (this.watchdog && this.watchdogMs === ms) {
      this.watchdog.refresh();
      return;
    }
    if (this.watchdog) clearTimeout(this.watchdog);
    this.watchdogMs = ms;
    this.watchdog = setTimeout(this.onWatchdog, ms);
  }

  private timedOut(): void {
    const p = this.inFlight;
    if (!p) return;
    this.inFlight = null;
    this.consecutiveTimeouts++;
    p.fail(new RequestTimeout(`no answer to ${commandName(p.cmd, p.subfn)} within ${p.timeoutMs} ms`));
    this.pump();
  }
}
