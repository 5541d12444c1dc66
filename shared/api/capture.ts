// The capture part of the API contract: recordings (MCAP files of whole sessions)
// and scope triggers whose captures freeze into acquisitions.
import { z } from 'zod';

const fileName = z.string().trim().min(1, 'Name is required').max(100, 'Name is at most 100 characters')
  .regex(/^[A-Za-z0-9][A-Za-z0-9 _.()-]*$/, 'Names are letters, digits, spaces and _ . ( ) -');
const folder = z.string().min(1).max(1024).optional();

// ---------------------------------------------------------------- recordings

export interface RecordingStatus {
  state: 'recording' | 'stopped' | 'failed';
  name: string;
  path: string;
  sessionIds: string[];
  /** Seconds since the epoch. */
  startedAt: number;
  elapsedS: number;
  /** Bytes written to the file (flushed chunks). */
  bytes: number;
  samples: number;
  consoleLines: number;
  samplesPerSec: number;
  bytesPerSec: number;
  /** Samples that fell out of the engine's rings before the recorder wrote them. */
  lostSamples: number;
  /** Why a failed recording stopped, in words a bench engineer can act on. */
  error: string | null;
}

export interface RecordingInfo {
  name: string;
  path: string;
  sessions: { sessionId: string; name: string; protocol: string }[];
  /** Seconds since the epoch of the first and last message; null when unknown (a file cut short). */
  start: number | null;
  durationS: number | null;
  bytes: number;
  /** File modification time, seconds since the epoch. */
  modified: number;
  /** False for a file cut short (a crash): readable up to its last flushed chunk, without an index. */
  complete: boolean;
}

export const RecordingRequestSchemas = {
  startRecording: z.object({
    sessionIds: z.array(z.string().min(1).max(64)).max(256).optional(),
    name: fileName.optional(),
    /** Default: the user data folder's recordings/. */
    folder,
    /** Record console traffic as its own channels (default true). */
    console: z.boolean().optional(),
  }).strict(),
  stopRecording: z.object({}).strict(),
  listRecordings: z.object({ folder }).strict(),
  renameRecording: z.object({ name: fileName, newName: fileName, folder }).strict(),
  deleteRecording: z.object({ name: fileName, folder }).strict(),
  exportRecordingCsv: z.object({ name: fileName, folder, path: z.string().min(1).max(1024).optional() }).strict(),
  /** CSV of what the engine holds of some signals between t0 and t1 (a plot's visible range), as text. */
  exportSignalsCsv: z.object({
    signalIds: z.array(z.number().int().min(0)).min(1, 'Name at least one signal').max(64),
    t0: z.number().finite(),
    t1: z.number().finite(),
  }).strict().refine((p) => p.t1 >= p.t0, { message: 't1 must not be before t0', path: ['t1'] }),
} as const;

/** A CSV made in memory (a plot's visible range): the text, its size, and whether samples were left out. */
export interface SignalsCsv {
  csv: string;
  rows: number;
  columns: string[];
  /** True when more samples were in range than one CSV carries (SIGNALS_CSV_MAX_SAMPLES): the newest were kept. */
  truncated: boolean;
}

/** At most this many samples per signal in one signals CSV. */
export const SIGNALS_CSV_MAX_SAMPLES = 1_000_000;

/** How far a whole-recording CSV export has got (event csvExport). */
export interface CsvExportProgress {
  name: string;
  /** Where it is written ("download" for a browser download). */
  path: string;
  /** Of the recording's time span, 0..1. */
  fraction: number;
  rows: number;
  done: boolean;
}

export interface CsvExport {
  path: string;
  rows: number;
  /** Column headers after the time column: "<session>/<signal>". */
  columns: string[];
}

// ---------------------------------------------------------------- replay

/** A recording opened for replay: its signals play into the store as a session's would. */
export interface ReplayStatus {
  /** Also the session id its signals carry in listSignals. */
  replayId: string;
  /** What plots call it (like a session name): "Replay: <recording>". */
  name: string;
  recording: string;
  path: string;
  /** Seconds since the epoch of the first and last sample, and of the playhead. */
  start: number;
  end: number;
  position: number;
  playing: boolean;
  speed: number;
  /** False for a file cut short by a crash (read whole, as far as it goes). */
  complete: boolean;
  /** Signal names in the replay ("<recorded session>/<recorded signal>"): how many; listSignals gives them. */
  signalCount: number;
  /** The recording's samples per second (all signals): times the speed, what the plots are sent. */
  samplesPerSecond: number;
  error: string | null;
}

/** What opening a replay answers: its status and its signals' names. */
export interface OpenedReplay extends ReplayStatus {
  signals: string[];
}

/** A recorded console line: its time, its session's name, rx/tx/info, the text. */
export interface ReplayConsoleLine { t: number; session: string; dir: string; text: string }

export const REPLAY_SPEEDS = [0.1, 0.25, 0.5, 1, 2, 5, 10, 50, 100] as const;
/** The workbench offers speeds that send the plots at most this many samples per second (the DESIGN budget). */
export const REPLAY_PLOT_BUDGET = 1_000_000;
const replayId = z.string().min(1).max(64);

export const ReplayRequestSchemas = {
  openReplay: z.object({ name: fileName, folder, play: z.boolean().optional(), speed: z.number().min(0.01).max(1000).optional() }).strict(),
  /** Any of: play or pause, a speed, a seek (seconds since the epoch; loads historyS seconds before it, default 10). */
  controlReplay: z.object({
    replayId,
    play: z.boolean().optional(),
    speed: z.number().min(0.01, 'Speed is 0.01 to 1000').max(1000, 'Speed is 0.01 to 1000').optional(),
    seek: z.number().finite().optional(),
    historyS: z.number().min(0).max(3600).optional(),
  }).strict(),
  closeReplay: z.object({ replayId }).strict(),
  /** The recording's console lines up to the replay's playhead (the last `limit`, default 200). */
  replayConsole: z.object({ replayId, limit: z.number().int().min(1).max(2000).optional() }).strict(),
  listReplays: z.object({}).strict(),
} as const;

// ---------------------------------------------------------------- scope trigger

export const TRIGGER_CONDITIONS = ['rising', 'falling', 'either', 'above', 'below', 'inside', 'outside'] as const;
export const TRIGGER_MODES = ['auto', 'normal', 'single'] as const;

/** A capture holds at most this many signals: the trigger signal and the others of its plot. */
export const TRIGGER_MAX_SIGNALS = 32;

export const TriggerSpec = z.object({
  signalId: z.number().int().min(0),
  /**
   * Other signals captured in the same window (a scope captures every channel): each keeps
   * its own samples and times, nothing resampled. The trigger signal and repeats among them are held once.
   */
  signalIds: z.array(z.number().int().min(0)).max(TRIGGER_MAX_SIGNALS).optional(),
  condition: z.enum(TRIGGER_CONDITIONS),
  /** The level; for inside/outside, the window's low edge. */
  level: z.number().finite(),
  /** For inside/outside: the window's high edge. */
  level2: z.number().finite().optional(),
  /** Part of the capture before the trigger, 0..1. */
  preTrigger: z.number().min(0).max(1).default(0.5),
  /** Capture length: a number of samples or seconds (one of them). */
  lengthSamples: z.number().int().min(2).max(1_000_000).optional(),
  lengthSeconds: z.number().positive().max(3600).optional(),
  /** No new trigger until this long after the previous one. */
  holdoffS: z.number().min(0).max(3600).default(0),
  mode: z.enum(TRIGGER_MODES).default('single'),
}).strict()
  .refine((s) => (s.lengthSamples === undefined) !== (s.lengthSeconds === undefined), { message: 'Give the capture length in samples or in seconds (one of them)', path: ['lengthSamples'] })
  .refine((s) => !(s.condition === 'inside' || s.condition === 'outside') || (s.level2 !== undefined && s.level2 > s.level), { message: 'A window needs level2 above level', path: ['level2'] })
  .superRefine((s, ctx) => {
    const n = captureSignalIds(s).length;
    if (n > TRIGGER_MAX_SIGNALS) ctx.addIssue({ code: 'custom', path: ['signalIds'], message: `A capture holds at most ${TRIGGER_MAX_SIGNALS} signals: got ${n} (the trigger signal and ${n - 1} others)` });
  });
export type TriggerSpecInput = z.input<typeof TriggerSpec>;
export type TriggerSpec = z.output<typeof TriggerSpec>;

/** The signals a trigger captures, in order: its own first, then the others once each. */
export function captureSignalIds(spec: { signalId: number; signalIds?: readonly number[] }): number[] {
  return [...new Set([spec.signalId, ...(spec.signalIds ?? [])])];
}

export interface TriggerStatus {
  triggerId: string;
  spec: TriggerSpec;
  state: 'armed' | 'capturing' | 'holdoff' | 'stopped';
  captures: number;
  /** Samples of the signal that fell out of the ring before the trigger saw them. */
  lostSamples: number;
}

export interface AcquisitionSummary {
  id: string;
  name: string;
  triggerId: string;
  /** Seconds since the epoch of the trigger sample. */
  triggerTime: number;
  /** Index of the trigger sample in the capture (-1 for a forced capture in auto mode). */
  triggerIndex: number;
  forced: boolean;
  signal: { signalId: number; sessionId: string; session: string; name: string; unit: string | null };
  condition: TriggerSpec['condition'];
  level: number;
  level2: number | null;
  samples: number;
  /** Saved under acquisitions/ (else kept in memory, newest first, a bounded number). */
  saved: boolean;
  createdAt: number;
  /**
   * The signals held besides `signal`, in order; absent: `signal` alone. On the same times as `signal`
   * (a device's scope logs several in one arm), or each on its own (`ownTimes`: the scope trigger's).
   */
  channels?: AcquisitionChannel[];
  /** True when each channel has its own times (`channelTimes`): signals of other rates, not resampled. */
  ownTimes?: boolean;
}

/** A signal an acquisition holds besides its first. */
export interface AcquisitionChannel {
  name: string;
  unit: string | null;
  /** The scope trigger's channels: the live signal and its session (which may differ from `signal`'s). */
  signalId?: number;
  sessionId?: string;
  session?: string;
  /** Samples of the channel inside the capture window that the engine's ring had dropped before the capture was taken. */
  lostSamples?: number;
}

export interface Acquisition extends AcquisitionSummary {
  times: number[];
  values: number[];
  /** The values of each of `channels`, at `times` or, with `ownTimes`, at `channelTimes`. */
  channelValues?: number[][];
  /** With `ownTimes`: the times of each of `channels` (seconds since the epoch), inside the capture window. */
  channelTimes?: number[][];
}

export const TriggerRequestSchemas = {
  armTrigger: TriggerSpec,
  disarmTrigger: z.object({ triggerId: z.string().min(1).max(64) }).strict(),
  listTriggers: z.object({}).strict(),
  listAcquisitions: z.object({}).strict(),
  getAcquisition: z.object({ id: z.string().min(1).max(64) }).strict(),
  saveAcquisition: z.object({ id: z.string().min(1).max(64), name: fileName.optional() }).strict(),
  deleteAcquisition: z.object({ id: z.string().min(1).max(64) }).strict(),
  exportAcquisitionCsv: z.object({ id: z.string().min(1).max(64), path: z.string().min(1).max(1024).optional() }).strict(),
  /** The acquisition as an MCAP recording in the recordings folder (named after it unless `name`). */
  exportAcquisitionMcap: z.object({ id: z.string().min(1).max(64), name: fileName.optional(), folder }).strict(),
} as const;

export interface CaptureResultTypes {
  openReplay: OpenedReplay;
  controlReplay: ReplayStatus;
  closeReplay: null;
  listReplays: ReplayStatus[];
  replayConsole: ReplayConsoleLine[];
  startRecording: RecordingStatus;
  stopRecording: RecordingStatus | null;
  listRecordings: RecordingInfo[];
  renameRecording: null;
  deleteRecording: null;
  exportRecordingCsv: CsvExport;
  exportSignalsCsv: SignalsCsv;
  armTrigger: { triggerId: string };
  disarmTrigger: null;
  listTriggers: TriggerStatus[];
  listAcquisitions: AcquisitionSummary[];
  getAcquisition: Acquisition;
  saveAcquisition: AcquisitionSummary;
  deleteAcquisition: null;
  exportAcquisitionCsv: CsvExport & { csv: string };
  exportAcquisitionMcap: RecordingInfo;
}

export interface CaptureEventTypes {
  capture: AcquisitionSummary;
  csvExport: CsvExportProgress;
  recording: RecordingStatus;
}
