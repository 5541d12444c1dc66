// Polling of RPVs and watched memory variables into the telemetry store: the read requests
// planned to fit the device's buffers, sent round-robin one at a time, their answers decoded
// straight into samples; pointed-to variables follow their pointer.
//
// Hot-path invariants (the polling budget depends on them):
// - One request in flight, submitted again for each read: nothing allocated per request.
// - Answers are decoded in place (walkRpvValues, decodeReadResponse): no object per value.
// - An answer to a request of an older plan is never decoded with the new one.

import type { AdapterContext } from '../adapter';
import { DeviceResponseError, ResponseCode } from './commands';
import type { RpvEntry } from './device-description';
import { requests, walkRpvValues } from './messages';
import type { ScrutinyOptions } from '../../../shared/api/scrutiny-options';
import { RequestCancelled, RequestTimeout, type PendingRequest, type Requester } from './requester';
import type { ScrutinySession } from './session';
import { decodeReadResponse, planReads, type ReadRequestPlan, type WatchedVariable } from './watch';

/** Requests without answer in a row that mean the device is gone. */
const LOST_AFTER_TIMEOUTS = 3;
/** Of the device's heartbeat timeout, what LOST_AFTER_TIMEOUTS polling timeouts may take: a silence is seen before the device drops the session. */
const LOST_WITHIN = 0.8;

export class ScrutinyPoller {
  watched: WatchedVariable[] = [];
  /** Aliases of RPVs: sampled (scaled) whenever their RPV is polled. */
  rpvAliases: { path: string; rpvId: number; signalId: number; gain: number; offset: number; last: number }[] = [];
  pollCycles = 0;
  private readonly rpvTypes = new Int16Array(0x10000).fill(-1);
  private readonly rpvSignals = new Int32Array(0x10000).fill(-1);
  /** Why a pointer did not move its variable (shown as the error until the pointer is fine again). */
  private pointerRefusal: string | null = null;
  /**
   * The polling requests, RPVs then memory, read round-robin one at a time: the
   * cursor carries on across a change of the watch list, so no value waits for a
   * cycle that restarts before reaching it.
   */
  private pollFrames: Uint8Array[] = [];
  private pollReads: (ReadRequestPlan | null)[] = [];
  private pollVars: WatchedVariable[] = [];
  private pollCursor = 0;
  /** Bumped by each replan: an answer to a request of an older plan is not decoded with the new one. */
  private planVersion = 0;
  private pollSentVersion = 0;
  private pollSentIndex = 0;
  private polling = false;
  private pollTimer: ReturnType<typeof setTimeout> | null = null;
  private cycleStart = 0;
  /** The one polling request, submitted again for each read (nothing allocated per request). */
  private readonly pollRequest: PendingRequest = {
    frame: new Uint8Array(0), cmd: 0, subfn: 0, timeoutMs: 0,
    answer: (code, payload) => this.onPollAnswer(code, payload),
    fail: (e) => this.onPollFailure(e),
  };
  private readonly rpvTypeOf = (id: number) => this.rpvTypes[id]!;
  private readonly onRpvValue = (id: number, v: number) => this.rpvValue(id, v);
  // The session's parts that do not change, held here for the polling path.
  private readonly ctx: AdapterContext;
  private readonly options: ScrutinyOptions;
  private readonly requester: Requester;
  private sampleT = 0;
  private pollRateWindow = { t: 0, cycles: 0, rate: 0 };

  constructor(private readonly s: ScrutinySession) {
    this.ctx = s.ctx;
    this.options = s.options;
    this.requester = s.requester;
  }

  /** The type byte of an RPV of the device, -1 when it has none of that id. */
  rpvType(id: number): number {
    return this.rpvTypes[id]!;
  }

  /** The RPVs of a newly described device, with their signals. */
  setRpvs(rpvs: readonly RpvEntry[]): void {
    this.rpvTypes.fill(-1);
    for (const r of rpvs) {
      this.rpvTypes[r.id] = r.type;
      this.rpvSignals[r.id] = r.signalId;
    }
  }

  /** Stops: no read is sent until the next schedulePoll. */
  stop(): void {
    if (this.pollTimer) clearTimeout(this.pollTimer);
    this.pollTimer = null;
    this.polling = false;
  }

  /** Rebuilds the RPV and memory read requests after a change of what is watched or of the device. */
  replan(): void {
    const d = this.s.device;
    if (!d) return;
    const p = d.params;
    const rpvPlans: Uint8Array[] = [];
    if (this.options.pollRpvs) {
      // Request: 2 bytes per id within rx; response: 2 + size per id within tx.
      let ids: number[] = [];
      let resp = 0;
      for (const r of d.rpvs) {
        const size = 2 + (r.type === 0xff ? 0 : (1 << (r.type & 0x0f)));
        if (ids.length > 0 && ((ids.length + 1) * 2 > p.rxBufferSize || resp + size > p.txBufferSize)) {
          rpvPlans.push(requests.readRpv(ids));
          ids = [];
          resp = 0;
        }
        ids.push(r.id);
        resp += size;
      }
      if (ids.length) rpvPlans.push(requests.readRpv(ids));
    }
    // Throws (nothing changed) when a variable cannot fit a response.
    const readPlans = planReads(this.watched, {
      addressSize: p.addressSize, maxRequest: p.rxBufferSize, maxResponse: p.txBufferSize, avoid: d.forbiddenRegions,
    });
    this.pollFrames = [...rpvPlans, ...readPlans.map((r) => r.frame)];
    this.pollReads = [...rpvPlans.map(() => null), ...readPlans];
    this.pollVars = this.watched;
    this.planVersion++;
    if (this.pollCursor >= this.pollFrames.length) this.pollCursor = 0;
    this.schedulePoll(0);
  }

  /** Starts the polling if it is idle and has something to read. */
  schedulePoll(delayMs: number): void {
    if (this.polling || this.pollTimer || !this.s.device || this.options.pollHz === 0 || this.pollFrames.length === 0) return;
    if (delayMs <= 0) {
      this.pollNext();
      return;
    }
    this.pollTimer = setTimeout(() => {
      this.pollTimer = null;
      this.pollNext();
    }, delayMs);
  }

  /** Sends the read under the cursor. */
  private pollNext(): void {
    const d = this.s.device;
    const n = this.pollFrames.length;
    if (!d || n === 0 || this.options.pollHz === 0) return;
    if (this.pollCursor >= n) this.pollCursor = 0;
    if (this.pollCursor === 0) this.cycleStart = performance.now();
    const frame = this.pollFrames[this.pollCursor]!;
    const r = this.pollRequest;
    r.frame = frame;
    r.cmd = frame[0]! & 0x7f;
    r.subfn = frame[1]!;
    // LOST_AFTER_TIMEOUTS of them fit within the device's heartbeat timeout.
    r.timeoutMs = Math.max(50, Math.min(this.options.requestTimeoutMs, (LOST_WITHIN * d.params.heartbeatTimeoutUs) / 1000 / LOST_AFTER_TIMEOUTS));
    this.pollSentVersion = this.planVersion;
    this.pollSentIndex = this.pollCursor;
    this.polling = true;
    this.requester.submit(r);
  }

  private onPollAnswer(code: number, payload: Uint8Array): void {
    this.polling = false;
    if (!this.s.device) return;
    if (code !== ResponseCode.OK) {
      this.s.errorText = `polling: ${new DeviceResponseError(this.pollRequest.cmd, this.pollRequest.subfn, code).message}`;
    } else if (this.pollSentVersion === this.planVersion) {
      // The answer to a request of the plan in force (a replan meanwhile: dropped, its variables moved).
      this.sampleT = Date.now() / 1000;
      const read = this.pollReads[this.pollSentIndex];
      const err = read
        ? decodeReadResponse(read, payload, this.pollVars, this.sampleT, this.ctx.sample)
        : walkRpvValues(payload, this.rpvTypeOf, this.onRpvValue);
      if (err) {
        this.s.payloadErrors++;
        this.s.errorText = err;
      }
    }
    this.advance();
  }

  private onPollFailure(e: Error): void {
    this.polling = false;
    if (e instanceof RequestCancelled || !this.s.device) return;
    if (e instanceof RequestTimeout && this.requester.consecutiveTimeouts >= LOST_AFTER_TIMEOUTS) {
      this.s.lost(`${this.requester.consecutiveTimeouts} requests in a row unanswered`);
      return;
    }
    this.s.errorText = `polling: ${e.message}`;
    this.advance();
  }

  /** The next read at once; after the last of a cycle, the pointers followed and, with a rate set, the rest of its period waited. */
  private advance(): void {
    this.pollCursor++;
    if (this.pollCursor < this.pollFrames.length) {
      this.pollNext();
      return;
    }
    this.pollCursor = 0;
    this.countCycle();
    // A pointer that moved replans: the next cycle starts below, at the rate's time, not from the replan.
    this.polling = true;
    this.followPointers(this.pollVars);
    this.polling = false;
    const hz = this.options.pollHz;
    this.schedulePoll(hz === null ? 0 : 1000 / hz - (performance.now() - this.cycleStart));
  }

  private rpvValue(id: number, v: number): void {
    const t = this.sampleT;
    this.ctx.sample(this.rpvSignals[id]!, t, v);
    const aliases = this.rpvAliases;
    for (let k = 0; k < aliases.length; k++) {
      const a = aliases[k]!;
      if (a.rpvId === id) {
        a.last = v * a.gain + a.offset;
        this.ctx.sample(a.signalId, t, a.last);
      }
    }
  }

  /**
   * Pointed-to variables follow their pointer: its value is read each cycle with the
   * rest (it is watched too), and a changed pointer moves the variable at the next cycle.
   */
  private followPointers(vars: readonly WatchedVariable[]): void {
    let moved = false;
    let refused: string | null = null;
    for (let i = 0; i < vars.length; i++) {
      const v = vars[i]!;
      if (!v.pointer) continue;
      const ptr = vars.find((p) => p.path === v.pointer!.path);
      if (!ptr || !Number.isFinite(ptr.last)) continue;
      const address = ptr.last + v.pointer.offset;
      if (address === v.address || address < 0) continue;
      const size = 1 << (v.type & 0x0f);
      const forbidden = this.s.device?.forbiddenRegions.find((r) => address <= r.end && address + size - 1 >= r.start);
      if (forbidden) {
        refused = `${v.pointer.path} points ${v.path} into the forbidden region 0x${forbidden.start.toString(16)}..0x${forbidden.end.toString(16)}: left at 0x${v.address.toString(16)}`;
        continue;
      }
      v.address = address;
      moved = true;
    }
    // The refusal shows as the session's error while it lasts.
    if (refused) this.s.errorText = this.pointerRefusal = refused;
    else if (this.pointerRefusal !== null && this.s.errorText === this.pointerRefusal) this.s.errorText = this.pointerRefusal = null;
    if (moved) {
      try {
        this.replan();
      } catch (e) {
        this.s.errorText = `a pointer moved a watched variable where it cannot be read: ${(e as Error).message}`;
      }
    }
  }

  private countCycle(): void {
    this.pollCycles++;
    const w = this.pollRateWindow;
    const now = performance.now();
    if (w.t === 0) w.t = now;
    w.cycles++;
    if (now - w.t >= 1000) {
      w.rate = (w.cycles * 1000) / (now - w.t);
      w.t = now;
      w.cycles = 0;
    }
  }

  get refreshRateHz(): number {
    return this.pollRateWindow.rate;
  }
}
