// The KATCP options as the New session form holds them; the engine checks them again.
import { KATCP_STRATEGIES } from '../../../../shared/api/katcp';
import type { FieldErrors } from '../../forms/link-draft';

export interface KatcpOptionsDraft {
  watchdogS: string;
  requestTimeoutS: string;
  /** One rule per line: `sensor-or-/regex/ strategy [params...]`, e.g. `/antenna/ period 0.1`. */
  sampling: string;
}

const PARAM_COUNT: Record<string, number> = { none: 0, auto: 0, period: 1, event: 0, differential: 1, 'event-rate': 2, 'differential-rate': 3 };

export function katcpOptionsDraft(): KatcpOptionsDraft {
  return { watchdogS: '5', requestTimeoutS: '10', sampling: '' };
}

export function validateKatcpOptions(d: KatcpOptionsDraft): { ok: true; options: Record<string, unknown> } | { ok: false; errors: FieldErrors } {
  const errors: FieldErrors = {};
  const watchdogS = Number(d.watchdogS);
  if (d.watchdogS.trim() === '' || !Number.isFinite(watchdogS) || watchdogS < 0 || watchdogS > 3600) errors.watchdogS = 'Watchdog period is 0 (off) to 3600 s';
  const requestTimeoutS = Number(d.requestTimeoutS);
  if (d.requestTimeoutS.trim() === '' || !Number.isFinite(requestTimeoutS) || requestTimeoutS < 0.1 || requestTimeoutS > 600) errors.requestTimeoutS = 'Request timeout is 0.1 to 600 s';
  const sampling: { sensors: string; strategy: string; params: number[] }[] = [];
  d.sampling.split('\n').forEach((line, i) => {
    const words = line.trim().split(/\s+/).filter(Boolean);
    if (!words.length || errors.sampling) return;
    const [sensors, strategy, ...params] = words;
    if (strategy === undefined || !(KATCP_STRATEGIES as readonly string[]).includes(strategy)) {
      errors.sampling = `Line ${i + 1}: expected "sensor strategy [params]" with a strategy among ${KATCP_STRATEGIES.join(', ')}`;
      return;
    }
    const nums = params.map(Number);
    if (nums.length !== PARAM_COUNT[strategy] || nums.some((n) => !Number.isFinite(n))) {
      errors.sampling = `Line ${i + 1}: ${strategy} takes ${PARAM_COUNT[strategy]} number${PARAM_COUNT[strategy] === 1 ? '' : 's'}`;
      return;
    }
    sampling.push({ sensors: sensors!, strategy, params: nums });
  });
  if (Object.keys(errors).length) return { ok: false, errors };
  return { ok: true, options: { watchdogS, requestTimeoutS, sampling } };
}
