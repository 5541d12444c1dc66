// The API contract of the hub: every request, reply, event and error, the same
// through every door (Electron IPC, WebSocket, in-process). It mirrors the
// Scrutiny SDK's server API (ServerInfo, ServerStatistics, DeviceInfo,
// configure_device_link, request_demo_mode), generalised to several device
// sessions at once.
import type { ActionDescription } from './actions';
import { z } from 'zod';
import { LINK_TYPES, LinkSpec, type LinkType } from './link-config';
import {
  type CaptureEventTypes, type CaptureResultTypes, type RecordingStatus, type ReplayStatus, type TriggerStatus,
  RecordingRequestSchemas, ReplayRequestSchemas, TriggerRequestSchemas,
} from './capture';
import { type CanResultTypes, CanRequestSchemas } from './can';
import { LayoutRequestSchemas, PlotConfig, type LayoutResultTypes } from './layout';
import { MAX_ID_CHARS, MAX_NAME_CHARS, MAX_PLOTS } from './limits';

export const PROTOCOLS = ['lines', 'hexrot', 'scrutiny', 'katcp', 'dcs'] as const;
export type ProtocolName = (typeof PROTOCOLS)[number];

/** Largest control message accepted from a client, in bytes. */
export const MAX_REQUEST_BYTES = 256 * 1024;

// ---------------------------------------------------------------- errors

export const ERROR_CODES = ['InvalidRequest', 'OperationFailure', 'Timeout', 'NotConnected', 'UnexpectedError'] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];
export interface ApiErrorBody {
  code: ErrorCode;
  message: string;
  /** For InvalidRequest: where in the params each problem is. */
  issues?: { path: string; message: string }[];
  /** For OperationFailure: the device refused the request itself, in its own words. */
  device?: DeviceRefusal;
}

/** A device's own refusal of a request: its code (a KATCP reply's `fail` or `invalid`) and its reason. */
export interface DeviceRefusal {
  code: string;
  reason: string;
}

// ---------------------------------------------------------------- status (seed: ServerInfo)

export const DEVICE_COMM_STATES = ['Disconnected', 'Connecting', 'ConnectedReady'] as const;
export type DeviceCommState = (typeof DEVICE_COMM_STATES)[number];
export const DATALOGGING_STATES = ['NA', 'Standby', 'WaitForTrigger', 'Acquiring', 'Error'] as const;
export type DataloggingState = (typeof DATALOGGING_STATES)[number];

export interface DataloggingInfo {
  state: DataloggingState;
  completionRatio: number | null;
}

export interface DeviceLinkInfo {
  type: LinkType;
  config: LinkSpec['config'];
  operational: boolean;
  demoMode: boolean;
  /** Endpoint as bound (a tcp server on port 0 reports the chosen port here). */
  endpoint: string;
  /** Why the link is not operational, in words a bench engineer can act on. */
  lastError: string | null;
  /** Links of several sockets (the legacy hexapod server's telemetry and command sockets): each one's state. */
  sockets?: { name: string; connected: boolean; port: number | null; peer?: string | null; rxBytes?: number; refusedConnections?: number }[];
}

export interface SessionCounters {
  rxBytes: number;
  txBytes: number;
  rxMessages: number;
  txMessages: number;
  frameErrors: number;
  resyncs: number;
  droppedSamples: number;
  rxBytesPerSec: number;
  txBytesPerSec: number;
  rxMessagesPerSec: number;
  txMessagesPerSec: number;
  /** Links that accept their peer: connections refused (a second controller on a one-peer port). */
  refusedConnections?: number;
  /** Bytes received where the protocol expects none (the legacy hexapod command socket): counted, not decoded. */
  ignoredRxBytes?: number;
}

export interface SessionStatus {
  sessionId: string;
  name: string;
  protocol: ProtocolName;
  deviceCommState: DeviceCommState;
  /** New for every working connection with the device; null when not connected. */
  deviceSessionId: string | null;
  datalogging: DataloggingInfo;
  sfdFirmwareId: string | null;
  deviceLink: DeviceLinkInfo;
  counters: SessionCounters;
  /** Last protocol-level problem (a bad line, a bad frame), null if none. */
  lastProtocolError: string | null;
  /**
   * While the link is open but the device has not proved itself (deviceCommState
   * Connecting, deviceLink.operational true): what the session waits for, in words,
   * e.g. "link open, 241 lines not understood: ...". Null otherwise.
   */
  waitingFor?: string | null;
  /**
   * Bumped each time the session's options change. The options themselves (a DCS
   * configuration, a hexapod layout: up to hundreds of kB) are not repeated in every
   * status broadcast: read them with listSessions when this changes.
   */
  optionsRevision: number;
}

export interface ServerStatus {
  /** Seconds since the epoch when the status was made. */
  time: number;
  demoMode: boolean;
  sessions: SessionStatus[];
  /** Problems found at start (e.g. a corrupt workspace file moved aside). */
  notices: string[];
  /** The recording under way, or the last one (stopped or failed); null if none yet. */
  recording?: RecordingStatus | null;
  /** Scope triggers armed on live signals. */
  triggers?: TriggerStatus[];
  /** Recordings open for replay (their signals are listed like a session's). */
  replays?: ReplayStatus[];
}

// ---------------------------------------------------------------- statistics (seed: ServerStatistics)

export interface ServerStatistics {
  uptime: number;
  invalidRequestCount: number;
  unexpectedErrorCount: number;
  clientCount: number;
  toAllClientsDatarateBytePerSec: number;
  fromAnyClientDatarateBytePerSec: number;
  msgReceived: number;
  msgSent: number;
  deviceSessionCount: number;
  toDeviceDatarateBytePerSec: number;
  fromDeviceDatarateBytePerSec: number;
  deviceRequestPerSec: number;
  /** Benchscope's telemetry path: samples dropped for slow clients, all clients summed (those gone too). */
  telemetryDroppedSamples: number;
  /** Status, signal-list and plots events replaced by a newer one while a client was not reading. */
  clientEventsCoalesced: number;
  /** Events, console lines and marks dropped for clients that were not reading. */
  clientEventsDropped: number;
}

/** The client's own view of its traffic (seed: ScrutinyClient.Statistics). */
export interface LocalStatistics {
  rxDataRateBytePerSec: number;
  txDataRateBytePerSec: number;
  rxMessageRatePerSec: number;
  txMessageRatePerSec: number;
  rxBytes: number;
  txBytes: number;
  rxMessages: number;
  txMessages: number;
  telemetryFrames: number;
  telemetrySamples: number;
  telemetryDroppedSamples: number;
  /** Binary frames that could not be decoded (each is reported to onTelemetryError, never silently dropped). */
  telemetryBadFrames: number;
  lastTelemetryError: string | null;
}

// ---------------------------------------------------------------- device info (seed: DeviceInfo)

export interface MemoryRegion { start: number; end: number }
export interface SamplingRate { identifier: number; name: string; frequency: number | null }
export interface DeviceInfo {
  sessionId: string;
  deviceId: string;
  displayName: string;
  maxTxDataSize: number | null;
  maxRxDataSize: number | null;
  maxBitrateBps: number | null;
  rxTimeoutUs: number | null;
  heartbeatTimeout: number | null;
  addressSizeBits: number | null;
  protocolMajor: number | null;
  protocolMinor: number | null;
  supportedFeatures: { memoryWrite: boolean; datalogging: boolean; userCommand: boolean; sixtyfourBits: boolean };
  forbiddenMemoryRegions: MemoryRegion[];
  readonlyMemoryRegions: MemoryRegion[];
  dataloggingCapabilities: { encoding: 'RAW'; bufferSize: number; maxNbSignal: number; samplingRates: SamplingRate[] } | null;
  /** Protocol-specific facts shown in the info panel (e.g. the lines format detected). */
  extra: Record<string, string | number | boolean>;
}

// ---------------------------------------------------------------- signals, console, workspace

export interface SignalInfo {
  id: number;
  sessionId: string;
  name: string;
  unit: string | null;
  total: number;
  /** A discrete signal's state names: the sample value is the index (plotted as a state timeline). */
  states?: string[];
}

export const MARK_SEVERITIES = ['info', 'ok', 'warn', 'error'] as const;
export type MarkSeverity = (typeof MARK_SEVERITIES)[number];

/** An event on a session's time axis (a status change, a move started or ended), drawn on its plots. */
export interface Mark {
  sessionId: string;
  /** Seconds since the epoch, the same time base as the samples. */
  t: number;
  label: string;
  severity: MarkSeverity;
  /** When set, only plots showing this signal of the session draw the mark. */
  signal: string | null;
}

export interface ConsoleLine {
  sessionId: string;
  dir: 'rx' | 'tx' | 'info';
  t: number;
  text: string;
}

// A plot's setup lives with the layout that shows it.
export { PlotConfig } from './layout';

export interface SerialPortInfo {
  path: string;
  manufacturer?: string;
  serialNumber?: string;
  vendorId?: string;
  productId?: string;
  friendlyName?: string;
}

// ---------------------------------------------------------------- requests

const sessionId = z.string().min(1).max(MAX_ID_CHARS);
const name = z.string().trim().min(1, 'Name is required').max(MAX_NAME_CHARS, `Name is at most ${MAX_NAME_CHARS} characters`);
const linkTypeSchema = z.enum(LINK_TYPES, { error: `Link type must be one of ${LINK_TYPES.join(', ')}` });
const protocolSchema = z.enum(PROTOCOLS, { error: `Protocol must be one of ${PROTOCOLS.join(', ')}` });
const timeoutS = z.number().min(0).max(600).optional();

/** Link type and its configuration as two parameters, like the seed's configure_device_link. */
const linkParams = { linkType: linkTypeSchema, linkConfig: z.record(z.string(), z.unknown()) };

export const RequestSchemas = {
  getServerStatus: z.object({}).strict(),
  requestServerStatusUpdate: z.object({}).strict(),
  getServerStats: z.object({}).strict(),
  getDeviceInfo: z.object({ sessionId }).strict(),
  configureDeviceLink: z.object({ sessionId, ...linkParams }).strict(),
  requestDemoMode: z.object({ enable: z.boolean() }).strict(),
  createSession: z.object({
    protocol: protocolSchema,
    name: name.optional(),
    ...linkParams,
    options: z.record(z.string(), z.unknown()).optional(),
    autoConnect: z.boolean().optional(),
  }).strict(),
  listSessions: z.object({}).strict(),
  removeSession: z.object({ sessionId }).strict(),
  connectSession: z.object({ sessionId }).strict(),
  disconnectSession: z.object({ sessionId }).strict(),
  setSessionOptions: z.object({ sessionId, options: z.record(z.string(), z.unknown()) }).strict(),
  renameSession: z.object({ sessionId, name }).strict(),
  listSignals: z.object({ sessionId: sessionId.optional() }).strict(),
  subscribe: z.object({ signalIds: z.array(z.number().int().min(0)).max(4096), history: z.boolean().optional() }).strict(),
  unsubscribe: z.object({ signalIds: z.array(z.number().int().min(0)).max(4096) }).strict(),
  subscribeConsole: z.object({ sessionId: sessionId.nullable() }).strict(),
  getConsole: z.object({ sessionId, limit: z.number().int().min(1).max(10000).optional() }).strict(),
  /** The marks still held (the newest per session), oldest first. */
  getMarks: z.object({ sessionId: sessionId.optional(), limit: z.number().int().min(1).max(10000).optional() }).strict(),
  sendText: z.object({ sessionId, text: z.string().max(4096, 'At most 4096 characters per send') }).strict(),
  listSerialPorts: z.object({}).strict(),
  getPlots: z.object({}).strict(),
  setPlots: z.object({ plots: z.array(PlotConfig).max(MAX_PLOTS, `At most ${MAX_PLOTS} plots`) }).strict(),
  ping: z.object({ timeoutS }).strict(),
  /** A protocol's own request (e.g. KATCP "?sensor-sampling", Scrutiny "readMemory"); args checked by the protocol. */
  sessionAction: z.object({
    sessionId,
    action: z.string().min(1).max(64).regex(/^[A-Za-z][A-Za-z0-9_.-]*$/, 'Action names are letters, digits, _ . -'),
    args: z.unknown().optional(),
  }).strict(),
  /** A session's actions: names, one line of help, argument schemas (JSON Schema), from its protocol's table. */
  describeActions: z.object({ sessionId }).strict(),
  ...RecordingRequestSchemas,
  ...TriggerRequestSchemas,
  ...ReplayRequestSchemas,
  ...CanRequestSchemas,
  ...LayoutRequestSchemas,
} as const;

export type Method = keyof typeof RequestSchemas;
export const METHODS = Object.keys(RequestSchemas) as Method[];
export type RequestParams<M extends Method> = z.input<(typeof RequestSchemas)[M]>;
export type ParsedParams<M extends Method> = z.output<(typeof RequestSchemas)[M]>;

export interface SessionSummary {
  sessionId: string;
  name: string;
  protocol: ProtocolName;
  link: LinkSpec;
  options: Record<string, unknown>;
}

export interface ResultTypes extends CaptureResultTypes, CanResultTypes, LayoutResultTypes {
  getServerStatus: ServerStatus;
  requestServerStatusUpdate: ServerStatus;
  getServerStats: ServerStatistics;
  getDeviceInfo: DeviceInfo | null;
  configureDeviceLink: null;
  requestDemoMode: null;
  createSession: { sessionId: string };
  listSessions: SessionSummary[];
  removeSession: null;
  connectSession: null;
  disconnectSession: null;
  setSessionOptions: null;
  renameSession: null;
  listSignals: SignalInfo[];
  subscribe: { subscribed: number[] };
  unsubscribe: null;
  subscribeConsole: null;
  getConsole: ConsoleLine[];
  getMarks: Mark[];
  sendText: null;
  listSerialPorts: { ports: SerialPortInfo[]; error: string | null };
  getPlots: PlotConfig[];
  setPlots: null;
  ping: { time: number };
  sessionAction: unknown;
  describeActions: ActionDescription[];
}
export type Result<M extends Method> = ResultTypes[M];

/**
 * The engine's side of one request: its params as the contract's schema parsed them, the
 * client that sent it, and the result the contract promises. A table of them per request
 * name (`satisfies HandlerTable<...>`) makes a missing or mistyped handler a compile error.
 */
export type Handler<M extends Method, C = unknown> = (params: ParsedParams<M>, client: C) => Result<M> | Promise<Result<M>>;
export type HandlerTable<Ms extends Method, C = unknown> = { [M in Ms]: Handler<M, C> };

// ---------------------------------------------------------------- wire messages (JSON control frames)

export interface RequestMessage<M extends Method = Method> {
  id: number;
  method: M;
  params?: RequestParams<M>;
}
export type ReplyMessage =
  | { id: number; ok: true; result: unknown }
  | { id: number | null; ok: false; error: ApiErrorBody };

/** An event a protocol adapter raised for one session. */
export interface ProtocolEvent {
  sessionId: string;
  protocol: ProtocolName;
  kind: string;
  t: number;
  data: unknown;
}

export interface EventTypes extends CaptureEventTypes {
  status: ServerStatus;
  protocol: ProtocolEvent;
  console: ConsoleLine[];
  /** Marks raised since the last flush. */
  marks: Mark[];
  signals: SignalInfo[];
  plots: PlotConfig[];
}
export type EventName = keyof EventTypes;
export type EventMessage = { [E in EventName]: { event: E; data: EventTypes[E] } }[EventName];

/** Envelope check only; params are validated against RequestSchemas at the hub. */
export const RequestEnvelope = z.object({
  id: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
  method: z.string().max(64),
  params: z.unknown().optional(),
}).strict();

/** Flattens zod issues into "path: message" pairs for typed error replies and inline form errors. */
export function issuesOf(error: z.ZodError): { path: string; message: string }[] {
  return error.issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message }));
}

export { LinkSpec };
