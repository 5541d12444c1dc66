// How Benchscope lays a recording out in MCAP, so that Foxglove, Lichtblick and
// PlotJuggler open it without a plugin:
//
// - One channel per signal, topic "<session name>/<signal name>", schema ros2msg
//   `benchscope/msg/Sample` ("float64 value"), message encoding cdr. One message per
//   sample: its log time (and publish time) is the sample's time in ns since the epoch,
//   its sequence the sample's number in the engine (mod 2^32), so a gap in sequences
//   is a lost sample. 12 bytes of payload: the CDR little-endian header and the float64.
// - One channel per session for its console traffic, topic "<session name>/console",
//   schema jsonschema `benchscope.ConsoleLine`, message encoding json: {dir, text}.
// - One channel per session for its marks, topic "<session name>/marks", schema
//   jsonschema `benchscope.Mark`, message encoding json: {label, severity, signal}.
// - A metadata record "benchscope.recording" written first (outside chunks, so even a
//   file cut short by a crash says which sessions it holds).
import type { McapTypes } from '@mcap/core';

export const SAMPLE_SCHEMA_NAME = 'benchscope/msg/Sample';
export const SAMPLE_SCHEMA_TEXT = '# One telemetry sample. Its time is the message log time (ns since the epoch);\n# the message sequence is the sample number in the engine (a gap is a lost sample).\nfloat64 value\n';
export const CONSOLE_SCHEMA_NAME = 'benchscope.ConsoleLine';
export const CONSOLE_SCHEMA = {
  title: 'benchscope.ConsoleLine',
  description: 'A line of console traffic of a device session; its time is the message log time.',
  type: 'object',
  properties: {
    dir: { type: 'string', enum: ['rx', 'tx', 'info'], description: 'rx from the device, tx to it, info from Benchscope' },
    text: { type: 'string' },
  },
  required: ['dir', 'text'],
};
/** A mark on the time axis (a status change, a move), topic "<session name>/marks". */
export const MARK_SCHEMA_NAME = 'benchscope.Mark';
export const MARK_SCHEMA = {
  title: 'benchscope.Mark',
  description: 'An event on the time axis of a device session (a sensor status change, a move started or ended); its time is the message log time.',
  type: 'object',
  properties: {
    label: { type: 'string' },
    severity: { type: 'string', enum: ['info', 'ok', 'warn', 'error'] },
    signal: { type: ['string', 'null'], description: 'The signal it concerns, or null for the whole session' },
  },
  required: ['label', 'severity', 'signal'],
};
export const RECORDING_METADATA = 'benchscope.recording';
export const SAMPLE_BYTES = 12;

/** Encodes a sample's value into a reused 12-byte CDR payload (no allocation). */
export class SampleEncoder {
  readonly bytes = new Uint8Array(SAMPLE_BYTES);
  private readonly view = new DataView(this.bytes.buffer);
  constructor() {
    this.bytes[1] = 0x01; // CDR_LE encapsulation
  }
  set(value: number): void {
    this.view.setFloat64(4, value, true);
  }
}

export function decodeSample(data: Uint8Array): number {
  if (data.byteLength < SAMPLE_BYTES) return Number.NaN;
  return new DataView(data.buffer, data.byteOffset, data.byteLength).getFloat64(4, data[1] === 0x01);
}

/**
 * Sample time (s since the epoch, a double) to ns. Whole seconds are cached so a
 * sample costs one BigInt; the result keeps the double's full precision.
 */
export class NanosClock {
  private sec = Number.NaN;
  private secNs = 0n;
  toNs(t: number): bigint {
    const sec = Math.floor(t);
    if (sec !== this.sec) {
      this.sec = sec;
      this.secNs = BigInt(sec) * 1_000_000_000n;
    }
    return this.secNs + BigInt(Math.round((t - sec) * 1e9));
  }
}

export function nsToSeconds(ns: bigint): number {
  return Number(ns / 1_000_000_000n) + Number(ns % 1_000_000_000n) / 1e9;
}

/** What the metadata record says about the sessions of a recording. */
export interface RecordingSessionMeta {
  sessionId: string;
  name: string;
  protocol: string;
}

export function recordingMetadata(sessions: RecordingSessionMeta[], startedAt: number): McapTypes.Metadata {
  return {
    name: RECORDING_METADATA,
    metadata: new Map([
      ['sessions', JSON.stringify(sessions)],
      ['startedAt', new Date(startedAt).toISOString()],
    ]),
  };
}
