// Helpers for the link integration tests: record what a link reports.
import type { Link, LinkState } from '../../main/links/link';

/** Backoff short enough that reconnection tests take milliseconds. */
export const FAST = { backoff: { initialMs: 10, maxMs: 80 } };

export interface Recorded {
  states: [LinkState, string | null][];
  chunks: { bytes: Buffer; t: number }[];
  text(): string;
}

export function record(link: Link): Recorded {
  const states: Recorded['states'] = [];
  const chunks: Recorded['chunks'] = [];
  link.setEvents({
    onState: (state, reason) => states.push([state, reason]),
    onData: (chunk, t) => chunks.push({ bytes: Buffer.from(chunk), t }),
  });
  return { states, chunks, text: () => Buffer.concat(chunks.map((c) => c.bytes)).toString() };
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
