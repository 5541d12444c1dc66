// Commands of the current generation and their fate: each command gets the next
// counter (u32, wrapping), is written, and waits for the COMMAND_STATUS frame
// that echoes its counter: ACK with the expected duration, NO_ACK with the
// reason, or nothing within the time limit. As in the reference client, one
// command is in flight at a time; the next waits its turn. Status frames for
// other counters are ignored (and counted).

import type { CommandRecord } from '../../../shared/api/hexrot';

export type { CommandOutcome, CommandRecord } from '../../../shared/api/hexrot';

export interface CommandPort {
  /** Writes the command's bytes; false when the link is down. */
  write(counter: number, code: number, params: number[]): boolean;
  event(record: CommandRecord): void;
  now(): number;
}

const HISTORY = 200;
const COUNTER_MASK = 0xffffffff;

export class CommandTracker {
  ignoredStatuses = 0;
  sent = 0;
  private last: number;
  private seq = 0;
  private readonly history: CommandRecord[] = [];
  private inFlight: { record: CommandRecord; resolve(r: CommandRecord): void; timer: ReturnType<typeof setTimeout> } | null = null;
  private readonly queue: { record: CommandRecord; resolve(r: CommandRecord): void }[] = [];

  constructor(private readonly port: CommandPort, private readonly timeoutS = 5, firstCounter = 0) {
    this.last = (firstCounter - 1) >>> 0;
  }

  /** The counter the next command will carry. */
  get nextCounter(): number {
    return (this.last + 1) >>> 0;
  }

  /** Queues a command; resolves with its record once it is settled (never rejects). */
  run(code: number, name: string | null, params: number[]): Promise<CommandRecord> {
    const record: CommandRecord = {
      seq: ++this.seq, counter: -1, code, name, params: padParams(params), sentAt: null,
      outcome: 'pending', duration: null, reason: null, replyAfter: null,
    };
    this.history.push(record);
    if (this.history.length > HISTORY) this.history.shift();
    return new Promise((resolve) => {
      this.queue.push({ record, resolve });
      this.pump();
    });
  }

  /** A COMMAND_STATUS frame arrived. */
  status(counter: number, status: number, duration: number, reason: string): void {
    const f = this.inFlight;
    if (!f || f.record.counter !== counter) {
      this.ignoredStatuses++;
      return;
    }
    const r = f.record;
    if (status === 1) {
      r.outcome = 'ack';
      r.duration = duration;
    } else if (status === 2) {
      r.outcome = 'noack';
      r.reason = reason;
    } else {
      r.outcome = 'noack';
      r.reason = `unknown command status ${status}${reason ? ` (${reason})` : ''}: taken as a failure`;
    }
    this.settle(f, this.port.now());
  }

  /** The link went down: the command in flight and those waiting will get no status. */
  linkDown(why: string): void {
    if (this.inFlight) {
      this.inFlight.record.outcome = 'lost';
      this.inFlight.record.reason = `${why} before its COMMAND_STATUS arrived`;
      this.settle(this.inFlight, null);
    }
    for (const q of this.queue.splice(0)) {
      q.record.outcome = 'unsent';
      q.record.reason = `${why}: not sent`;
      this.port.event(q.record);
      q.resolve(q.record);
    }
  }

  list(limit = HISTORY): CommandRecord[] {
    return this.history.slice(-limit);
  }

  dispose(): void {
    this.linkDown('session closed');
  }

  private pump(): void {
    while (!this.inFlight && this.queue.length) {
      const { record, resolve } = this.queue.shift()!;
      const counter = (this.last + 1) & COUNTER_MASK;
      record.counter = counter >>> 0;
      if (!this.port.write(record.counter, record.code, record.params)) {
        record.outcome = 'unsent';
        record.reason = 'not connected to the controller: not sent';
        this.port.event(record);
        resolve(record);
        continue;
      }
      this.last = record.counter;
      this.sent++;
      record.sentAt = this.port.now();
      const entry = {
        record, resolve,
        timer: setTimeout(() => {
          record.outcome = 'timeout';
          record.reason = `no COMMAND_STATUS with counter ${record.counter} within ${this.timeoutS} s`;
          this.settle(entry, null);
        }, this.timeoutS * 1000),
      };
      this.inFlight = entry;
      this.port.event(record);
    }
  }

  private settle(f: NonNullable<CommandTracker['inFlight']>, at: number | null): void {
    clearTimeout(f.timer);
    if (at !== null && f.record.sentAt !== null) f.record.replyAfter = at - f.record.sentAt;
    this.inFlight = null;
    this.port.event(f.record);
    f.resolve(f.record);
    this.pump();
  }
}

function padParams(params: number[]): number[] {
  const out = params.slice(0, 6);
  while (out.length < 6) out.push(0);
  return out;
}
