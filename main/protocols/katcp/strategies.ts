// Sampling strategies (?sensor-sampling): set by hand on one sensor or several (one bulk
// request when the server has flag B), and restored after each (re)connection: the options'
// rules first, then what was chosen by hand, which outlives connections.
import type { KatcpSamplingRule } from '../../../shared/api/katcp-options';
import { ApiError } from '../../../shared/api/errors';
import type { KatcpReply } from './requests';
import { checkStrategy, paramsFromWire, wireParams, type KatcpStrategy } from './sensor-types';
import type { KatcpSensor, SensorTable } from './sensors';

/** What the strategies need of the session: its requests and what the server said of itself. */
export interface StrategyServer {
  /** Names the server in errors: "the KATCP server at tcp <host>:<port>". */
  readonly where: string;
  request(name: string, args: readonly (string | number)[]): Promise<KatcpReply>;
  /** Connected, sensors listed. */
  ready(): boolean;
  major(): number;
  flags(): string;
  /** Shows a problem as the session's error. */
  fail(message: string): void;
}

export class KatcpStrategies {
  /** Strategies set by hand, by sensor: they outlive connections. */
  readonly chosen = new Map<string, { strategy: KatcpStrategy; params: number[] }>();

  constructor(private readonly table: SensorTable, private readonly sampling: readonly KatcpSamplingRule[], private readonly server: StrategyServer) {}

  /** The options' rules, then the strategies chosen by hand, on the sensors that exist (only `only` when given). */
  async restore(only?: Set<string>): Promise<void> {
    // What is wanted now; a strategy set by hand while this runs is newer and wins (see below).
    const before = new Map(this.chosen);
    const wanted = new Map<string, { strategy: KatcpStrategy; params: number[] }>();
    for (const rule of this.sampling) {
      for (const s of this.matching(rule.sensors)) wanted.set(s.name, { strategy: rule.strategy, params: rule.params });
    }
    for (const [name, c] of this.chosen) if (this.table.get(name)) wanted.set(name, c);
    const groups = new Map<string, string[]>();
    for (const [name, c] of wanted) {
      if (only && !only.has(name)) continue;
      if (c.strategy === 'none') continue;
      const key = JSON.stringify([c.strategy, c.params]);
      const g = groups.get(key);
      if (g) g.push(name);
      else groups.set(key, [name]);
    }
    const problems: string[] = [];
    for (const [key, names] of groups) {
      const [strategy, params] = JSON.parse(key) as [KatcpStrategy, number[]];
      const unchanged = names.filter((n) => this.chosen.get(n) === before.get(n));
      if (!unchanged.length) continue;
      try {
        const results = await this.set(unchanged, strategy, params);
        for (const r of results) if (!r.ok) problems.push(`${r.sensor}: ${r.reason}`);
      } catch (e) {
        problems.push(`${unchanged.join(',')}: ${(e as Error).message}`);
      }
    }
    if (problems.length) this.server.fail(`restoring sampling strategies: ${problems.join('; ')}`);
  }

  private matching(pattern: string): KatcpSensor[] {
    if (pattern.length >= 2 && pattern.startsWith('/') && pattern.endsWith('/')) {
      let re: RegExp;
      try {
        re = new RegExp(pattern.slice(1, -1));
      } catch {
        return [];
      }
      return this.table.sensors.filter((s) => re.test(s.name));
    }
    const s = this.table.get(pattern);
    return s ? [s] : [];
  }

  /** Sets one strategy on several sensors: one bulk request when the server has flag B, else one request each. */
  async set(names: string[], strategy: KatcpStrategy, rawParams: readonly (string | number)[]):
    Promise<{ sensor: string; ok: boolean; strategy: KatcpStrategy; params: number[]; reason?: string }[]> {
    if (!this.server.ready()) throw new ApiError('NotConnected', `${this.server.where} is not connected (or its sensors are not listed yet)`);
    const sensors: KatcpSensor[] = [];
    let params: number[] = [];
    for (const name of names) {
      const s = this.table.get(name);
      if (!s) throw new ApiError('InvalidRequest', `no sensor "${name}" on this server (see listSensors)`);
      const check = checkStrategy(strategy, rawParams, s.type, this.server.major());
      if (!check.ok) throw new ApiError('InvalidRequest', `sensor ${name}: ${check.reason}`);
      params = check.params;
      sensors.push(s);
    }
    const wire = wireParams(strategy, params, this.server.major());
    const apply = (s: KatcpSensor, r: KatcpReply) => {
      if (!r.ok) return { sensor: s.name, ok: false, strategy, params, reason: r.reply.slice(1).join(' ') || r.reply[0] || 'refused' };
      s.strategy = (r.reply[2] as KatcpStrategy | undefined) ?? strategy;
      s.strategyParams = r.reply.length > 3 ? paramsFromWire(s.strategy, r.reply.slice(3), this.server.major()) : params;
      this.chosen.set(s.name, { strategy, params });
      return { sensor: s.name, ok: true, strategy: s.strategy, params: s.strategyParams };
    };
    if (sensors.length > 1 && this.server.flags().includes('B')) {
      const r = await this.server.request('sensor-sampling', [sensors.map((s) => s.name).join(','), strategy, ...wire]);
      return sensors.map((s) => {
        const out = apply(s, { ...r, reply: r.ok ? [r.reply[0]!, s.name, ...r.reply.slice(2)] : r.reply });
        return out;
      });
    }
    const out = [];
    for (const s of sensors) out.push(apply(s, await this.server.request('sensor-sampling', [s.name, strategy, ...wire])));
    if (sensors.length === 1 && !out[0]!.ok) throw new ApiError('OperationFailure', `?sensor-sampling ${sensors[0]!.name} ${strategy} refused by the server: ${out[0]!.reason}`);
    return out;
  }
}
