// Hexapod/rotator shapes shared by the engine's session, the panel and the SDK:
// the hexrot actions (sessionAction) and what they return.
import { z } from 'zod';
import { action } from './actions';

export type CommandOutcome = 'pending' | 'ack' | 'noack' | 'timeout' | 'lost' | 'unsent';

/** One command of the current generation and its fate. */
export interface CommandRecord {
  /** Benchscope's own number for the entry (the counter wraps, this does not). */
  seq: number;
  counter: number;
  code: number;
  name: string | null;
  params: number[];
  /** Seconds since the epoch. */
  sentAt: number | null;
  outcome: CommandOutcome;
  /** ACK: the controller's expected duration in seconds. */
  duration: number | null;
  /** NO_ACK: the controller's reason; timeout, lost, unsent: ours. */
  reason: string | null;
  /** Seconds from sending to the status frame. */
  replyAfter: number | null;
}

export interface FieldValue {
  name: string;
  value: number | string;
  /** From the layout's `#pragma unit` line. */
  unit?: string;
  /** The name of the value, from the layout's `#pragma enum` line (a state field). */
  label?: string;
}

export interface ConfigSnapshot {
  struct: string;
  frameId: number;
  /** Receive time, seconds since the epoch. */
  t: number;
  /** How many config frames were received since the session started. */
  count: number;
  fields: FieldValue[];
}

/** The newest telemetry: its time, how many frames came so far, every numeric field. */
export interface TelemetrySnapshot {
  t: number | null;
  count: number;
  fields: FieldValue[];
}

/** A legacy command put on the command socket: the counter it was given (per command code, from 1). */
export interface PutCommandResult {
  counter: number;
  code: number;
  name: string | null;
  params: number[];
}

/** A command of the layout's command table: what param1..param6 mean. */
export interface HexrotCommandDef { name: string; code: number; params: string[] }

/** The session's layout: its JSON form (structures, commands), sizes, and the generation spoken. */
export interface HexrotLayoutInfo {
  json: { name: string; commands: HexrotCommandDef[] };
  configBytes: number;
  telemetryBytes: number;
  headerBytes: number;
  generation: 'current' | 'legacy';
}

/** As the seed's next_telemetry(skip=2): a frame that may predate the call, then a fresh one. */
export const NEXT_TELEMETRY_DEFAULT_SKIP = 2;

const param = z.number({ error: 'Parameters are numbers' }).refine(Number.isFinite, 'Parameters are finite numbers');
const CommandArgs = z.object({
  name: z.string().min(1).max(64).optional(),
  code: z.number().int().min(0).max(0xffffffff).optional(),
  params: z.array(param).max(6, 'A command has six parameters at most').default([]),
}).strict().refine((a) => (a.name === undefined) !== (a.code === undefined), 'Give the command by name or by code (one of them)');

export const HexrotActions = {
  layout: action<HexrotLayoutInfo>()(z.object({}).strict(), 'The layout in use: structures, command table, sizes, generation'),
  config: action<ConfigSnapshot | null>()(z.object({}).strict(), 'The last configuration frame (null before the first)'),
  telemetry: action<TelemetrySnapshot | null>()(z.object({}).strict(), 'The newest telemetry (null before the first frame)'),
  nextTelemetry: action<TelemetrySnapshot | null>()(z.object({
    skip: z.number().int().min(0, 'skip must be 0 or more (0 returns the current telemetry at once)').max(10_000).default(NEXT_TELEMETRY_DEFAULT_SKIP),
    timeoutS: z.number().min(0.01).max(600).default(10),
  }).strict(), 'Waits for `skip` more telemetry frames, then returns the newest'),
  history: action<CommandRecord[]>()(z.object({ limit: z.number().int().min(1).max(200).optional() }).strict(), 'Recent commands and their outcome'),
  command: action<CommandRecord>()(CommandArgs, 'Sends a command (current generation) and waits for its status'),
  putCommand: action<PutCommandResult>()(CommandArgs, 'Puts a command on the command socket (legacy generation: no acknowledgement)'),
};

/** The reference "simple" controller's layout: built in, and where a custom layout starts from. */
export const SIMPLE_LAYOUT_TEXT = `// The reference "simple" controller (ts_hexrotcomm's SimpleMockController).
#pragma endian little
#pragma config SimpleConfig 3
#pragma telemetry SimpleTelemetry 2
#pragma command SET_STATE 1 "state: ENABLE=2, STANDBY=3, CLEAR_ERROR=6, FAULT=8"
#pragma command ENABLE_DRIVES 2 "enable: 1 on, 0 off"
#pragma command SET_ENABLED_SUBSTATE 3 "substate: STATIONARY=0"
#pragma command MOVE 4 "position"
#pragma enum state STANDBY=0 ENABLED=2 FAULT=4
#pragma enum enabled_substate STATIONARY=0
#pragma unit curr_position mm
#pragma unit cmd_position mm
#pragma unit min_position mm
#pragma unit max_position mm
#pragma unit max_velocity "mm/s"

struct SimpleConfig {
  bool drives_enabled;
  double min_position;
  double max_position;
  double max_velocity;
};

struct SimpleTelemetry {
  uint32_t application_status;
  double state;
  double enabled_substate;
  double curr_position;
  double cmd_position;
};
`;
