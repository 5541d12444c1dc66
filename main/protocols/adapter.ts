// What every protocol adapter gives the hub, and what the hub gives it.
import type { z } from 'zod';
import type { DataloggingInfo, DeviceInfo, MarkSeverity, ProtocolName } from '../../shared/api/contract';
import type { LinkSpec } from '../../shared/api/link-config';
import type { DefaultLink } from '../../shared/api/manifests';

export interface AdapterContext {
  readonly sessionId: string;
  /** 'datagram' links (UDP) may need the protocol to greet the peer. */
  readonly linkKind: 'stream' | 'datagram';
  /** The session's link type (the hexapod protocol speaks the legacy generation on its two-port server). */
  readonly linkType?: LinkSpec['type'];
  /** The engine's user data folder (null when it runs without one): where a protocol keeps installed files. */
  readonly userDataDir?: string | null;
  /**
   * Declares (or finds) a signal of this session; returns its store id. `states` names a
   * discrete signal's values (the sample value is the index); plots draw it as a state timeline.
   */
  signal(name: string, unit?: string, opts?: { states?: string[] }): number;
  /** Renames a signal of this session in place (samples and id kept); false when `to` is taken or `from` unknown. */
  renameSignal?(from: string, to: string): boolean;
  /** Drops a signal of this session and its samples. */
  removeSignal?(name: string): void;
  /** Appends one sample to the store (no allocation). */
  sample(id: number, t: number, v: number): void;
  /** Sends bytes to the device; false when the link is down. */
  write(bytes: Uint8Array): boolean;
  /** True when some client watches this session's console: only then build console text. */
  consoleWanted(): boolean;
  console(dir: 'rx' | 'tx' | 'info', text: string, t: number): void;
  /** Broadcasts a protocol event (e.g. a KATCP #log, a DCS operation update) to every client. */
  event(kind: string, data: unknown): void;
  /** The session's status changed in a way clients should see soon (ready, datalogging state...). */
  statusChanged(): void;
  /**
   * An event on the time axis (a sensor status change, a move started or ended): kept by the
   * hub, broadcast, and drawn on the plots of this session (only `signal`'s plots when given).
   * Not for every sample: marks are objects. (mark, linkLabel and reconnect are optional so a
   * test may build a context by hand; the hub always provides them.)
   */
  mark?(m: { t: number; label: string; severity?: MarkSeverity; signal?: string }): void;
  /** The link in words ("tcp <host>:<port>"), for error messages. */
  linkLabel?(): string;
  /** Drops the link now (a failed liveness check) and lets it reconnect with its backoff; `reason` shows as its error. */
  reconnect?(reason: string): void;
  /** On links that accept their peer (a TCP server): who it is, and a way to let it go. */
  peerAddress?(): string | null;
  peerLabel?(): string | null;
  dropPeer?(): void;
  /** On a multi-peer link (ProtocolDefinition.multiPeer): write to one peer, or let one go. */
  writeTo?(peerId: number, bytes: Uint8Array): boolean;
  dropPeerById?(peerId: number): void;
}


/** Handlers keyed by action name, as the hub holds them (each typed against its table where it is written). */
export type AdapterActions = { readonly [name: string]: (args: never) => unknown };

export interface ProtocolCounters {
  rxMessages: number;
  txMessages: number;
  frameErrors: number;
  resyncs: number;
  /** Listening protocols: peers refused after they connected (DCSS refusing a DHS it does not know). */
  refusedConnections?: number;
}

export interface ProtocolAdapter {
  onLinkUp(): void;
  onLinkDown(): void;
  onData(chunk: Uint8Array, t: number): void;
  /** Multi-peer links: each peer's arrival, bytes and departure (onData is not called then). */
  onPeerUp?(peer: { id: number; address: string; label: string }): void;
  onPeerData?(peerId: number, chunk: Uint8Array, t: number): void;
  onPeerDown?(peerId: number, reason: string): void;
  /** Given the link is up: Connecting until the device proved itself, then ConnectedReady. */
  readonly ready: boolean;
  /** While the link is up and not ready: what the adapter waits for, in words (SessionStatus.waitingFor). */
  readonly waitingFor?: string | null;
  readonly counters: ProtocolCounters;
  readonly lastError: string | null;
  deviceInfo(deviceSessionId: string | null): DeviceInfo | null;
  /**
   * Takes new (validated) options without dropping the link. Adapters without it are
   * reconnected with the new options instead.
   */
  applyOptions?(options: unknown): void;
  /** Text typed in the console, sent as the protocol sees fit. */
  sendText(text: string): boolean;
  /**
   * The protocol's actions (`sessionAction`), one handler per entry of its table in
   * shared/api/protocol-actions.ts, each given its arguments validated by
   * invokeAction (protocols/actions.ts) and checked by the compiler (`satisfies
   * ActionHandlers<typeof Table>`). A refusal or a failure throws ApiError.
   */
  readonly actions?: AdapterActions;
  /** Seed status fields a protocol may fill (Scrutiny: datalogging, firmware description). */
  datalogging?(): DataloggingInfo;
  sfdFirmwareId?(): string | null;
  dispose(): void;
}

/** A protocol's manifest (shared/api/manifests.ts) and what the engine adds to it. */
export interface ProtocolDefinition<O = unknown> {
  name: ProtocolName;
  label: string;
  title: string;
  optionsSchema: z.ZodType<O>;
  defaultLink: DefaultLink;
  /** The protocol takes several peers on one listening link (DCSS and its hardware servers). */
  multiPeer?: boolean;
  create(ctx: AdapterContext, options: O): ProtocolAdapter;
}

/**
 * DeviceInfo for a device that is not a Scrutiny firmware: the seed's memory,
 * buffer and datalogging fields are absent unless a protocol knows them.
 */
export function deviceInfoOf(known: Pick<DeviceInfo, 'sessionId' | 'deviceId' | 'displayName' | 'extra'> & Partial<DeviceInfo>): DeviceInfo {
  return {
    maxTxDataSize: null,
    maxRxDataSize: null,
    maxBitrateBps: null,
    rxTimeoutUs: null,
    heartbeatTimeout: null,
    addressSizeBits: null,
    protocolMajor: null,
    protocolMinor: null,
    supportedFeatures: { memoryWrite: false, datalogging: false, userCommand: false, sixtyfourBits: false },
    forbiddenMemoryRegions: [],
    readonlyMemoryRegions: [],
    dataloggingCapabilities: null,
    ...known,
  };
}

