// The sensors of one KATCP server as the client knows them: their description
// from ?sensor-list, their last reading, and their strategy.
//
// Hot-path invariants (#sensor-status is the protocol's telemetry stream):
// - A reading finds its sensor through a table keyed by the name's bytes and reads
//   status and value from bytes: no string, object or array per reading for
//   numeric, boolean, discrete and lru sensors. Strings are made only for string
//   and address sensors (shown in a table, never plotted) and for events.
// - Integer, float and timestamp sensors stream into the telemetry store with the
//   reading's own timestamp; boolean (0/1), lru (0 nominal, 1 error) and discrete
//   (index of the value among the allowed ones) stream too, as state timelines.
import { SignalNameTable } from '../lines/signal-names';
import { ascii, type KatcpMessageView } from './codec';
import { SENSOR_STATUSES, isNumericType, timestampToSeconds, type KatcpStrategy } from './sensor-types';

export interface KatcpSensorDescription {
  name: string;
  description: string;
  units: string;
  type: string;
  params: string[];
}

export interface KatcpSensor extends KatcpSensorDescription {
  /** Telemetry signal id, or -1 for sensors not streamed (string, address). */
  signalId: number;
  /** Index into SENSOR_STATUSES, -1 before the first reading. */
  status: number;
  /** Numeric value, 0/1, or the discrete index (-1 for a value not among the allowed ones). */
  value: number;
  /** Text of string, address and discrete values. */
  text: string | null;
  /** Seconds since the epoch of the last reading, NaN before the first. */
  timestamp: number;
  strategy: KatcpStrategy;
  strategyParams: number[];
  choices: Uint8Array[];
  /** Unreachable since the connection dropped: value and timestamp are the last ones read, no longer current. */
  stale: boolean;
}

export interface SensorSink {
  /** `states`: a boolean, lru or discrete sensor's value names (the sample is the index). */
  signal(name: string, unit?: string, states?: string[]): number;
  sample(id: number, t: number, v: number): void;
  /** A sensor's status changed (never for the first reading after a connect). */
  statusChanged(s: KatcpSensor, previous: number, t: number): void;
  /** A boolean, discrete or lru sensor changed value. */
  stateChanged(s: KatcpSensor, t: number): void;
}

const STATUS_BYTES = SENSOR_STATUSES.map(ascii);
const UNREACHABLE = SENSOR_STATUSES.indexOf('unreachable');
const ONE = ascii('1');
const NOMINAL = ascii('nominal');
const ERROR = ascii('error');
const T_NUMBER = 0;
const T_BOOLEAN = 1;
const T_DISCRETE = 2;
const T_LRU = 3;
const T_TEXT = 4;

function kindOf(type: string): number {
  if (isNumericType(type)) return T_NUMBER;
  if (type === 'boolean') return T_BOOLEAN;
  if (type === 'discrete') return T_DISCRETE;
  if (type === 'lru') return T_LRU;
  return T_TEXT;
}

/** The state names of a boolean, lru or discrete sensor (its samples are their indices); none for numbers. */
function statesOf(kind: number, params: string[]): string[] | undefined {
  if (kind === T_BOOLEAN) return ['false', 'true'];
  if (kind === T_LRU) return ['nominal', 'error'];
  if (kind === T_DISCRETE) return params.slice();
  return undefined;
}

export class SensorTable {
  sensors: KatcpSensor[] = [];
  /** Protocol major version: v4 timestamps are milliseconds. */
  major = 5;
  readings = 0;
  /** Readings of sensors not in the list, or with a bad status or value. */
  badReadings = 0;
  lastProblem: string | null = null;
  private kinds = new Uint8Array(0);
  private names = new SignalNameTable();
  private readonly byName = new Map<string, number>();

  constructor(private readonly sink: SensorSink) {}

  get(name: string): KatcpSensor | undefined {
    const i = this.byName.get(name);
    return i === undefined ? undefined : this.sensors[i];
  }

  /** A fresh ?sensor-list: known sensors keep their reading and strategy, new ones start blank. */
  replace(list: KatcpSensorDescription[]): { added: string[]; removed: string[] } {
    const old = new Map(this.sensors.map((s) => [s.name, s]));
    const next: KatcpSensor[] = [];
    this.byName.clear();
    this.names = new SignalNameTable();
    for (const d of list) {
      if (this.byName.has(d.name)) continue;
      const prev = old.get(d.name);
      const kind = kindOf(d.type);
      const s: KatcpSensor = {
        ...d,
        signalId: kind === T_TEXT ? -1 : this.sink.signal(d.name, d.units || undefined, statesOf(kind, d.params)),
        status: prev?.status ?? -1,
        value: prev?.value ?? NaN,
        text: prev?.text ?? null,
        timestamp: prev?.timestamp ?? NaN,
        strategy: prev?.strategy ?? 'none',
        strategyParams: prev?.strategyParams ?? [],
        stale: prev?.stale ?? false,
        choices: d.type === 'discrete' ? d.params.map(ascii) : [],
      };
      const bytes = ascii(d.name);
      this.byName.set(d.name, next.length);
      this.names.add(bytes, 0, bytes.length, next.length);
      next.push(s);
    }
    this.sensors = next;
    this.kinds = Uint8Array.from(next.map((s) => kindOf(s.type)));
    return {
      added: next.filter((s) => !old.has(s.name)).map((s) => s.name),
      removed: [...old.keys()].filter((n) => !this.byName.has(n)),
    };
  }

  /** The connection dropped: every sensor read so far is unreachable, its last value kept (stale). Returns how many. */
  markUnreachable(): number {
    let n = 0;
    for (const s of this.sensors) {
      if (s.status < 0) continue;
      s.status = UNREACHABLE;
      s.stale = true;
      n++;
    }
    return n;
  }

  /** `ts count (name status value){count}`, from #sensor-status or #sensor-value. */
  reading(v: KatcpMessageView, receivedAt: number): void {
    const raw = v.argNumber(0);
    const t = Number.isFinite(raw) ? timestampToSeconds(raw, this.major) : receivedAt;
    const n = v.argNumber(1);
    const count = Number.isInteger(n) && n >= 1 ? n : 1;
    for (let k = 0; k < count; k++) {
      const base = 2 + 3 * k;
      if (base + 2 >= v.argc) {
        this.bad(`#${v.name} has ${v.argc} arguments, expected "timestamp count" then ${count} × "name status value"`);
        return;
      }
      const idx = this.names.find(v.buf, v.argStart[base]!, v.argEnd[base]!);
      if (idx < 0) {
        this.bad(`#${v.name} for sensor "${v.arg(base)}", which ?sensor-list did not list`);
        continue;
      }
      this.apply(this.sensors[idx]!, this.kinds[idx]!, v, base + 1, t);
    }
  }

  private apply(s: KatcpSensor, kind: number, v: KatcpMessageView, at: number, t: number): void {
    let status = -1;
    for (let i = 0; i < STATUS_BYTES.length; i++) {
      if (v.argIs(at, STATUS_BYTES[i]!)) {
        status = i;
        break;
      }
    }
    if (status < 0) {
      this.bad(`sensor ${s.name}: status "${v.arg(at)}" is not one of ${SENSOR_STATUSES.join(', ')}`);
      return;
    }
    this.readings++;
    // The first reading after a reconnection is not a change of the sensor's: unreachable was the link's.
    const previous = s.stale ? -1 : s.status;
    s.stale = false;
    s.status = status;
    s.timestamp = t;
    // Only nominal, warn and error carry a meaningful value.
    const meaningful = status >= 1 && status <= 3;
    const vi = at + 1;
    switch (kind) {
      case T_NUMBER: {
        let value = v.argNumber(vi);
        if (s.type === 'timestamp') value = timestampToSeconds(value, this.major);
        if (meaningful && Number.isNaN(value) && v.argLength(vi) > 0) this.bad(`sensor ${s.name}: value "${v.arg(vi)}" is not a number`);
        s.value = value;
        if (meaningful && Number.isFinite(value)) this.sink.sample(s.signalId, t, value);
        break;
      }
      case T_BOOLEAN:
      case T_LRU:
      case T_DISCRETE: {
        let value: number;
        if (kind === T_BOOLEAN) value = v.argIs(vi, ONE) ? 1 : 0;
        else if (kind === T_LRU) value = v.argIs(vi, NOMINAL) ? 0 : v.argIs(vi, ERROR) ? 1 : -1;
        else {
          value = -1;
          for (let i = 0; i < s.choices.length; i++) if (v.argIs(vi, s.choices[i]!)) { value = i; break; }
        }
        const changed = value !== s.value || (value === -1 && s.text !== v.arg(vi));
        s.value = value;
        if (changed || s.text === null) s.text = kind === T_DISCRETE || value === -1 ? v.arg(vi) : null;
        if (meaningful && value >= 0) this.sink.sample(s.signalId, t, value);
        if (changed && previous >= 0) this.sink.stateChanged(s, t);
        break;
      }
      default:
        s.text = v.arg(vi);
        break;
    }
    if (previous >= 0 && previous !== status) this.sink.statusChanged(s, previous, t);
  }

  private bad(problem: string): void {
    this.badReadings++;
    this.lastProblem = problem;
  }
}

/** A sensor's value as text for tables and events. */
export function sensorValueText(s: KatcpSensor): string {
  if (s.status < 0) return '';
  if (s.text !== null) return s.text;
  switch (s.type) {
    case 'boolean': return s.value === 1 ? '1' : '0';
    case 'lru': return s.value === 0 ? 'nominal' : s.value === 1 ? 'error' : '';
    default: return Number.isNaN(s.value) ? '' : String(s.value);
  }
}
