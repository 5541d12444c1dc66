// What DCSS knows of each device: its configuration, owner and last reported state.
// Built once from the configuration; the session updates it from htos_* messages.
import type { DcsOptions, PseudoMotorConfig, RealMotorConfig } from './config';
import { DEVICE_INACTIVE, DEVICE_MOVING, MOTOR_STATUSES, type PseudoMotorConfiguration, type RealMotorConfiguration } from './messages';

export interface MotorState {
  name: string;
  kind: 'real' | 'pseudo';
  dhs: string;
  hwName: string;
  units: string | null;
  /** The configuration DCSS sends; the DHS may change it with htos_configure_device. */
  config: RealMotorConfig | PseudoMotorConfig;
  position: number;
  /** The last status word the DHS sent: one of MOTOR_STATUSES, or any other token it chose. */
  status: string;
  /** True from stoh_start_motor_move (or htos_motor_move_started) to htos_motor_move_completed. */
  moving: boolean;
  target: number | null;
  /** Position updates received, for the panel's rate and the benchmark. */
  updates: number;
  signalId: number;
  /** `<motor>.status`: the index of the status word at each move start and completion, so they show on a plot. */
  statusSignalId: number;
  lastMoveStartedAt: number | null;
  lastMoveCompletedAt: number | null;
}

export interface ShutterState { name: string; dhs: string; hwName: string; state: 'open' | 'closed'; lastResult: string | null; reportedAt: number | null }
export interface IonChamberState {
  name: string; dhs: string; hwName: string; counterChannel: number; timer: string; timerType: string;
  counts: number | null; time: number | null; readAt: number | null; signalId: number;
}
export interface EncoderState { name: string; dhs: string; hwName: string; position: number | null; status: string | null; reportedAt: number | null }
export interface StringState { name: string; dhs: string; hwName: string; value: string | null; lastStatus: string | null; reportedAt: number | null }
export interface OperationDefinition { name: string; dhs: string; hwName: string }

export interface DeviceTable {
  motors: Map<string, MotorState>;
  shutters: Map<string, ShutterState>;
  ionChambers: Map<string, IonChamberState>;
  encoders: Map<string, EncoderState>;
  strings: Map<string, StringState>;
  operations: Map<string, OperationDefinition>;
  /** Motors in configuration order, for index-based lookups on the hot path. */
  motorList: MotorState[];
}

export function buildDevices(options: DcsOptions, signal: (name: string, unit?: string, states?: readonly string[]) => number): DeviceTable {
  const t: DeviceTable = { motors: new Map(), shutters: new Map(), ionChambers: new Map(), encoders: new Map(), strings: new Map(), operations: new Map(), motorList: [] };
  for (const h of options.hardwareServers) {
    const motor = (m: RealMotorConfig | PseudoMotorConfig, kind: 'real' | 'pseudo'): void => {
      const state: MotorState = {
        name: m.name, kind, dhs: h.name, hwName: m.hwName ?? m.name, units: m.units ?? null, config: { ...m },
        position: m.position, status: 'normal', moving: false, target: null, updates: 0,
        signalId: signal(m.name, m.units), statusSignalId: signal(`${m.name}.status`, undefined, MOTOR_STATUSES), lastMoveStartedAt: null, lastMoveCompletedAt: null,
      };
      t.motors.set(m.name, state);
      t.motorList.push(state);
    };
    for (const m of h.realMotors) motor(m, 'real');
    for (const m of h.pseudoMotors) motor(m, 'pseudo');
    for (const s of h.shutters) t.shutters.set(s.name, { name: s.name, dhs: h.name, hwName: s.hwName ?? s.name, state: s.state, lastResult: null, reportedAt: null });
    for (const c of h.ionChambers) {
      t.ionChambers.set(c.name, { ...c, dhs: h.name, counts: null, time: null, readAt: null, signalId: signal(c.name, 'counts') });
    }
    for (const e of h.encoders) t.encoders.set(e.name, { name: e.name, dhs: h.name, hwName: e.hwName ?? e.name, position: null, status: null, reportedAt: null });
    for (const s of h.strings) t.strings.set(s.name, { name: s.name, dhs: h.name, hwName: s.hwName ?? s.name, value: null, lastStatus: null, reportedAt: null });
    for (const o of h.operations) t.operations.set(o.name, { name: o.name, dhs: h.name, hwName: o.hwName ?? o.name });
  }
  return t;
}

/** Every device a hardware server owns, by name. */
export function ownedBy(t: DeviceTable, dhs: string): Set<string> {
  const names = new Set<string>();
  for (const map of [t.motors, t.shutters, t.ionChambers, t.encoders, t.strings, t.operations] as Map<string, { dhs: string }>[]) {
    for (const [name, d] of map) if (d.dhs === dhs) names.add(name);
  }
  return names;
}

export function realMotorConfiguration(m: MotorState, hwHost: string): RealMotorConfiguration {
  const c = m.config as RealMotorConfig;
  return {
    name: m.name, hwHost, hwName: m.hwName, position: m.position, upperLimit: c.upperLimit, lowerLimit: c.lowerLimit,
    scaleFactor: c.scaleFactor, speed: c.speed, acceleration: c.acceleration, backlash: c.backlash,
    lowerLimitOn: c.lowerLimitOn, upperLimitOn: c.upperLimitOn, motorLockOn: c.motorLockOn, backlashOn: c.backlashOn,
    reverseOn: c.reverseOn, status: m.moving ? DEVICE_MOVING : DEVICE_INACTIVE,
  };
}

export function pseudoMotorConfiguration(m: MotorState, hwHost: string): PseudoMotorConfiguration {
  const c = m.config;
  return {
    name: m.name, hwHost, hwName: m.hwName, position: m.position, upperLimit: c.upperLimit, lowerLimit: c.lowerLimit,
    lowerLimitOn: c.lowerLimitOn, upperLimitOn: c.upperLimitOn, motorLockOn: c.motorLockOn, status: m.moving ? DEVICE_MOVING : DEVICE_INACTIVE,
  };
}

/** Why a move to `position` is refused by the motor's software limits, or null. */
export function limitViolation(m: MotorState, position: number): string | null {
  const c = m.config;
  if (c.upperLimitOn && position > c.upperLimit) return `${position} is above the upper limit ${c.upperLimit} of ${m.name}`;
  if (c.lowerLimitOn && position < c.lowerLimit) return `${position} is below the lower limit ${c.lowerLimit} of ${m.name}`;
  return null;
}

