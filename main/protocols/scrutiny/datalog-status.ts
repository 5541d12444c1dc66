// The datalogger's state as the device reports it (DataLogControl.GetStatus), followed by
// a status poll: broadcast when it changes, and told to the API as the seed reports it.
import type { DataloggingInfo } from '../../../shared/api/contract';
import { DataLogControl } from './commands';
import { requests, responses } from './messages';
import type { ScrutinySession } from './session';

/** Datalogger status polls while it can change (armed, triggered, a download), and while idle. */
const DL_STATUS_FAST_MS = 200;
const DL_STATUS_IDLE_MS = 1000;

export class DatalogStatus {
  /** The device's datalogger state (0 idle .. 5 error), null without datalogging or a device. */
  state: number | null = null;
  completion: number | null = null;
  private timer: ReturnType<typeof setTimeout> | null = null;

  constructor(private readonly s: ScrutinySession) {}

  /**
   * Each status poll costs the device a request (a whole loop on a slow firmware):
   * fast only while the state can change by itself, else once a second.
   */
  start(gen: number): void {
    if (this.timer) clearTimeout(this.timer);
    const fast = this.state === 2 || this.state === 3 || this.s.download !== null;
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.poll(gen).finally(() => {
        if (gen === this.s.generation && !this.timer) this.start(gen);
      });
    }, fast ? DL_STATUS_FAST_MS : DL_STATUS_IDLE_MS);
  }

  /** A download started: status at the fast pace while it lasts. */
  follow(): void {
    if (this.timer) this.start(this.s.generation);
  }

  async poll(gen = this.s.generation): Promise<void> {
    if (!this.s.device || this.s.requester.queued > 2) return;
    try {
      const st = this.s.parsed(responses.datalogStatus(await this.s.request(requests.datalog(DataLogControl.GetStatus))));
      if (gen !== this.s.generation) return;
      const ratio = st.bytesToAcquireAfterTrigger > 0 ? Math.min(1, st.writeCounterSinceTrigger / st.bytesToAcquireAfterTrigger) : null;
      if (st.state !== this.state || ratio !== this.completion) {
        const changed = st.state !== this.state;
        this.state = st.state;
        this.completion = ratio;
        this.s.ctx.statusChanged();
        if (changed) this.s.ctx.event('scrutiny.datalogging', { sessionId: this.s.ctx.sessionId, state: st.state, completionRatio: ratio });
        // An arm seen by an action's poll: follow it at the fast pace from now, not after the idle period.
        if (changed && this.timer) this.start(gen);
      }
    } catch {
      // A failed status poll is retried on the next tick; session loss is the heartbeat's call.
    }
  }

  /** Stops the poll and forgets the state, until the next device. */
  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.state = null;
    this.completion = null;
  }

  /** The state as the seed reports it. */
  info(): DataloggingInfo {
    const d = this.s.device;
    if (!d?.features.datalogging || this.state === null) return { state: 'NA', completionRatio: null };
    switch (this.state) {
      case 2: return { state: 'WaitForTrigger', completionRatio: null };
      case 3: return { state: 'Acquiring', completionRatio: this.completion };
      case 4: return { state: 'Standby', completionRatio: 1 };
      case 5: return { state: 'Error', completionRatio: null };
      default: return { state: 'Standby', completionRatio: null };
    }
  }
}
