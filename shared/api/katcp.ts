// KATCP shapes shared by the engine's session and the renderer's panel: the
// sampling strategies and what the `listSensors` and `logs` actions return.

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
