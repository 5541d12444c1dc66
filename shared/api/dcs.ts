// DCS shapes shared by the engine's session, the panel and the SDK: the requests an
// engineer or a script makes of the DHS under test (sessionAction) and what they return.
import { z } from 'zod';
import { action } from './actions';

const name = z.string().trim().min(1).max(64);
const position = z.number({ error: 'position must be a number' }).finite();
const timeoutS = z.number().min(0).max(3600).optional();

/**
 * One operation argument: DCS carries them as space-separated tokens, so an argument
 * holding a space (or any blank or control character) or an empty one would arrive
 * mangled: refused here rather than sent.
 */
const operationArg = z.union([z.string().max(4000), z.number().finite()]).superRefine((v, ctx) => {
  if (typeof v !== 'string') return;
  const blank = /[\x00-\x20\x7f]/.exec(v);
  if (v === '') ctx.addIssue({ code: 'custom', message: 'an empty argument cannot be carried: DCS operation arguments are space-separated tokens' });
  else if (blank) {
    const what = blank[0] === ' ' ? 'a space' : `the control character 0x${blank[0].charCodeAt(0).toString(16).padStart(2, '0')}`;
    ctx.addIssue({ code: 'custom', message: `"${v.length > 60 ? `${v.slice(0, 60)}…` : v}" holds ${what} and cannot be carried as one token: DCS operation arguments are space-separated tokens` });
  }
});

export interface DcsServerRow {
  name: string; address: string; protocol: number; connected: boolean; peer: string | null; connectedAt: number | null;
  connects: number; lastRejection: string | null; lastDisconnect: string | null;
}
export interface DcsMotorRow {
  name: string; kind: 'real' | 'pseudo'; dhs: string; units: string | null; position: number; status: string; moving: boolean;
  target: number | null; updates: number; signalId: number; lowerLimit: number; upperLimit: number; lowerLimitOn: boolean; upperLimitOn: boolean;
}
export interface DcsShutterRow { name: string; dhs: string; hwName: string; state: 'open' | 'closed'; lastResult: string | null; reportedAt: number | null }
export interface DcsIonChamberRow { name: string; dhs: string; hwName: string; counts: number | null; time: number | null; readAt: number | null; signalId: number }
export interface DcsEncoderRow { name: string; dhs: string; hwName: string; position: number | null; status: string | null; reportedAt: number | null }
export interface DcsStringRow { name: string; dhs: string; hwName: string; value: string | null; lastStatus: string | null; reportedAt: number | null }
export interface DcsOperationDefinition { name: string; dhs: string; hwName: string }
export interface DcsOperationRecord {
  operation: string; handle: string; dhs: string; args: string[]; startedAt: number;
  updates: { t: number; args: string[] }[];
  completed: { t: number; status: string; args: string[] } | null;
}

/** What DCSS knows: its hardware servers and every device with its last reported state. */
export interface DcsTree {
  hardwareServers: DcsServerRow[];
  motors: DcsMotorRow[];
  shutters: DcsShutterRow[];
  ionChambers: DcsIonChamberRow[];
  encoders: DcsEncoderRow[];
  strings: DcsStringRow[];
  operations: DcsOperationDefinition[];
  /** The newest operation runs (at most 50). */
  operationRuns: DcsOperationRecord[];
}

export interface DcsMotorView { motor: string; position: number; status: string; moving: boolean; target: number | null }
export interface DcsOperationView {
  operation: string; handle: string; args: string[]; status: string | null; result: string[]; ok: boolean;
  updates: { t: number; args: string[] }[]; startedAt: number; completedAt: number | null;
}
export interface DcsShutterResult { shutter: string; state: 'open' | 'closed'; result: string }
export interface DcsIonChambersResult { time: number; ok: boolean; counts: Record<string, number> }
export interface DcsEncoderResult { encoder: string; position: number; status: string }
export interface DcsStringResult { string: string; status: string; value: string | null }

const none = z.object({}).strict().optional();

export const DcsActions = {
  devices: action<DcsTree>()(none, 'Hardware servers and every device with its last reported state'),
  moveMotor: action<DcsMotorView>()(z.object({ motor: name, position }).strict(), 'Starts a move (stoh_start_motor_move); returns at once'),
  abortMotor: action<DcsMotorView>()(z.object({ motor: name }).strict(), 'Asks the motor\'s DHS to stop it (stoh_abort_motor_move)'),
  setMotorPosition: action<DcsMotorView>()(z.object({ motor: name, position }).strict(), 'Redefines where the motor is (stoh_set_motor_position)'),
  correctMotor: action<DcsMotorView>()(z.object({ motor: name, correction: position }).strict(), 'Shifts the motor\'s position by a correction (stoh_correct_motor_position)'),
  waitMotor: action<DcsMotorView>()(z.object({ motor: name, timeoutS }).strict(), 'Waits for the motor\'s move to complete'),
  abortAll: action<{ hard: boolean; hardwareServers: number }>()(z.object({ hard: z.boolean().default(false) }).strict().optional(), 'Sends stoh_abort_all to every connected hardware server'),
  setShutter: action<DcsShutterResult>()(z.object({ shutter: name, open: z.boolean(), timeoutS }).strict(), 'Opens or closes a shutter and waits for the report'),
  readIonChambers: action<DcsIonChambersResult>()(z.object({
    time: z.number().positive('time must be above 0 s').max(3600),
    chambers: z.array(name).min(1, 'name at least one ion chamber').max(64),
    /** Ask the DHS to count again after each report (until abortAll): every report is plotted. */
    repeat: z.boolean().default(false),
    timeoutS,
  }).strict(), 'Counts the ion chambers for a time and waits for the report'),
  getEncoder: action<DcsEncoderResult>()(z.object({ encoder: name, timeoutS }).strict(), 'Reads an encoder'),
  setEncoder: action<DcsEncoderResult>()(z.object({ encoder: name, position, timeoutS }).strict(), 'Sets an encoder\'s position'),
  setString: action<DcsStringResult>()(z.object({ string: name, value: z.string().max(4000), timeoutS }).strict(), 'Sets a string and waits for the DHS to confirm it'),
  startOperation: action<{ operation: string; handle: string }>()(z.object({ operation: name, args: z.array(operationArg).max(256).default([]) }).strict(), 'Starts an operation; returns its handle'),
  waitOperation: action<DcsOperationView>()(z.object({ handle: z.string().regex(/^\d+\.\d+$/, 'handles look like 1.7'), timeoutS }).strict(), 'Waits for an operation to complete'),
  operations: action<DcsOperationRecord[]>()(none, 'Operation runs kept so far'),
};
