// The sensor list as listSensors answers it: every sensor with its last value, status and
// strategy, filtered by a substring or a /regular expression/, and the sensors the server
// no longer lists with their last row.
import { ApiError } from '../../../shared/api/errors';
import type { KatcpSensorRow } from '../../../shared/api/katcp';
import { SENSOR_STATUSES } from './sensor-types';
import { sensorValueText, type SensorTable } from './sensors';

export function sensorRows(table: SensorTable, removed: ReadonlyMap<string, KatcpSensorRow>, filter: string | undefined): KatcpSensorRow[] {
  let test: (name: string) => boolean = () => true;
  if (filter) {
    if (filter.length >= 2 && filter.startsWith('/') && filter.endsWith('/')) {
      let re: RegExp;
      try {
        re = new RegExp(filter.slice(1, -1), 'i');
      } catch (e) {
        throw new ApiError('InvalidRequest', `filter ${filter} is not a regular expression: ${(e as Error).message}`);
      }
      test = (n) => re.test(n);
    } else {
      const needle = filter.toLowerCase();
      test = (n) => n.toLowerCase().includes(needle);
    }
  }
  const gone = [...removed.values()].filter((row) => test(row.name) || test(row.description));
  return table.sensors.filter((s) => test(s.name) || test(s.description)).map((s): KatcpSensorRow => ({
    name: s.name, description: s.description, units: s.units, type: s.type, params: s.params,
    value: sensorValueText(s),
    status: s.status < 0 ? '' : SENSOR_STATUSES[s.status]!,
    timestamp: Number.isNaN(s.timestamp) ? null : s.timestamp,
    ...(s.stale ? { stale: true } : {}),
    strategy: s.strategy,
    strategyParams: s.strategyParams,
  })).concat(gone);
}
