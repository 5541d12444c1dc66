// Hexapod/rotator shapes shared by the engine's session, the panel and the SDK:
// what the hexrot actions (sessionAction) return.

export type CommandOutcome = 'pending' | 'ack' | 'noack' | 'timeout' | 'lost' | 'unsent';

/** One command of the current generation and its fate. */
export interface CommandRecord {
  /** Benchscope's own number for the entry (the counter wraps, this does not). */
  seq: number;
  counter: number;
  code: number;
  name: string | null;
  params: number[];
  /** Seconds since the epoch. */
  sentAt: number | null;
  outcome: CommandOutcome;
  /** ACK: the controller's expected duration in seconds. */
  duration: number | null;
  /** NO_ACK: the controller's reason; timeout, lost, unsent: ours. */
  reason: string | null;
  /** Seconds from sending to the status frame. */
  replyAfter: number | null;
}

export interface FieldValue {
  name: string;
  value: number | string;
}

export interface ConfigSnapshot {
  struct: string;
  frameId: number;
  /** Receive time, seconds since the epoch. */
  t: number;
  /** How many config frames were received since the session started. */
  count: number;
  fields: FieldValue[];
}

/** The newest telemetry: its time, how many frames came so far, every numeric field. */
export interface TelemetrySnapshot {
  t: number | null;
  count: number;
  fields: FieldValue[];
}

/** A legacy command put on the command socket: the counter it was given (per command code, from 1). */
export interface PutCommandResult {
  counter: number;
  code: number;
  name: string | null;
  params: number[];
}
