// A KATCP client session over a link: reads the connect informs into version and
// flags, lists the sensors, has every sampling strategy restored after each
// (re)connection (strategies.ts), keeps the server alive with ?watchdog, and answers
// the protocol's actions (requests, strategies, sensors, log level).
import type { DeviceInfo, MarkSeverity } from '../../../shared/api/contract';
import { deviceInfoOf, type AdapterContext, type ProtocolAdapter, type ProtocolCounters } from '../adapter';
import { INFORM, KatcpDecoder, REPLY, ascii, encodeMessage, parseTypedRequest, type KatcpMessageView } from './codec';
import type { KatcpOptions } from '../../../shared/api/katcp-options';
import { RequestTracker, type KatcpReply } from './requests';
import { SensorTable, sensorValueText } from './sensors';
import { KatcpActions, type KatcpLogEntry, type KatcpSensorRow } from '../../../shared/api/katcp';
import type { ActionHandlers } from '../../../shared/api/actions';
import { SENSOR_STATUSES } from './sensor-types';
import { sensorRows } from './sensor-rows';
import { KatcpStrategies } from './strategies';
import { ApiError } from '../../../shared/api/errors';

/** How long to wait for #version-connect before taking the server for v4 (no message ids). */
const VERSION_WAIT_MS = 1000;
const RETRY_MS = 2000;
const LOG_KEEP = 500;
const SENSOR_STATUS = ascii('sensor-status');
const SENSOR_VALUE = ascii('sensor-value');

export type { KatcpLogEntry, KatcpSensorRow } from '../../../shared/api/katcp';

type Phase = 'down' | 'version' | 'handshake' | 'ready';

/** How a sensor status is marked on its plots. */
const STATUS_SEVERITY: Record<string, MarkSeverity> = {
  nominal: 'ok', warn: 'warn', error: 'error', failure: 'error', unreachable: 'warn', inactive: 'info', unknown: 'info',
};

export class KatcpSession implements ProtocolAdapter {
  private readonly decoder: KatcpDecoder;
  private readonly requests: RequestTracker;
  private readonly table: SensorTable;
  private phase: Phase = 'down';
  private linkUp = false;
  private major = 0;
  private minor = 0;
  private flags = '';
  private library: string | null = null;
  private device: string | null = null;
  private buildState: string | null = null;
  private versions: string[][] = [];
  private clients: string[] = [];
  private timeoutHints = new Map<string, number>();
  private watchdogOk = true;
  private watchdogRoundTrip: number | null = null;
  private txMessages = 0;
  private error: string | null = null;
  private logs: KatcpLogEntry[] = [];
  private versionTimer: ReturnType<typeof setTimeout> | null = null;
  private watchdogTimer: ReturnType<typeof setInterval> | null = null;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private refreshing: Promise<void> | null = null;
  private connection = 0;
  private readonly text = new TextDecoder();
  private readonly where: string;
  /** Sensors gone from the server's list (after #interface-changed): their last row; their signals keep their history. */
  private readonly removed = new Map<string, KatcpSensorRow>();
  private quietTx = false;
  private readonly strategies: KatcpStrategies;

  constructor(private readonly ctx: AdapterContext, private readonly options: KatcpOptions) {
    // Errors name the link: "the KATCP server at tcp <host>:<port>".
    const where = ctx.linkLabel ? `the KATCP server at ${ctx.linkLabel()}` : 'the KATCP server';
    this.where = where;
    this.decoder = new KatcpDecoder({
      message: (v, t) => this.onMessage(v, t),
      bad: (reason, raw, t) => {
        if (ctx.consoleWanted()) ctx.console('rx', `${this.text.decode(raw)}  ⟵ not understood: ${reason}`, t);
      },
    }, { maxLineLength: options.maxLineLength, source: where });
    this.requests = new RequestTracker((line) => this.write(line), () => where);
    this.table = new SensorTable({
      signal: (name, unit, states) => ctx.signal(name, unit, states ? { states } : undefined),
      sample: (id, t, v) => ctx.sample(id, t, v),
      statusChanged: (s, previous, t) => {
        const status = SENSOR_STATUSES[s.status]!;
        ctx.event('sensor-status', { sensor: s.name, status, previous: SENSOR_STATUSES[previous], value: sensorValueText(s), t });
        // On the plots of the sensor (a mark is an object: status changes, never readings).
        ctx.mark?.({ t, label: `${s.name}: ${status}`, severity: STATUS_SEVERITY[status] ?? 'info', signal: s.name });
      },
      stateChanged: (s, t) => ctx.event('sensor-value', { sensor: s.name, type: s.type, value: sensorValueText(s), status: SENSOR_STATUSES[s.status], t }),
    });
    this.strategies = new KatcpStrategies(this.table, options.sampling, {
      where,
      request: (name, args) => this.request(name, args),
      ready: () => this.phase === 'ready',
      major: () => this.major,
      flags: () => this.flags,
      fail: (message) => this.fail(message),
    });
  }

  get ready(): boolean {
    return this.phase === 'ready' && this.watchdogOk;
  }

  get counters(): ProtocolCounters {
    const c = this.decoder.counters;
    return {
      rxMessages: c.messages,
      txMessages: this.txMessages,
      frameErrors: c.badLines + c.oversizedLines + this.requests.unknownMids + this.table.badReadings,
      resyncs: c.resyncs,
    };
  }

  get lastError(): string | null {
    return this.error ?? this.decoder.lastError ?? this.requests.lastUnknown ?? this.table.lastProblem;
  }

  onLinkUp(): void {
    this.linkUp = true;
    this.connection++;
    this.decoder.reset();
    this.phase = 'version';
    this.major = 0;
    this.flags = '';
    this.requests.useMids = false;
    this.watchdogOk = true;
    this.versionTimer = setTimeout(() => {
      this.versionTimer = null;
      // No #version-connect: a v4 server (or older), without message ids.
      if (this.phase === 'version') this.startHandshake(4, 0, '');
    }, VERSION_WAIT_MS);
  }

  onLinkDown(): void {
    this.linkUp = false;
    this.phase = 'down';
    this.stopTimers();
    this.decoder.reset();
    this.requests.failAll(`the connection to ${this.where} closed`);
    for (const s of this.table.sensors) {
      s.strategy = 'none';
      s.strategyParams = [];
    }
    // As aiokatcp's client: every sensor unreachable until fresh readings arrive, its last value kept but stale.
    const n = this.table.markUnreachable();
    if (n) this.ctx.mark?.({ t: Date.now() / 1000, label: `disconnected: ${n} sensors unreachable`, severity: 'warn' });
  }

  onData(chunk: Uint8Array, t: number): void {
    this.decoder.push(chunk, t);
  }

  sendText(text: string): boolean {
    const typed = parseTypedRequest(text);
    if (typed === null) return this.write(text.endsWith('\n') ? text : `${text}\n`);
    if (!this.linkUp) return false;
    // Sent with a message id (when the server has them) so that its reply is matched. The hub
    // already shows the typed text in the console, so the encoded line is not shown again.
    this.quietTx = true;
    try {
      this.request(typed.name, typed.args).catch((e: Error) => this.ctx.console('info', e.message, Date.now() / 1000));
    } finally {
      this.quietTx = false;
    }
    return true;
  }

  deviceInfo(deviceSessionId: string | null): DeviceInfo | null {
    if (!deviceSessionId) return null;
    const extra: Record<string, string | number | boolean> = {
      protocolVersion: this.major ? `${this.major}.${this.minor}` : 'unknown',
      flags: this.flags || 'none',
      messageIds: this.requests.useMids,
      bulkSampling: this.flags.includes('B'),
      timeoutHints: this.flags.includes('T'),
      sensors: this.table.sensors.length,
      clients: this.clients.join(', '),
    };
    if (this.library) extra.library = this.library;
    if (this.device) extra.device = this.device;
    if (this.buildState) extra.buildState = this.buildState;
    for (const v of this.versions) if (v[0]) extra[`version:${v[0]}`] = v.slice(1).join(' ');
    if (this.watchdogRoundTrip !== null) extra.watchdogRoundTripMs = +this.watchdogRoundTrip.toFixed(3);
    return deviceInfoOf({
      sessionId: deviceSessionId,
      deviceId: this.device ?? this.buildState ?? 'katcp',
      displayName: `KATCP device ${this.device ?? this.buildState ?? ''}`.trim(),
      maxRxDataSize: this.options.maxLineLength,
      rxTimeoutUs: Math.round(this.options.requestTimeoutS * 1e6),
      heartbeatTimeout: this.options.watchdogS || null,
      protocolMajor: this.major || null,
      protocolMinor: this.major ? this.minor : null,
      supportedFeatures: { memoryWrite: false, datalogging: false, userCommand: true, sixtyfourBits: false },
      extra,
    });
  }

  readonly actions = {
    request: async (a) => {
      const r = await this.request(a.name, a.args.map(String), a.timeoutS);
      // A refusal is an error, as aiokatcp raises FailReply / InvalidReply: a script cannot take it for a result.
      if (!r.ok) {
        const code = r.reply[0] ?? '';
        const reason = r.reply.slice(1).join(' ');
        throw new ApiError('OperationFailure', `?${a.name} refused by ${this.where}: !${a.name} ${code}${reason ? ` ${reason}` : ''}`, { device: { code, reason } });
      }
      return r;
    },
    setStrategy: async (a) => (await this.strategies.set([a.sensor], a.strategy, a.params))[0]!,
    setStrategies: (a) => this.strategies.set(a.sensors, a.strategy, a.params),
    listSensors: (a) => sensorRows(this.table, this.removed, a.filter),
    logLevel: async (a) => {
      const r = await this.request('log-level', a.level ? [a.level] : []);
      if (!r.ok) throw new ApiError('OperationFailure', `?log-level refused by the server: ${r.reply.slice(1).join(' ')}`, { device: { code: r.reply[0] ?? '', reason: r.reply.slice(1).join(' ') } });
      return { level: r.reply[1] ?? null };
    },
    help: async () => {
      const r = await this.request('help', []);
      return r.informs.map((i) => ({ name: i[0] ?? '', description: i[1] ?? '' }));
    },
    logs: () => this.logs.slice(),
  } satisfies ActionHandlers<typeof KatcpActions>;

  dispose(): void {
    this.linkUp = false;
    this.stopTimers();
    this.requests.failAll('the session was closed');
  }


  /** Sends a request and resolves with its reply and informs; rejects on timeout or disconnection. */
  request(name: string, args: readonly (string | number)[], timeoutS?: number): Promise<KatcpReply> {
    const hint = this.timeoutHints.get(name);
    const seconds = timeoutS ?? (hint !== undefined && hint > 0 ? hint + 1 : this.options.requestTimeoutS);
    return this.requests.send(name, args, seconds * 1000);
  }

  private write(line: string): boolean {
    const ok = this.ctx.write(new TextEncoder().encode(line));
    if (ok) {
      this.txMessages++;
      if (!this.quietTx && this.ctx.consoleWanted()) this.ctx.console('tx', line.replace(/\n$/, ''), Date.now() / 1000);
    }
    return ok;
  }


  private onMessage(v: KatcpMessageView, t: number): void {
    if (this.ctx.consoleWanted()) {
      const m = v.toMessage();
      this.ctx.console('rx', encodeMessage(m.type, m.name, m.args, m.mid).replace(/\n$/, ''), t);
    }
    if (v.type === INFORM && v.nameIs(SENSOR_STATUS)) {
      this.table.reading(v, t);
      return;
    }
    if (v.type === REPLY) {
      this.requests.onReply(v);
      return;
    }
    if (v.type !== INFORM) return;
    if (this.requests.onInform(v)) {
      // A reply inform of ?sensor-value also refreshes the table.
      if (v.nameIs(SENSOR_VALUE)) this.table.reading(v, t);
      return;
    }
    if (v.mid !== 0) return; // an inform for a request no longer waiting: counted by the tracker
    const m = v.toMessage();
    this.asyncInform(m.name, m.args, t);
  }

  private asyncInform(name: string, args: string[], t: number): void {
    switch (name) {
      case 'version-connect':
        if (args[0] === 'katcp-protocol') {
          const m = /^(\d+)\.(\d+)(?:-([A-Z]*))?/.exec(args[1] ?? '');
          if (this.phase === 'version') this.startHandshake(m ? Number(m[1]) : 5, m ? Number(m[2]) : 0, m?.[3] ?? '');
        } else if (args[0] === 'katcp-library') this.library = args.slice(1).join(' ');
        else if (args[0] === 'katcp-device') this.device = args.slice(1).join(' ');
        this.ctx.statusChanged();
        return;
      case 'version':
        this.device = args.join(' ');
        return;
      case 'build-state':
        this.buildState = args.join(' ');
        // v4 sends #version then #build-state: no need to wait for a #version-connect that never comes.
        if (this.phase === 'version') this.startHandshake(4, 0, '');
        return;
      case 'log': {
        const entry: KatcpLogEntry = { level: args[0] ?? '', t: this.timestamp(args[1], t), logger: args[2] ?? '', message: args.slice(3).join(' ') };
        this.logs.push(entry);
        if (this.logs.length > LOG_KEEP * 2) this.logs = this.logs.slice(-LOG_KEEP);
        this.ctx.event('log', entry);
        return;
      }
      case 'interface-changed':
        this.ctx.event('interface-changed', { args });
        if (this.phase === 'ready') void this.refreshSensors().catch((e: Error) => this.fail(`refreshing after #interface-changed: ${e.message}`));
        return;
      case 'disconnect':
        this.error = `${this.where} closes the connection: ${args.join(' ') || 'no reason given'}`;
        this.ctx.event('disconnect', { reason: args.join(' ') });
        this.ctx.statusChanged();
        return;
      case 'client-connected':
        this.ctx.event('client-connected', { client: args.join(' ') });
        if (this.phase === 'ready') void this.refreshClients();
        return;
      case 'sensor-value':
        // Some servers send readings this way outside a request.
        return;
      default:
        this.ctx.event('inform', { name, args });
    }
  }

  private timestamp(raw: string | undefined, fallback: number): number {
    const n = Number(raw);
    if (!Number.isFinite(n)) return fallback;
    return this.major > 0 && this.major < 5 ? n / 1000 : n;
  }


  private startHandshake(major: number, minor: number, flags: string): void {
    if (this.versionTimer) clearTimeout(this.versionTimer);
    this.versionTimer = null;
    this.major = major;
    this.minor = minor;
    this.flags = flags;
    this.table.major = major;
    this.requests.useMids = major >= 5 && flags.includes('I');
    this.phase = 'handshake';
    this.ctx.statusChanged();
    void this.handshake(this.connection);
  }

  private async handshake(connection: number): Promise<void> {
    const current = () => this.connection === connection && this.linkUp;
    try {
      if (this.major >= 5) {
        const r = await this.request('version-list', []);
        if (r.ok) this.versions = r.informs;
      }
      if (this.flags.includes('T') && current()) {
        const r = await this.request('request-timeout-hint', []);
        if (r.ok) this.timeoutHints = new Map(r.informs.map((i) => [i[0] ?? '', Number(i[1])]).filter(([, s]) => Number.isFinite(s)) as [string, number][]);
      }
      if (!current()) return;
      await this.refreshSensors();
      if (!current()) return;
      await this.readSensors();
      if (!current()) return;
      this.phase = 'ready';
      this.error = null;
      this.startWatchdog();
      this.ctx.statusChanged();
      this.ctx.event('sensors', { count: this.table.sensors.length });
      await this.strategies.restore();
      await this.refreshClients();
    } catch (e) {
      if (!current()) return;
      this.fail(`connecting: ${(e as Error).message}; trying again in ${RETRY_MS / 1000} s`);
      this.retryTimer = setTimeout(() => {
        this.retryTimer = null;
        if (current() && this.phase !== 'ready') void this.handshake(connection);
      }, RETRY_MS);
    }
  }

  private refreshSensors(): Promise<void> {
    this.refreshing ??= (async () => {
      try {
        const r = await this.request('sensor-list', []);
        if (!r.ok) throw new Error(`?sensor-list refused by ${this.where}: ${r.reply.slice(1).join(' ')}`);
        const before = new Map(sensorRows(this.table, this.removed, undefined).map((row) => [row.name, row]));
        const { added, removed } = this.table.replace(r.informs.filter((i) => i.length >= 4).map((i) => ({
          name: i[0]!, description: i[1]!, units: i[2]!, type: i[3]!, params: i.slice(4),
        })));
        for (const name of added) this.removed.delete(name);
        for (const name of removed) {
          const row = before.get(name);
          if (row) this.removed.set(name, { ...row, removed: true, strategy: 'none', strategyParams: [] });
          this.strategies.chosen.delete(name);
        }
        if (removed.length) this.ctx.mark?.({ t: Date.now() / 1000, label: `removed: ${removed.slice(0, 3).join(', ')}${removed.length > 3 ? ` and ${removed.length - 3} more` : ''}`, severity: 'warn' });
        if (this.phase === 'ready' && added.length) {
          await this.readSensors();
          await this.strategies.restore(new Set(added));
        }
        this.ctx.event('sensors', { count: this.table.sensors.length, added, removed });
      } finally {
        this.refreshing = null;
      }
    })();
    return this.refreshing;
  }

  /**
   * One ?sensor-value for every sensor, right after the list: each has a value and
   * a status at once, as aiokatcp's client has (it sets auto on each), whatever
   * strategies are set. Its informs update the table as they arrive.
   */
  private async readSensors(): Promise<void> {
    const r = await this.request('sensor-value', []);
    if (!r.ok) this.fail(`?sensor-value refused by ${this.where}: ${r.reply.slice(1).join(' ')}; sensors have no value until their strategies send one`);
  }

  private async refreshClients(): Promise<void> {
    try {
      const r = await this.request('client-list', []);
      if (r.ok) {
        this.clients = r.informs.map((i) => i[0] ?? '');
        this.ctx.statusChanged();
      }
    } catch {
      // Not every server has ?client-list; the device info simply has no clients then.
    }
  }


  private startWatchdog(): void {
    if (this.watchdogTimer || this.options.watchdogS <= 0) return;
    const ms = this.options.watchdogS * 1000;
    this.watchdogTimer = setInterval(() => {
      if (this.requests.has('watchdog')) return;
      const sent = performance.now();
      this.request('watchdog', [], this.options.watchdogS).then(() => {
        this.watchdogRoundTrip = performance.now() - sent;
        if (!this.watchdogOk) {
          this.watchdogOk = true;
          this.error = null;
          this.ctx.statusChanged();
        }
      }, (e: Error) => {
        if (!this.linkUp) return;
        this.watchdogOk = false;
        const reason = `liveness check failed: ${e.message}; reconnecting`;
        this.fail(reason);
        // A server that stopped answering is dropped and connected again (strategies are restored then).
        this.ctx.reconnect?.(reason);
      });
    }, ms);
  }

  private fail(message: string): void {
    this.error = message;
    this.ctx.statusChanged();
  }

  private stopTimers(): void {
    if (this.versionTimer) clearTimeout(this.versionTimer);
    if (this.watchdogTimer) clearInterval(this.watchdogTimer);
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.versionTimer = null;
    this.watchdogTimer = null;
    this.retryTimer = null;
  }
}
