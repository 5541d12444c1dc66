// The Benchscope client: one class for the renderer (browser WebSocket or the
// Electron bridge), for scripts in Node (pass the `ws` package's WebSocket) and
// for tests. Its methods mirror the Scrutiny SDK's ScrutinyClient.
import type { ActionDescription } from '../api/actions';
import type { ActionArgs, ActionName, ActionResult, TypedProtocol } from '../api/protocol-actions';
import {
  type DeviceInfo, type EventMessage, type EventTypes, type LocalStatistics, type Method, type ReplyMessage,
  type RequestParams, type Result, type ServerStatistics, type ServerStatus, type SessionStatus, type SignalInfo,
  type SessionSummary, type ProtocolName,
} from '../api/contract';
import type { LinkType } from '../api/link-config';
import { decodeTelemetryFrame, type TelemetryBlock } from '../api/telemetry-frame';
import type { Acquisition, AcquisitionSummary, OpenedReplay, RecordingInfo, RecordingStatus, ReplayStatus, TriggerSpecInput } from '../api/capture';
import { ConnectionError, errorFromReply, InvalidValueError, TimeoutError } from './errors';
import { RateMeter } from './rate';

/** What a door looks like from the client: text control frames and binary telemetry frames. */
export interface MessagePipe {
  send(text: string): void;
  close(): void;
  setHandlers(h: { onMessage: (data: string | ArrayBuffer) => void; onClose: (reason: string) => void }): void;
}

/** The part of the WebSocket API the client needs (browser WebSocket and `ws` both fit). */
export interface WebSocketLike {
  binaryType: string;
  readyState: number;
  send(data: string): void;
  close(): void;
  onopen: ((ev: unknown) => void) | null;
  onclose: ((ev: { code: number; reason: string }) => void) | null;
  onerror: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
}
export type WebSocketCtor = new (url: string) => WebSocketLike;

export interface ConnectOptions {
  token?: string;
  /** Wait for the first status broadcast before returning (the seed's wait_status). */
  waitStatus?: boolean;
  timeoutS?: number;
  /** In Node, pass `WebSocket` from the `ws` package; browsers have one built in. */
  WebSocket?: WebSocketCtor;
  /** ws:// (default) or wss:// */
  secure?: boolean;
}

export type TelemetryHandler = (blocks: TelemetryBlock[], dropped: number) => void;

interface Pending {
  resolve: (v: unknown) => void;
  reject: (e: Error) => void;
  timer: ReturnType<typeof setTimeout>;
  method: string;
}

const DEFAULT_TIMEOUT_S = 5;

export class BenchscopeClient {
  private pipe: MessagePipe | null = null;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private latestStatus: ServerStatus | null = null;
  private statusWaiters: { resolve: (s: ServerStatus) => void; reject: (e: Error) => void; timer: ReturnType<typeof setTimeout> }[] = [];
  private readonly listeners: { [E in keyof EventTypes]?: Set<(data: EventTypes[E]) => void> } = {};
  private readonly telemetryHandlers = new Map<TelemetryHandler, Set<number>>();
  private readonly closeListeners = new Set<(reason: string) => void>();
  private readonly telemetryErrorListeners = new Set<(error: string) => void>();
  private telemetryBadFrames = 0;
  private lastTelemetryError: string | null = null;
  private readonly rx = { bytes: new RateMeter(), msgs: new RateMeter() };
  private readonly tx = { bytes: new RateMeter(), msgs: new RateMeter() };
  private telemetryFrames = 0;
  private telemetrySamples = 0;
  private telemetryDropped = 0;
  /** Captures received and not yet taken by waitCapture (newest last, bounded). */
  private captures: AcquisitionSummary[] = [];
  private captureWaiters = new Set<() => void>();

  // ------------------------------------------------------------ connection

  /** Connects to a hub's WebSocket door. */
  async connect(host: string, port: number, opts: ConnectOptions = {}): Promise<this> {
    const Ctor = opts.WebSocket ?? (globalThis as { WebSocket?: WebSocketCtor }).WebSocket;
    if (!Ctor) throw new ConnectionError('No WebSocket implementation: in Node, pass { WebSocket } from the "ws" package');
    const hostPart = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
    const url = `${opts.secure ? 'wss' : 'ws'}://${hostPart}:${port}/api?token=${encodeURIComponent(opts.token ?? '')}`;
    const pipe = await openWebSocketPipe(Ctor, url, (opts.timeoutS ?? DEFAULT_TIMEOUT_S) * 1000);
    return this.attach(pipe, opts);
  }

  /** Uses an already-open pipe (the Electron bridge, or an in-process door). */
  async attach(pipe: MessagePipe, opts: { waitStatus?: boolean; timeoutS?: number } = {}): Promise<this> {
    if (this.pipe) this.pipe.close();
    this.pipe = pipe;
    pipe.setHandlers({ onMessage: (d) => this.onMessage(d), onClose: (r) => this.onClose(r) });
    if (opts.waitStatus ?? true) {
      const got = this.waitServerStatusUpdate(opts.timeoutS ?? DEFAULT_TIMEOUT_S);
      await this.requestServerStatusUpdate({ wait: false });
      await got;
    }
    return this;
  }

  disconnect(): void {
    const pipe = this.pipe;
    this.pipe = null;
    pipe?.close();
    this.failAll(new ConnectionError('Disconnected by the client'));
  }

  get connected(): boolean {
    return this.pipe !== null;
  }

  onDisconnect(cb: (reason: string) => void): () => void {
    this.closeListeners.add(cb);
    return () => this.closeListeners.delete(cb);
  }

  /** A binary telemetry frame from the hub that could not be decoded: its samples are lost, and said so. */
  onTelemetryError(cb: (error: string) => void): () => void {
    this.telemetryErrorListeners.add(cb);
    return () => this.telemetryErrorListeners.delete(cb);
  }

  // ------------------------------------------------------------ requests

  request<M extends Method>(method: M, params?: RequestParams<M>, timeoutS = DEFAULT_TIMEOUT_S): Promise<Result<M>> {
    const pipe = this.pipe;
    if (!pipe) return Promise.reject(new ConnectionError(`Not connected to a Benchscope hub (${method})`));
    const id = this.nextId++;
    const text = JSON.stringify({ id, method, params: params ?? {} });
    return new Promise<Result<M>>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new TimeoutError(`No reply to ${method} within ${timeoutS} s`));
      }, timeoutS * 1000);
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject, timer, method });
      this.tx.bytes.add(text.length);
      this.tx.msgs.add(1);
      pipe.send(text);
    });
  }

  getLatestServerStatus(): ServerStatus | null {
    return this.latestStatus;
  }

  /** Resolves with the next status broadcast (the seed's wait_server_status_update). */
  waitServerStatusUpdate(timeoutS = DEFAULT_TIMEOUT_S): Promise<ServerStatus> {
    return new Promise((resolve, reject) => {
      const waiter = {
        resolve,
        reject,
        timer: setTimeout(() => {
          this.statusWaiters = this.statusWaiters.filter((w) => w !== waiter);
          reject(new TimeoutError(`No status update within ${timeoutS} s`));
        }, timeoutS * 1000),
      };
      this.statusWaiters.push(waiter);
    });
  }

  /** Asks the hub for a fresh status broadcast; with wait, resolves once it arrives. */
  async requestServerStatusUpdate(opts: { wait?: boolean; timeoutS?: number } = {}): Promise<ServerStatus | null> {
    const next = opts.wait ? this.waitServerStatusUpdate(opts.timeoutS) : null;
    await this.request('requestServerStatusUpdate', {}, opts.timeoutS);
    return next ? next : this.latestStatus;
  }

  /** Resolves once the session's device is ConnectedReady (the seed's wait_device_ready). */
  async waitDeviceReady(sessionId: string, timeoutS = DEFAULT_TIMEOUT_S): Promise<SessionStatus> {
    const deadline = Date.now() + timeoutS * 1000;
    // A session created a moment ago may not be in the last broadcast yet.
    if (!this.latestStatus?.sessions.some((x) => x.sessionId === sessionId)) await this.requestServerStatusUpdate({ wait: true, timeoutS });
    for (;;) {
      const s = this.latestStatus?.sessions.find((x) => x.sessionId === sessionId);
      if (!s) throw new InvalidValueError(`No session ${sessionId}`);
      if (s?.deviceCommState === 'ConnectedReady') return s;
      const left = (deadline - Date.now()) / 1000;
      if (left <= 0) {
        const why = s?.deviceLink.lastError ? `: ${s.deviceLink.lastError}` : '';
        throw new TimeoutError(`Device of session ${sessionId} not ready within ${timeoutS} s${why}`);
      }
      await this.waitServerStatusUpdate(left).catch(() => undefined);
    }
  }

  getDeviceInfo(sessionId: string): Promise<DeviceInfo | null> {
    return this.request('getDeviceInfo', { sessionId });
  }

  getServerStats(): Promise<ServerStatistics> {
    return this.request('getServerStats', {});
  }

  getLocalStats(): LocalStatistics {
    return {
      rxDataRateBytePerSec: this.rx.bytes.rate(),
      txDataRateBytePerSec: this.tx.bytes.rate(),
      rxMessageRatePerSec: this.rx.msgs.rate(),
      txMessageRatePerSec: this.tx.msgs.rate(),
      rxBytes: this.rx.bytes.total,
      txBytes: this.tx.bytes.total,
      rxMessages: this.rx.msgs.total,
      txMessages: this.tx.msgs.total,
      telemetryFrames: this.telemetryFrames,
      telemetrySamples: this.telemetrySamples,
      telemetryDroppedSamples: this.telemetryDropped,
      telemetryBadFrames: this.telemetryBadFrames,
      lastTelemetryError: this.lastTelemetryError,
    };
  }

  async configureDeviceLink(sessionId: string, linkType: LinkType, linkConfig: Record<string, unknown>): Promise<void> {
    await this.request('configureDeviceLink', { sessionId, linkType, linkConfig });
  }

  async requestDemoMode(enable: boolean): Promise<void> {
    await this.request('requestDemoMode', { enable });
  }

  async createSession(p: { protocol: ProtocolName; linkType: LinkType; linkConfig: Record<string, unknown>; options?: Record<string, unknown>; name?: string; autoConnect?: boolean }): Promise<string> {
    return (await this.request('createSession', p)).sessionId;
  }

  listSessions(): Promise<SessionSummary[]> {
    return this.request('listSessions', {});
  }

  async removeSession(sessionId: string): Promise<void> {
    await this.request('removeSession', { sessionId });
  }

  /** A protocol's own request on one session (see each protocol's actions). */
  /**
   * A protocol action, typed by its protocol's table (shared/api/protocol-actions.ts):
   * `client.action({ sessionId, protocol: 'katcp' }, 'listSensors', {})` resolves with KatcpSensorRow[].
   */
  action<P extends TypedProtocol, N extends ActionName<P>>(session: { sessionId: string; protocol: P }, name: N, args: ActionArgs<P, N>, timeoutS = DEFAULT_TIMEOUT_S): Promise<ActionResult<P, N>> {
    return this.request('sessionAction', { sessionId: session.sessionId, action: name, args }, timeoutS) as Promise<ActionResult<P, N>>;
  }

  /** One session's actions as a typed function: `const katcp = client.actionsOf('katcp', id); await katcp('help', {})`. */
  actionsOf<P extends TypedProtocol>(protocol: P, sessionId: string) {
    return <N extends ActionName<P>>(name: N, args: ActionArgs<P, N>, timeoutS = DEFAULT_TIMEOUT_S) => this.action({ sessionId, protocol }, name, args, timeoutS);
  }

  /** What a session can be asked: its actions' names, help and argument schemas. */
  describeActions(sessionId: string): Promise<ActionDescription[]> {
    return this.request('describeActions', { sessionId });
  }

  /** An action by a name known only at run time (a script's input); prefer `action` for the types. */
  sessionAction<R = unknown>(sessionId: string, action: string, args?: unknown, timeoutS = DEFAULT_TIMEOUT_S): Promise<R> {
    return this.request('sessionAction', { sessionId, action, args }, timeoutS) as Promise<R>;
  }

  listSignals(sessionId?: string): Promise<SignalInfo[]> {
    return this.request('listSignals', sessionId === undefined ? {} : { sessionId });
  }

  /**
   * Streams the signals' new samples to onBatch, one call per telemetry frame;
   * with history, the samples the engine still holds come first.
   * Returns a function that stops it.
   */
  async subscribe(signalIds: number[], onBatch: TelemetryHandler, opts: { history?: boolean } = {}): Promise<() => Promise<void>> {
    this.telemetryHandlers.set(onBatch, new Set(signalIds));
    await this.request('subscribe', { signalIds, ...(opts.history ? { history: true } : {}) });
    return async () => {
      this.telemetryHandlers.delete(onBatch);
      const stillWanted = new Set<number>();
      for (const ids of this.telemetryHandlers.values()) for (const id of ids) stillWanted.add(id);
      const drop = signalIds.filter((id) => !stillWanted.has(id));
      if (drop.length && this.pipe) await this.request('unsubscribe', { signalIds: drop });
    };
  }

  // ------------------------------------------------------------ capture

  /** Records the sessions (all by default) to MCAP in the host's recordings folder. */
  startRecording(opts: { sessionIds?: string[]; name?: string; folder?: string; console?: boolean } = {}): Promise<RecordingStatus> {
    return this.request('startRecording', opts);
  }

  stopRecording(): Promise<RecordingStatus | null> {
    return this.request('stopRecording', {}, 30);
  }

  listRecordings(folder?: string): Promise<RecordingInfo[]> {
    return this.request('listRecordings', folder ? { folder } : {}, 30);
  }

  /**
   * Opens a recording for replay: its signals appear in listSignals under the
   * replay's id (its replayId) and play into subscriptions as a session's would.
   */
  openReplay(name: string, opts: { folder?: string; play?: boolean; speed?: number } = {}): Promise<OpenedReplay> {
    return this.request('openReplay', { name, ...opts }, 30);
  }

  /** Play or pause, set the speed, or seek (seconds since the epoch; historyS seconds before it are loaded). */
  controlReplay(replayId: string, what: { play?: boolean; speed?: number; seek?: number; historyS?: number }): Promise<ReplayStatus> {
    return this.request('controlReplay', { replayId, ...what }, 30);
  }

  async closeReplay(replayId: string): Promise<void> {
    await this.request('closeReplay', { replayId });
  }

  listReplays(): Promise<ReplayStatus[]> {
    return this.request('listReplays', {});
  }

  /** Arms a scope trigger on a live signal; waitCapture(timeoutS, triggerId) gets its captures. */
  async armTrigger(spec: TriggerSpecInput): Promise<string> {
    return (await this.request('armTrigger', spec)).triggerId;
  }

  async disarmTrigger(triggerId: string): Promise<void> {
    await this.request('disarmTrigger', { triggerId });
  }

  /** Resolves with the next capture (of one trigger, or any) with its samples; captures that came before the call count. */
  async waitCapture(timeoutS = DEFAULT_TIMEOUT_S, triggerId?: string): Promise<Acquisition> {
    const deadline = Date.now() + timeoutS * 1000;
    for (;;) {
      const k = this.captures.findIndex((c) => triggerId === undefined || c.triggerId === triggerId);
      if (k >= 0) {
        const [summary] = this.captures.splice(k, 1);
        return this.request('getAcquisition', { id: summary!.id });
      }
      const left = deadline - Date.now();
      if (left <= 0 || !this.pipe) throw new TimeoutError(`No capture${triggerId ? ` from trigger ${triggerId}` : ''} within ${timeoutS} s`);
      await new Promise<void>((resolve) => {
        const wake = () => { clearTimeout(timer); this.captureWaiters.delete(wake); resolve(); };
        const timer = setTimeout(wake, left);
        this.captureWaiters.add(wake);
      });
    }
  }

  on<E extends keyof EventTypes>(event: E, cb: (data: EventTypes[E]) => void): () => void {
    const listeners = this.listeners as Record<string, Set<(data: EventTypes[E]) => void> | undefined>;
    const set = (listeners[event] ??= new Set());
    set.add(cb);
    return () => set.delete(cb);
  }

  // ------------------------------------------------------------ inbound

  private onMessage(data: string | ArrayBuffer): void {
    if (typeof data !== 'string') {
      this.rx.bytes.add(data.byteLength);
      this.rx.msgs.add(1);
      this.onTelemetry(data);
      return;
    }
    this.rx.bytes.add(data.length);
    this.rx.msgs.add(1);
    let msg: ReplyMessage | EventMessage;
    try {
      msg = JSON.parse(data);
    } catch {
      return; // a door never sends this; nothing to correlate it with
    }
    if ('event' in msg) return this.onEvent(msg);
    if (msg.id === null || msg.id === undefined) return;
    const p = this.pending.get(msg.id);
    if (!p) return;
    this.pending.delete(msg.id);
    clearTimeout(p.timer);
    if (msg.ok) p.resolve(msg.result);
    else p.reject(errorFromReply(msg.error));
  }

  private onEvent(msg: EventMessage): void {
    if (msg.event === 'status') {
      this.latestStatus = msg.data;
      const waiters = this.statusWaiters;
      this.statusWaiters = [];
      for (const w of waiters) { clearTimeout(w.timer); w.resolve(msg.data); }
    }
    if (msg.event === 'capture') {
      this.captures.push(msg.data);
      if (this.captures.length > 256) this.captures.shift();
      for (const wake of [...this.captureWaiters]) wake();
    }
    const set = this.listeners[msg.event] as Set<(d: unknown) => void> | undefined;
    if (set) for (const cb of set) cb(msg.data);
  }

  private onTelemetry(buf: ArrayBuffer): void {
    const frame = decodeTelemetryFrame(buf);
    if ('error' in frame) {
      this.telemetryBadFrames++;
      this.lastTelemetryError = `${frame.error} (${buf.byteLength} bytes)`;
      for (const cb of this.telemetryErrorListeners) cb(this.lastTelemetryError);
      return;
    }
    this.telemetryFrames++;
    this.telemetryDropped += frame.dropped;
    for (const b of frame.blocks) this.telemetrySamples += b.times.length;
    for (const [handler, ids] of this.telemetryHandlers) {
      const mine = frame.blocks.filter((b) => ids.has(b.id));
      if (mine.length || frame.dropped) handler(mine, frame.dropped);
    }
  }

  private onClose(reason: string): void {
    if (!this.pipe) return;
    this.pipe = null;
    this.failAll(new ConnectionError(`Connection to the hub lost: ${reason}`));
    for (const cb of this.closeListeners) cb(reason);
  }

  private failAll(err: Error): void {
    for (const p of this.pending.values()) { clearTimeout(p.timer); p.reject(err); }
    this.pending.clear();
    for (const w of this.statusWaiters) { clearTimeout(w.timer); w.reject(err); }
    this.statusWaiters = [];
    for (const wake of [...this.captureWaiters]) wake();
  }
}

function openWebSocketPipe(Ctor: WebSocketCtor, url: string, timeoutMs: number): Promise<MessagePipe> {
  return new Promise((resolve, reject) => {
    let ws: WebSocketLike;
    try {
      ws = new Ctor(url);
    } catch (e) {
      reject(new ConnectionError(`Cannot open ${url.replace(/token=[^&]*/, 'token=…')}: ${(e as Error).message}`));
      return;
    }
    ws.binaryType = 'arraybuffer';
    let handlers: Parameters<MessagePipe['setHandlers']>[0] | null = null;
    let opened = false;
    const timer = setTimeout(() => {
      ws.close();
      reject(new TimeoutError(`No answer from the hub at ${url.split('?')[0]} within ${timeoutMs / 1000} s`));
    }, timeoutMs);
    ws.onopen = () => {
      opened = true;
      clearTimeout(timer);
      resolve({
        send: (text) => ws.send(text),
        close: () => ws.close(),
        setHandlers: (h) => { handlers = h; },
      });
    };
    ws.onerror = () => undefined; // the close event that follows carries the outcome
    ws.onclose = (ev) => {
      clearTimeout(timer);
      if (!opened) {
        reject(new ConnectionError(`Cannot connect to the hub at ${url.split('?')[0]} (refused, wrong port, or wrong token)`));
        return;
      }
      handlers?.onClose(ev.reason || `closed with code ${ev.code}`);
    };
    ws.onmessage = (ev) => {
      const d = ev.data;
      if (typeof d === 'string') handlers?.onMessage(d);
      else if (d instanceof ArrayBuffer) handlers?.onMessage(d);
      else if (ArrayBuffer.isView(d)) {
        const v = d as ArrayBufferView;
        handlers?.onMessage(v.buffer.slice(v.byteOffset, v.byteOffset + v.byteLength) as ArrayBuffer);
      }
    };
  });
}
