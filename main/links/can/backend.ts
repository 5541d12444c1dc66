// What a CAN backend (SLCAN adapter, SocketCAN, the virtual bus) gives a CAN link,
// and the per-channel statistics every backend keeps the same way.
import type { CanChannelStats } from '../../../shared/api/can';
import { RateMeter } from '../../../shared/client/rate';
import { frameBits, type CanFrame } from './frame';

export interface CanBackendEvents {
  /** A frame seen on the bus (never one this channel sent itself). */
  frame(frame: CanFrame): void;
  /** The channel went off the bus for `reason` (unplugged, closed, bus off...). */
  down(reason: string): void;
}

export interface CanBackend {
  /** e.g. "slcan /dev/ttyACM0", "virtual bench". */
  readonly label: string;
  readonly stats: CanStats;
  /** Goes on the bus; rejects with an Error whose message says why it cannot. */
  start(events: CanBackendEvents): Promise<void>;
  /** Leaves the bus and frees the port or socket. */
  stop(): Promise<void>;
  /** Queues one frame (already checked with frameProblem); false when not on the bus. */
  send(frame: CanFrame): boolean;
}

/** Frames per second both ways, bus load estimate, error frames and malformed input. */
export class CanStats {
  rxFrames = 0;
  txFrames = 0;
  errorFrames = 0;
  malformed = 0;
  lastProblem: string | null = null;
  private readonly rxRate = new RateMeter();
  private readonly txRate = new RateMeter();
  private readonly bits = new RateMeter();

  /** `bitrate` 0 when unknown (no load estimate); `dataRatio` = nominal / data bitrate. */
  constructor(readonly bitrate: number, private readonly dataRatio = 1) {}

  rx(f: CanFrame): void {
    this.rxFrames++;
    this.rxRate.add(1);
    this.bits.add(frameBits(f, this.dataRatio));
  }

  tx(f: CanFrame): void {
    this.txFrames++;
    this.txRate.add(1);
    this.bits.add(frameBits(f, this.dataRatio));
  }

  snapshot(): CanChannelStats {
    return {
      rxFrames: this.rxFrames,
      txFrames: this.txFrames,
      rxFramesPerSec: this.rxRate.rate(),
      txFramesPerSec: this.txRate.rate(),
      busLoad: this.bitrate > 0 ? Math.min(1, this.bits.rate() / this.bitrate) : null,
      errorFrames: this.errorFrames,
      malformed: this.malformed,
      lastProblem: this.lastProblem,
    };
  }
}
