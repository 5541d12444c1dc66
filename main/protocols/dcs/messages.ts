// The text of DCS messages: the stoh_* DCSS sends and the htos_* a DHS answers,
// formatted and parsed. Parsing never throws: a message that does not fit its
// form comes back as { ok: false, reason } naming what was received and expected.

/**
 * The common motor and encoder status words. DCSS takes any token as a status (sscanf "%s"):
 * SSRL's simulated DHS also sends locked, too_fast and sw_limit. Only these carry a meaning here.
 */
export const MOTOR_STATUSES = ['normal', 'aborted', 'moving', 'cw_hw_limit', 'ccw_hw_limit', 'both_hw_limits', 'unknown'] as const;
export type MotorStatus = (typeof MOTOR_STATUSES)[number];

/** Splits off the first `n` space-separated tokens; `rest` is the text after them, spacing kept. */
export function splitTokens(text: string, n: number): { tokens: string[]; rest: string } {
  const tokens: string[] = [];
  let i = 0;
  const len = text.length;
  while (tokens.length < n) {
    while (i < len && text.charCodeAt(i) <= 32) i++;
    if (i >= len) break;
    const start = i;
    while (i < len && text.charCodeAt(i) > 32) i++;
    tokens.push(text.slice(start, i));
  }
  while (i < len && text.charCodeAt(i) <= 32) i++;
  return { tokens, rest: text.slice(i) };
}

export function words(text: string): string[] {
  const t = text.trim();
  return t === '' ? [] : t.split(/\s+/);
}

/** A decimal number as DCS writes one; NaN for anything else (no hex, no empty string). */
export function parseNumber(token: string | undefined): number {
  if (token === undefined || !/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(token)) return NaN;
  return Number(token);
}

/** Positions as DCSS prints them: plain decimal, no exponent for ordinary values. */
export function formatNumber(v: number): string {
  if (Number.isInteger(v)) return String(v);
  const s = String(v);
  return s.includes('e') ? v.toFixed(12).replace(/\.?0+$/, '') : s;
}

const flag = (b: boolean): string => (b ? '1' : '0');

// ---------------------------------------------------------------- DCSS -> DHS

export interface RealMotorConfiguration {
  name: string;
  hwHost: string;
  hwName: string;
  position: number;
  upperLimit: number;
  lowerLimit: number;
  scaleFactor: number;
  speed: number;
  acceleration: number;
  backlash: number;
  lowerLimitOn: boolean;
  upperLimitOn: boolean;
  motorLockOn: boolean;
  backlashOn: boolean;
  reverseOn: boolean;
  /** DCSS's device status word (dcs_device_status_t): 0 inactive, 1 moving. */
  status: number;
}

export interface PseudoMotorConfiguration {
  name: string;
  hwHost: string;
  hwName: string;
  position: number;
  upperLimit: number;
  lowerLimit: number;
  lowerLimitOn: boolean;
  upperLimitOn: boolean;
  motorLockOn: boolean;
  /** DCSS's device status word (dcs_device_status_t): 0 inactive, 1 moving. */
  status: number;
}

/** DCSS's dcs_device_status_t values a motor can have here. */
export const DEVICE_INACTIVE = 0;
export const DEVICE_MOVING = 1;

export const stoh = {
  sendClientType: () => 'stoc_send_client_type',
  registerRealMotor: (name: string, hwName: string) => `stoh_register_real_motor ${name} ${hwName}`,
  registerPseudoMotor: (name: string, hwName: string) => `stoh_register_pseudo_motor ${name} ${hwName}`,
  registerShutter: (name: string, state: 'open' | 'closed', hwName: string) => `stoh_register_shutter ${name} ${state} ${hwName}`,
  registerIonChamber: (name: string, hwName: string, counterChannel: number, timer: string, timerType: string) =>
    `stoh_register_ion_chamber ${name} ${hwName} ${counterChannel} ${timer} ${timerType}`,
  registerOperation: (name: string, hwName: string) => `stoh_register_operation ${name} ${hwName}`,
  registerEncoder: (name: string, hwName: string) => `stoh_register_encoder ${name} ${hwName}`,
  registerString: (name: string, hwName: string) => `stoh_register_string ${name} ${hwName}`,
  registerObject: (name: string, hwName: string) => `stoh_register_object ${name} ${hwName}`,
  // Always 16 values after the command (10 for a pseudo motor), the device status last, as
  // DCSS's dcss_database.c prints them: SSRL's Tcl DHS takes exactly that many and fails with fewer.
  configureRealMotor: (m: RealMotorConfiguration) => [
    'stoh_configure_real_motor', m.name, m.hwHost, m.hwName, formatNumber(m.position), formatNumber(m.upperLimit),
    formatNumber(m.lowerLimit), formatNumber(m.scaleFactor), formatNumber(m.speed), formatNumber(m.acceleration),
    formatNumber(m.backlash), flag(m.lowerLimitOn), flag(m.upperLimitOn), flag(m.motorLockOn), flag(m.backlashOn),
    flag(m.reverseOn), String(m.status),
  ].join(' '),
  configurePseudoMotor: (m: PseudoMotorConfiguration) => [
    'stoh_configure_pseudo_motor', m.name, m.hwHost, m.hwName, formatNumber(m.position), formatNumber(m.upperLimit),
    formatNumber(m.lowerLimit), flag(m.lowerLimitOn), flag(m.upperLimitOn), flag(m.motorLockOn), String(m.status),
  ].join(' '),
  startMotorMove: (motor: string, position: number) => `stoh_start_motor_move ${motor} ${formatNumber(position)}`,
  abortMotorMove: (motor: string) => `stoh_abort_motor_move ${motor}`,
  setMotorPosition: (motor: string, position: number) => `stoh_set_motor_position ${motor} ${formatNumber(position)}`,
  correctMotorPosition: (motor: string, correction: number) => `stoh_correct_motor_position ${motor} ${formatNumber(correction)}`,
  setMotorDependency: (motor: string, names: string[]) => `stoh_set_motor_dependency ${motor} ${names.join(' ')}`,
  setMotorChildren: (motor: string, names: string[]) => `stoh_set_motor_children ${motor} ${names.join(' ')}`,
  setShutterState: (shutter: string, open: boolean) => `stoh_set_shutter_state ${shutter} ${open ? 'open' : 'closed'}`,
  readIonChambers: (time: number, repeat: boolean, chambers: string[]) =>
    `stoh_read_ion_chambers ${formatNumber(time)} ${repeat ? 1 : 0} ${chambers.join(' ')}`,
  getEncoder: (name: string) => `stoh_get_encoder ${name}`,
  setEncoder: (name: string, position: number) => `stoh_set_encoder ${name} ${formatNumber(position)}`,
  setString: (name: string, contents: string) => `stoh_set_string ${name} ${contents}`,
  startOperation: (operation: string, handle: string, args: string[]) =>
    `stoh_start_operation ${operation} ${handle}${args.length ? ` ${args.join(' ')}` : ''}`,
  abortAll: (hard: boolean) => `stoh_abort_all ${hard ? 'hard' : 'soft'}`,
};

export type StohMessage =
  | { type: 'stoc_send_client_type' }
  | { type: 'stoh_register_real_motor' | 'stoh_register_pseudo_motor' | 'stoh_register_operation' | 'stoh_register_encoder' | 'stoh_register_string' | 'stoh_register_object'; name: string; hwName: string }
  | { type: 'stoh_register_shutter'; name: string; state: 'open' | 'closed'; hwName: string }
  | { type: 'stoh_register_ion_chamber'; name: string; hwName: string; counterChannel: number; timer: string; timerType: string }
  | { type: 'stoh_configure_real_motor'; config: RealMotorConfiguration }
  | { type: 'stoh_configure_pseudo_motor'; config: PseudoMotorConfiguration }
  | { type: 'stoh_start_motor_move' | 'stoh_set_motor_position' | 'stoh_set_encoder'; name: string; position: number }
  | { type: 'stoh_correct_motor_position'; name: string; correction: number }
  | { type: 'stoh_abort_motor_move' | 'stoh_get_encoder'; name: string }
  | { type: 'stoh_set_motor_dependency' | 'stoh_set_motor_children'; name: string; names: string[] }
  | { type: 'stoh_set_shutter_state'; name: string; open: boolean }
  | { type: 'stoh_read_ion_chambers'; time: number; repeat: boolean; chambers: string[] }
  | { type: 'stoh_set_string'; name: string; contents: string }
  | { type: 'stoh_start_operation'; operation: string; handle: string; args: string[] }
  | { type: 'stoh_abort_all'; hard: boolean };

export type Parsed<T> = { ok: true; message: T } | { ok: false; reason: string };

const bad = (text: string, expected: string): { ok: false; reason: string } =>
  ({ ok: false, reason: `"${text.length > 120 ? `${text.slice(0, 120)}…` : text}": expected ${expected}` });

const bool01 = (t: string | undefined): boolean | null => (t === '1' ? true : t === '0' ? false : null);

/** Reads a message DCSS sent (the emulator's side). */
export function parseStoh(text: string): Parsed<StohMessage> {
  const w = words(text);
  const type = w[0] ?? '';
  const name = w[1];
  switch (type) {
    case 'stoc_send_client_type':
      return { ok: true, message: { type } };
    case 'stoh_register_real_motor': case 'stoh_register_pseudo_motor': case 'stoh_register_operation':
    case 'stoh_register_encoder': case 'stoh_register_string': case 'stoh_register_object':
      if (w.length < 3) return bad(text, `${type} name hardwareName`);
      return { ok: true, message: { type, name: name!, hwName: w[2]! } };
    case 'stoh_register_shutter':
      if (w.length < 3 || (w[2] !== 'open' && w[2] !== 'closed')) return bad(text, 'stoh_register_shutter name open|closed [hardwareName]');
      return { ok: true, message: { type, name: name!, state: w[2], hwName: w[3] ?? name! } };
    case 'stoh_register_ion_chamber': {
      const ch = parseNumber(w[3]);
      if (w.length < 6 || !Number.isInteger(ch)) return bad(text, 'stoh_register_ion_chamber name hardwareName counterChannel timer timerType');
      return { ok: true, message: { type, name: name!, hwName: w[2]!, counterChannel: ch, timer: w[4]!, timerType: w[5]! } };
    }
    case 'stoh_configure_real_motor': {
      const n = w.slice(4, 11).map(parseNumber);
      const f = w.slice(11, 16).map(bool01);
      const status = parseNumber(w[16]);
      if (w.length !== 17 || n.some(Number.isNaN) || f.some((x) => x === null) || !Number.isInteger(status)) {
        return bad(text, 'stoh_configure_real_motor name hwHost hwName position upperLimit lowerLimit scaleFactor speed acceleration backlash lowerLimitOn upperLimitOn motorLockOn backlashOn reverseOn status (16 values)');
      }
      const [position, upperLimit, lowerLimit, scaleFactor, speed, acceleration, backlash] = n as [number, number, number, number, number, number, number];
      return {
        ok: true,
        message: {
          type,
          config: {
            name: name!, hwHost: w[2]!, hwName: w[3]!, position, upperLimit, lowerLimit, scaleFactor, speed, acceleration, backlash,
            lowerLimitOn: f[0]!, upperLimitOn: f[1]!, motorLockOn: f[2]!, backlashOn: f[3]!, reverseOn: f[4]!, status,
          },
        },
      };
    }
    case 'stoh_configure_pseudo_motor': {
      const n = w.slice(4, 7).map(parseNumber);
      const f = w.slice(7, 10).map(bool01);
      const status = parseNumber(w[10]);
      if (w.length !== 11 || n.some(Number.isNaN) || f.some((x) => x === null) || !Number.isInteger(status)) {
        return bad(text, 'stoh_configure_pseudo_motor name hwHost hwName position upperLimit lowerLimit lowerLimitOn upperLimitOn motorLockOn status (10 values)');
      }
      return {
        ok: true,
        message: { type, config: { name: name!, hwHost: w[2]!, hwName: w[3]!, position: n[0]!, upperLimit: n[1]!, lowerLimit: n[2]!, lowerLimitOn: f[0]!, upperLimitOn: f[1]!, motorLockOn: f[2]!, status } },
      };
    }
    case 'stoh_start_motor_move': case 'stoh_set_motor_position': case 'stoh_set_encoder': {
      const position = parseNumber(w[2]);
      if (w.length < 3 || Number.isNaN(position)) return bad(text, `${type} name position (a number)`);
      return { ok: true, message: { type, name: name!, position } };
    }
    case 'stoh_correct_motor_position': {
      const correction = parseNumber(w[2]);
      if (w.length < 3 || Number.isNaN(correction)) return bad(text, `${type} name correction (a number)`);
      return { ok: true, message: { type, name: name!, correction } };
    }
    case 'stoh_abort_motor_move': case 'stoh_get_encoder':
      if (w.length < 2) return bad(text, `${type} name`);
      return { ok: true, message: { type, name: name! } };
    case 'stoh_set_motor_dependency': case 'stoh_set_motor_children':
      if (w.length < 2) return bad(text, `${type} motor names...`);
      return { ok: true, message: { type, name: name!, names: w.slice(2) } };
    case 'stoh_set_shutter_state':
      if (w.length < 3 || (w[2] !== 'open' && w[2] !== 'closed')) return bad(text, 'stoh_set_shutter_state name open|closed');
      return { ok: true, message: { type, name: name!, open: w[2] === 'open' } };
    case 'stoh_read_ion_chambers': {
      const time = parseNumber(w[1]);
      if (w.length < 4 || Number.isNaN(time)) return bad(text, 'stoh_read_ion_chambers time repeat channel [channel...]');
      return { ok: true, message: { type, time, repeat: w[2] !== '0', chambers: w.slice(3) } };
    }
    case 'stoh_set_string': {
      const { tokens, rest } = splitTokens(text, 2);
      if (tokens.length < 2) return bad(text, 'stoh_set_string name contents...');
      return { ok: true, message: { type, name: tokens[1]!, contents: rest } };
    }
    case 'stoh_start_operation':
      if (w.length < 3) return bad(text, 'stoh_start_operation operationName handle [args...]');
      return { ok: true, message: { type, operation: name!, handle: w[2]!, args: w.slice(3) } };
    case 'stoh_abort_all':
      return { ok: true, message: { type, hard: w[1] === 'hard' } };
    default:
      return bad(text, 'a stoc_ or stoh_ command');
  }
}

// ---------------------------------------------------------------- DHS -> DCSS

export const htos = {
  clientIsHardware: (name: string) => `htos_client_is_hardware ${name}`,
  /** The answer of SSRL's Tcl DHS library (DcsProtocol.tcl); DCSS reads the name from the second token. */
  clientTypeIsHardware: (name: string) => `htos_client_type_is_hardware ${name} dcsProtocol_2.0`,
  motorMoveStarted: (motor: string, position: number) => `htos_motor_move_started ${motor} ${formatNumber(position)}`,
  updateMotorPosition: (motor: string, position: number, status: MotorStatus) => `htos_update_motor_position ${motor} ${formatNumber(position)} ${status}`,
  motorMoveCompleted: (motor: string, position: number, status: string) => `htos_motor_move_completed ${motor} ${formatNumber(position)} ${status}`,
  motorCorrectStarted: (motor: string) => `htos_motor_correct_started ${motor}`,
  limitHit: (motor: string, which: string) => `htos_limit_hit ${motor} ${which}`,
  sendConfiguration: (device: string) => `htos_send_configuration ${device}`,
  reportShutterState: (shutter: string, open: boolean, result?: string) => `htos_report_shutter_state ${shutter} ${open ? 'open' : 'closed'}${result ? ` ${result}` : ''}`,
  reportIonChambers: (time: number, counts: [string, number][]) =>
    `htos_report_ion_chambers ${formatNumber(time)} ${counts.map(([n, c]) => `${n} ${formatNumber(c)}`).join(' ')}`,
  getEncoderCompleted: (name: string, position: number, status: MotorStatus) => `htos_get_encoder_completed ${name} ${formatNumber(position)} ${status}`,
  setEncoderCompleted: (name: string, position: number, status: MotorStatus) => `htos_set_encoder_completed ${name} ${formatNumber(position)} ${status}`,
  setStringCompleted: (name: string, status: string, value: string) => `htos_set_string_completed ${name} ${status} ${value}`,
  operationUpdate: (operation: string, handle: string, args: string[]) => `htos_operation_update ${operation} ${handle}${args.length ? ` ${args.join(' ')}` : ''}`,
  operationCompleted: (operation: string, handle: string, status: string, args: string[]) =>
    `htos_operation_completed ${operation} ${handle} ${status}${args.length ? ` ${args.join(' ')}` : ''}`,
  note: (text: string) => `htos_note ${text}`,
  log: (text: string) => `htos_log ${text}`,
};

export type HtosMessage =
  | { type: 'htos_client_is_hardware'; name: string }
  | { type: 'htos_motor_move_started'; motor: string; position: number }
  | { type: 'htos_update_motor_position' | 'htos_motor_move_completed'; motor: string; position: number; status: string }
  | { type: 'htos_configure_device'; device: string; args: string[] }
  | { type: 'htos_send_configuration'; device: string }
  | { type: 'htos_report_shutter_state'; shutter: string; open: boolean; result: string }
  | { type: 'htos_report_ion_chambers'; time: number; counts: { name: string; counts: number }[] }
  | { type: 'htos_get_encoder_completed' | 'htos_set_encoder_completed'; encoder: string; position: number; status: string }
  | { type: 'htos_set_string_completed'; name: string; status: string; value: string }
  | { type: 'htos_operation_update'; operation: string; handle: string; args: string[] }
  | { type: 'htos_operation_completed'; operation: string; handle: string; status: string; args: string[] }
  | { type: 'htos_start_operation' | 'htos_limit_hit' | 'htos_simulating_device' | 'htos_motor_correct_started'; args: string[] }
  | { type: 'htos_note' | 'htos_log'; text: string };

/** Reads a message a DHS sent (the DCSS side). `unknown` for a command DCSS does not know. */
export function parseHtos(text: string): Parsed<HtosMessage> | { ok: false; unknown: true; reason: string } {
  const w = words(text);
  const type = w[0] ?? '';
  switch (type) {
    case 'htos_client_is_hardware':
      if (w.length < 2) return bad(text, 'htos_client_is_hardware dhsName');
      return { ok: true, message: { type, name: w[1]! } };
    case 'htos_motor_move_started': {
      const position = parseNumber(w[2]);
      if (w.length < 3 || Number.isNaN(position)) return bad(text, `${type} motor position (a number)`);
      return { ok: true, message: { type, motor: w[1]!, position } };
    }
    case 'htos_update_motor_position': case 'htos_motor_move_completed':
    case 'htos_get_encoder_completed': case 'htos_set_encoder_completed': {
      const position = parseNumber(w[2]);
      const status = w[3] ?? '';
      if (w.length < 4 || Number.isNaN(position)) return bad(text, `${type} name position status, position a number`);
      if (type === 'htos_get_encoder_completed' || type === 'htos_set_encoder_completed') return { ok: true, message: { type, encoder: w[1]!, position, status } };
      return { ok: true, message: { type, motor: w[1]!, position, status } };
    }
    case 'htos_configure_device':
      if (w.length < 2) return bad(text, 'htos_configure_device name configuration...');
      return { ok: true, message: { type, device: w[1]!, args: w.slice(2) } };
    case 'htos_send_configuration':
      if (w.length < 2) return bad(text, 'htos_send_configuration device');
      return { ok: true, message: { type, device: w[1]! } };
    case 'htos_report_shutter_state':
      if (w.length < 3 || (w[2] !== 'open' && w[2] !== 'closed')) return bad(text, 'htos_report_shutter_state shutter open|closed [result]');
      return { ok: true, message: { type, shutter: w[1]!, open: w[2] === 'open', result: w.slice(3).join(' ') } };
    case 'htos_report_ion_chambers': {
      const time = parseNumber(w[1]);
      const pairs = w.slice(2);
      if (Number.isNaN(time) || pairs.length % 2 !== 0) return bad(text, 'htos_report_ion_chambers time name counts [name counts...]');
      const counts: { name: string; counts: number }[] = [];
      for (let i = 0; i < pairs.length; i += 2) {
        const c = parseNumber(pairs[i + 1]);
        if (Number.isNaN(c)) return bad(text, `counts of ${pairs[i]} to be a number, got "${pairs[i + 1]}"`);
        counts.push({ name: pairs[i]!, counts: c });
      }
      return { ok: true, message: { type, time, counts } };
    }
    case 'htos_set_string_completed': {
      const { tokens, rest } = splitTokens(text, 3);
      if (tokens.length < 3) return bad(text, 'htos_set_string_completed name status value...');
      return { ok: true, message: { type, name: tokens[1]!, status: tokens[2]!, value: rest } };
    }
    case 'htos_operation_update':
      if (w.length < 3) return bad(text, 'htos_operation_update operationName handle args...');
      return { ok: true, message: { type, operation: w[1]!, handle: w[2]!, args: w.slice(3) } };
    case 'htos_operation_completed':
      if (w.length < 4) return bad(text, 'htos_operation_completed operationName handle status args...');
      return { ok: true, message: { type, operation: w[1]!, handle: w[2]!, status: w[3]!, args: w.slice(4) } };
    case 'htos_start_operation': case 'htos_limit_hit': case 'htos_simulating_device': case 'htos_motor_correct_started':
      return { ok: true, message: { type, args: w.slice(1) } };
    case 'htos_note': case 'htos_log':
      return { ok: true, message: { type, text: splitTokens(text, 1).rest } };
    default:
      return { ok: false, unknown: true, reason: `unrecognised command "${type.slice(0, 64)}"` };
  }
}
