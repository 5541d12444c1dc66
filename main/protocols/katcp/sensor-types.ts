// KATCP's sensor vocabulary (types, statuses, sampling strategies) and the rules
// for strategy parameters, shared by the client session and the emulator.
import { KATCP_STRATEGIES, type KatcpStrategy } from '../../../shared/api/katcp';

export const SENSOR_TYPES = ['integer', 'float', 'boolean', 'discrete', 'lru', 'string', 'timestamp', 'address'] as const;
export type KatcpSensorType = (typeof SENSOR_TYPES)[number];

/** In code order: the session keeps a sensor's status as this index. */
export const SENSOR_STATUSES = ['unknown', 'nominal', 'warn', 'error', 'failure', 'unreachable', 'inactive'] as const;
export type KatcpSensorStatus = (typeof SENSOR_STATUSES)[number];
export const V4_STATUSES: readonly KatcpSensorStatus[] = ['unknown', 'nominal', 'warn', 'error', 'failure'];


export const STRATEGIES = KATCP_STRATEGIES;
export type { KatcpStrategy };
export const V4_STRATEGIES: readonly KatcpStrategy[] = ['none', 'auto', 'period', 'event', 'differential'];

const PARAM_NAMES: Record<KatcpStrategy, readonly string[]> = {
  none: [],
  auto: [],
  period: ['period'],
  event: [],
  differential: ['difference'],
  'event-rate': ['shortest', 'longest'],
  'differential-rate': ['difference', 'shortest', 'longest'],
};

export function isNumericType(type: string): boolean {
  return type === 'integer' || type === 'float' || type === 'timestamp';
}

/**
 * Checks a strategy and its parameters (times in seconds, as in v5) for a sensor
 * of `type` on a server speaking `major`; returns the parameters as numbers or
 * the reason they are refused.
 */
export function checkStrategy(strategy: string, params: readonly (string | number)[], type: string | null, major: number):
  { ok: true; strategy: KatcpStrategy; params: number[] } | { ok: false; reason: string } {
  if (!(STRATEGIES as readonly string[]).includes(strategy)) {
    return { ok: false, reason: `unknown strategy "${strategy}" (expected one of ${STRATEGIES.join(', ')})` };
  }
  const s = strategy as KatcpStrategy;
  if (major < 5 && !V4_STRATEGIES.includes(s)) return { ok: false, reason: `strategy ${s} does not exist in KATCP v4 (it has ${V4_STRATEGIES.join(', ')})` };
  const names = PARAM_NAMES[s];
  if (params.length !== names.length) {
    return { ok: false, reason: `strategy ${s} takes ${names.length ? names.join(', ') : 'no parameters'}, got ${params.length} parameter${params.length === 1 ? '' : 's'}` };
  }
  const nums = params.map((p) => (typeof p === 'number' ? p : p.trim() === '' ? NaN : Number(p)));
  for (let i = 0; i < nums.length; i++) {
    if (!Number.isFinite(nums[i]!)) return { ok: false, reason: `${s} ${names[i]} must be a number, got "${params[i]}"` };
  }
  if ((s === 'differential' || s === 'differential-rate') && type !== null && !isNumericType(type)) {
    return { ok: false, reason: `strategy ${s} needs an integer, float or timestamp sensor, this one is ${type}` };
  }
  switch (s) {
    case 'period':
      if (nums[0]! <= 0) return { ok: false, reason: `period must be above 0 s, got ${nums[0]}` };
      break;
    case 'differential':
      if (nums[0]! <= 0) return { ok: false, reason: `difference must be above 0, got ${nums[0]}` };
      break;
    case 'event-rate':
    case 'differential-rate': {
      const off = s === 'event-rate' ? 0 : 1;
      if (s === 'differential-rate' && nums[0]! <= 0) return { ok: false, reason: `difference must be above 0, got ${nums[0]}` };
      const shortest = nums[off]!;
      const longest = nums[off + 1]!;
      if (shortest < 0) return { ok: false, reason: `shortest period cannot be negative, got ${shortest}` };
      if (longest !== 0 && longest < shortest) return { ok: false, reason: `longest period (${longest} s) must be 0 (none) or at least the shortest (${shortest} s)` };
      break;
    }
    default:
      break;
  }
  return { ok: true, strategy: s, params: nums };
}

/** A strategy's parameters as sent on the wire: v4 periods are in milliseconds. */
export function wireParams(strategy: KatcpStrategy, params: readonly number[], major: number): string[] {
  if (major < 5 && strategy === 'period') return [String(Math.max(1, Math.round(params[0]! * 1000)))];
  return params.map((p) => String(p));
}

/** The inverse of wireParams, for a reply's parameters. */
export function paramsFromWire(strategy: string, params: readonly string[], major: number): number[] {
  const nums = params.map(Number);
  if (major < 5 && strategy === 'period') return [nums[0]! / 1000];
  return nums;
}

/** Sensor and `#sensor-value` timestamps: v5 seconds, v4 milliseconds. */
export function timestampToSeconds(ts: number, major: number): number {
  return major < 5 ? ts / 1000 : ts;
}
