// The emulated telescope's sensors: one of every KATCP type, each with its own
// way of changing over time and statuses that come and go.
import type { KatcpSensorStatus, KatcpSensorType } from './sensor-types';

export interface EmulatedSensor {
  name: string;
  description: string;
  units: string;
  type: KatcpSensorType;
  /** `#sensor-list` params: min/max for numbers, the allowed values of a discrete. */
  params: string[];
  value: number | string;
  status: KatcpSensorStatus;
  /** Seconds since the epoch of the last change. */
  timestamp: number;
  /** Only protocol v5 has this sensor (address type, v5 statuses). */
  v5Only?: boolean;
  /** Computes value and status at t (seconds since the emulator started) and now (epoch seconds); undefined for sensors set by hand. */
  next?: (t: number, now: number) => { value: number | string; status: KatcpSensorStatus };
}

const MODES = ['idle', 'slew', 'track', 'stow'];
const MESSAGES = ['tracking source 3C273', 'slewing to target', 'waiting for wind to drop', 'stowed\tfor maintenance'];

function band(v: number, warnLo: number, warnHi: number, errLo: number, errHi: number): KatcpSensorStatus {
  if (v < errLo || v > errHi) return 'error';
  if (v < warnLo || v > warnHi) return 'warn';
  return 'nominal';
}

export function telescopeSensors(): EmulatedSensor[] {
  const s = (x: Omit<EmulatedSensor, 'value' | 'status' | 'timestamp'>): EmulatedSensor => ({ ...x, value: 0, status: 'unknown', timestamp: 0 });
  return [
    s({ name: 'antenna.azimuth', description: 'Antenna azimuth angle', units: 'deg', type: 'float', params: ['-185', '275'],
      next: (t) => ({ value: round(90 * Math.sin(t / 20) + 45, 4), status: 'nominal' }) }),
    s({ name: 'antenna.elevation', description: 'Antenna elevation angle', units: 'deg', type: 'float', params: ['0', '90'],
      next: (t) => ({ value: round(45 + 30 * Math.sin(t / 13), 4), status: 'nominal' }) }),
    s({ name: 'rx.temperature', description: 'Receiver front-end temperature', units: 'degC', type: 'float', params: ['-20', '80'],
      next: (t) => { const v = round(40 + 25 * Math.sin(t / 7), 3); return { value: v, status: band(v, 20, 55, -20, 80) }; } }),
    s({ name: 'rx.lna.current', description: 'LNA drain current', units: 'mA', type: 'float', params: [],
      next: (t) => ({ value: round(12 + 0.8 * Math.sin(t * 3) + 0.2 * Math.sin(t * 17), 5), status: 'nominal' }) }),
    s({ name: 'fan.speed', description: 'Cooling fan speed', units: 'rpm', type: 'integer', params: ['0', '6000'],
      next: (t) => { const v = Math.round(3000 + 2000 * Math.sin(t / 5)); return { value: v, status: v > 4800 ? 'error' : v > 4400 ? 'warn' : 'nominal' }; } }),
    s({ name: 'drive.enabled', description: 'Drive amplifiers powered', units: '', type: 'boolean', params: [],
      next: (t) => ({ value: Math.floor(t / 4) % 2 === 0 ? 1 : 0, status: 'nominal' }) }),
    s({ name: 'drive.mode', description: 'Drive control mode', units: '', type: 'discrete', params: MODES,
      next: (t) => ({ value: MODES[Math.floor(t / 3) % MODES.length]!, status: 'nominal' }) }),
    s({ name: 'device.health', description: 'Overall health (lru)', units: '', type: 'lru', params: [],
      next: (t) => { const ok = Math.floor(t / 10) % 3 !== 2; return { value: ok ? 'nominal' : 'error', status: ok ? 'nominal' : 'error' }; } }),
    s({ name: 'drive.message', description: 'Last drive controller message', units: '', type: 'string', params: [],
      next: (t) => ({ value: MESSAGES[Math.floor(t / 5) % MESSAGES.length]!, status: 'nominal' }) }),
    s({ name: 'clock.last-sync', description: 'Time of the last NTP sync', units: '', type: 'timestamp', params: [],
      next: (_t, now) => ({ value: Math.floor(now / 2) * 2, status: 'nominal' }) }),
    s({ name: 'peer.address', description: 'Correlator data address', units: '', type: 'address', params: [], v5Only: true,
      next: (t) => {
        const phase = Math.floor(t / 6) % 3;
        return { value: phase === 1 ? '[::1]:7148' : '192.168.1.10:7148', status: phase === 2 ? 'unreachable' : 'nominal' };
      } }),
    s({ name: 'ups.charge', description: 'UPS battery charge (inactive on mains)', units: '%', type: 'float', params: ['0', '100'], v5Only: true,
      next: (t) => { const on = Math.floor(t / 8) % 2 === 0; return { value: round(80 + 10 * Math.sin(t / 3), 2), status: on ? 'nominal' : 'inactive' }; } }),
  ];
}

function round(v: number, digits: number): number {
  const k = 10 ** digits;
  return Math.round(v * k) / k;
}
