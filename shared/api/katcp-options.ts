// Options of a KATCP session, validated by the hub before the session starts.
import { z } from 'zod';
import { KATCP_STRATEGIES as STRATEGIES } from './katcp';

export const KatcpSamplingRule = z.object({
  /** A sensor name or a /regex/ over sensor names. */
  sensors: z.string().trim().min(1, 'Sensor name or /regex/ is required').max(500),
  strategy: z.enum(STRATEGIES, { error: `Strategy must be one of ${STRATEGIES.join(', ')}` }),
  /** In v5 units (seconds); converted for v4 servers. */
  params: z.array(z.number()).max(3).default([]),
}).strict();
export type KatcpSamplingRule = z.infer<typeof KatcpSamplingRule>;

export const KatcpOptionsSchema = z.object({
  /** Strategies set after every (re)connection, before the ones set by hand. */
  sampling: z.array(KatcpSamplingRule).max(256).default([]),
  /** Seconds between ?watchdog requests; 0 turns the liveness check off. */
  watchdogS: z.number().min(0, 'Watchdog period cannot be negative').max(3600, 'Watchdog period is at most 3600 s').default(5),
  /** Default request timeout in seconds (a server's timeout hint wins when it gives one). */
  requestTimeoutS: z.number().min(0.1, 'Request timeout is at least 0.1 s').max(600, 'Request timeout is at most 600 s').default(10),
  maxLineLength: z.number().int().min(1024, 'Line limit is at least 1024 bytes').max(16 * 1024 * 1024, 'Line limit is at most 16 MiB').default(64 * 1024),
}).strict();
export type KatcpOptions = z.infer<typeof KatcpOptionsSchema>;
export type KatcpOptionsInput = z.input<typeof KatcpOptionsSchema>;
