// Replay playheads between status broadcasts: the hub reports each replay's
// position a few times a second; plots and the timeline move smoothly by
// running the position on with the local clock at the replay's speed.
import type { ReplayStatus } from '../../../shared/api/capture';

interface Clock { position: number; end: number; speed: number; playing: boolean; at: number }

const clocks = new Map<string, Clock>();

/** Takes the replays of a status broadcast (received now). */
export function updateReplayClocks(replays: readonly ReplayStatus[]): void {
  const at = performance.now();
  const seen = new Set<string>();
  for (const r of replays) {
    seen.add(r.replayId);
    clocks.set(r.replayId, { position: r.position, end: r.end, speed: r.speed, playing: r.playing, at });
  }
  for (const id of clocks.keys()) if (!seen.has(id)) clocks.delete(id);
}

/** The replay's playhead now (seconds since the epoch), NaN for an unknown replay. */
export function replayClock(replayId: string): number {
  const c = clocks.get(replayId);
  if (!c) return Number.NaN;
  if (!c.playing) return c.position;
  return Math.min(c.end, c.position + ((performance.now() - c.at) / 1000) * c.speed);
}
