// KATCP shapes shared by the engine's session and the renderer's panel: the
// sampling strategies, and the session's actions with what they return.
import { z } from 'zod';
import { action } from './actions';

export const KATCP_STRATEGIES = ['none', 'auto', 'period', 'event', 'differential', 'event-rate', 'differential-rate'] as const;
export type KatcpStrategy = (typeof KATCP_STRATEGIES)[number];

export interface KatcpLogEntry { level: string; t: number; logger: string; message: string }

export interface KatcpSensorRow {
  name: string;
  description: string;
  units: string;
  type: string;
  params: string[];
  value: string;
  status: string;
  timestamp: number | null;
  strategy: KatcpStrategy;
  strategyParams: number[];
  /** Unreachable because the connection dropped: value and time are the last read, not current. */
  stale?: boolean;
  /** Gone from the server's ?sensor-list (after #interface-changed): its last reading; its signal keeps its history. */
  removed?: boolean;
}

/** A request's outcome: the reply's arguments (`ok`, `fail` or `invalid` first) and the informs before it. */
export interface KatcpReply {
  name: string;
  mid: number | null;
  reply: string[];
  informs: string[][];
  ok: boolean;
}

export interface KatcpStrategyResult { sensor: string; ok: boolean; strategy: KatcpStrategy; params: number[]; reason?: string }

const StrategyArgs = z.object({
  strategy: z.enum(KATCP_STRATEGIES, { error: `Strategy must be one of ${KATCP_STRATEGIES.join(', ')}` }),
  params: z.array(z.union([z.number(), z.string()])).max(3).default([]),
});

/** The levels ?log-level takes (and "off" / "all"). */
export const KATCP_LOG_LEVELS = ['off', 'fatal', 'error', 'warn', 'info', 'debug', 'trace', 'all'] as const;
export type KatcpLogLevel = (typeof KATCP_LOG_LEVELS)[number];

export const KatcpActions = {
  request: action<KatcpReply>()(z.object({
    name: z.string().regex(/^[A-Za-z][A-Za-z0-9-]*$/, 'Request names are a letter then letters, digits or "-"'),
    args: z.array(z.union([z.string(), z.number()])).max(1000).default([]),
    timeoutS: z.number().min(0.1).max(600).optional(),
  }).strict(), 'Sends ?name args and waits for the reply (a refusal is an OperationFailure carrying the server\'s code and reason)'),
  setStrategy: action<KatcpStrategyResult>()(StrategyArgs.extend({ sensor: z.string().min(1) }).strict(), 'Sets one sensor\'s sampling strategy'),
  setStrategies: action<KatcpStrategyResult[]>()(StrategyArgs.extend({ sensors: z.array(z.string().min(1)).min(1).max(10_000) }).strict(), 'Sets the sampling strategy of several sensors'),
  listSensors: action<KatcpSensorRow[]>()(z.object({ filter: z.string().max(500).optional() }).strict(), 'The sensors with their last value, status and strategy'),
  logLevel: action<{ level: string | null }>()(z.object({ level: z.enum(KATCP_LOG_LEVELS).optional() }).strict(), 'Reads or sets the server\'s log level'),
  help: action<{ name: string; description: string }[]>()(z.object({}).strict(), 'The server\'s requests (?help)'),
  logs: action<KatcpLogEntry[]>()(z.object({}).strict(), 'The server\'s #log messages received so far'),
};
