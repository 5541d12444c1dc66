// Benchscope playing DCSS: hardware servers connect, prove who they are, get their
// devices registered, and then every htos_* message updates the device table.
//
// Hot path: htos_update_motor_position is read from the frame's bytes (motor name
// through a byte-keyed table, position through a byte scanner, status by byte
// comparison): no string, object or event per update, only a store sample and a
// few number fields of the motor's state. The console (the message log) gets every
// other message both ways; position updates only while someone watches it.
import { lookup } from 'node:dns/promises';
import net from 'node:net';
import type { DecimalScanner } from '../lines/decimal';
import { NAME_NOT_FOUND, SignalNameTable } from '../lines/signal-names';
import { DhsConnection } from './connection';
import type { DcsOptions, HardwareServerConfig, PseudoMotorConfig, RealMotorConfig } from './config';
import { buildDevices, limitViolation, ownedBy, pseudoMotorConfiguration, realMotorConfiguration, type DeviceTable, type MotorState } from './devices';
import { MOTOR_STATUSES, parseHtos, parseNumber, stoh, type HtosMessage } from './messages';
import { ApiError } from '../../../shared/api/errors';
import type { DcsTree } from '../../../shared/api/dcs';

/** Operations kept with their timeline after completion. */
const OPERATIONS_KEPT = 200;
/** Status words a `<motor>.status` signal can name: the known ones and the first others DHSs sent. */
const STATUS_WORDS_KEPT = 64;

export interface DcssHooks {
  /** `states`: a step signal's state names (a motor's status), drawn as a state timeline. */
  signal(name: string, unit?: string, states?: readonly string[]): number;
  /** A move started or ended, on the motor's plots. */
  mark?(m: { t: number; label: string; severity: 'info' | 'ok' | 'warn' | 'error'; signal: string }): void;
  sample(id: number, t: number, v: number): void;
  consoleWanted(): boolean;
  console(dir: 'rx' | 'tx' | 'info', text: string, t: number): void;
  event(kind: string, data: unknown): void;
  statusChanged(): void;
}

/** One TCP connection from a would-be DHS, as the link sees it. */
export interface DhsPeer {
  /** The peer's IP address; null when the link cannot tell. */
  address: string | null;
  /** e.g. "127.0.0.1:50312" */
  label: string;
  write(bytes: Uint8Array): boolean;
  /** Closes the connection; absent when the link cannot close one peer. */
  close?(): void;
}

export interface OperationRecord {
  operation: string;
  handle: string;
  dhs: string;
  args: string[];
  startedAt: number;
  updates: { t: number; args: string[] }[];
  completed: { t: number; status: string; args: string[] } | null;
}

export interface DcssCounters { rxMessages: number; txMessages: number; frameErrors: number; resyncs: number; unknownCommands: number; rejections: number }

interface HardwareServerState {
  config: HardwareServerConfig;
  connection: DhsConnection | null;
  connectedAt: number | null;
  connects: number;
  lastRejection: string | null;
  lastDisconnect: string | null;
}

/** A refused connection: why, and how long it is held before it is closed. */
export interface Refusal { reason: string; closeAfterMs: number }

/**
 * DCSS holds a refused DHS before closing it (1 s for a wrong address, 3 s for a name
 * already connected), so a DHS that reconnects at once does not spin. DCSS closes an
 * unknown name at once; Benchscope holds it 1 s too, for the same reason.
 */
export const REFUSAL_DELAY_MS = { wrongAddress: 1000, duplicate: 3000, unknownName: 1000 };

type Waiter<T> = { resolve(v: T): void; reject(e: Error): void; timer: ReturnType<typeof setTimeout> | null };


const enc = new TextEncoder();
const UPDATE_PREFIX = enc.encode('htos_update_motor_position ');
const STATUS_BYTES = MOTOR_STATUSES.map((s) => enc.encode(s));
const STATUS_MOVING = MOTOR_STATUSES.indexOf('moving');

export class Dcss {
  readonly devices: DeviceTable;
  readonly counters: DcssCounters = { rxMessages: 0, txMessages: 0, frameErrors: 0, resyncs: 0, unknownCommands: 0, rejections: 0 };
  lastError: string | null = null;
  readonly servers = new Map<string, HardwareServerState>();
  readonly operations = new Map<string, OperationRecord>();
  private readonly connections = new Set<DhsConnection>();
  private readonly motorNames = new SignalNameTable();
  private readonly motorWaiters = new Map<string, Waiter<MotorState>[]>();
  private readonly operationWaiters = new Map<string, Waiter<OperationRecord>[]>();
  /** Replies awaited by key, e.g. "shutter sh1", "encoder enc_x". */
  private readonly replyWaiters = new Map<string, Waiter<unknown>[]>();
  private operationCounter = 0;
  private disposed = false;
  /** The state names of every `<motor>.status` signal: MOTOR_STATUSES, then other words as DHSs send them. */
  private readonly statusWords: string[] = [...MOTOR_STATUSES];

  constructor(readonly options: DcsOptions, readonly hooks: DcssHooks) {
    this.devices = buildDevices(options, (name, unit, states) => hooks.signal(name, unit, states));
    this.devices.motorList.forEach((m, i) => {
      const b = enc.encode(m.name);
      this.motorNames.add(b, 0, b.length, i);
    });
    for (const h of options.hardwareServers) {
      this.servers.set(h.name, { config: h, connection: null, connectedAt: null, connects: 0, lastRejection: null, lastDisconnect: null });
    }
  }

  /** At least one hardware server is connected and registered. */
  get ready(): boolean {
    for (const s of this.servers.values()) if (s.connection) return true;
    return false;
  }

  /** A new connection: DCSS speaks first. */
  attach(peer: DhsPeer, t: number): DhsConnection {
    const c = new DhsConnection(this, peer, this.options.maxTextLength, t);
    this.connections.add(c);
    return c;
  }

  dispose(): void {
    this.disposed = true;
    for (const c of [...this.connections]) c.detach('session closed', Date.now() / 1000);
    const err = new ApiError('NotConnected', 'the DCS session was closed');
    for (const map of [this.motorWaiters, this.operationWaiters, this.replyWaiters] as Map<string, Waiter<never>[]>[]) {
      for (const list of map.values()) for (const w of list) this.settle(w, null, err);
      map.clear();
    }
  }

  // ------------------------------------------------------------ connections (called by DhsConnection)

  /** @internal */ forget(c: DhsConnection): void {
    this.connections.delete(c);
  }

  /**
   * @internal The handshake's checks: the refusal, or null to accept.
   * Synchronous unless the allowed address is a host name to resolve, so that
   * messages coalesced with htos_client_is_hardware are read in the right version.
   */
  admit(c: DhsConnection, name: string, answer: string): Refusal | null | Promise<Refusal | null> {
    const server = this.servers.get(name);
    if (!server) {
      return {
        reason: `unknown hardware server "${name}" in ${answer} (this DCS configuration knows ${[...this.servers.keys()].map((n) => `"${n}"`).join(', ')})`,
        closeAfterMs: REFUSAL_DELAY_MS.unknownName,
      };
    }
    const allowed = server.config.address;
    const rest = (): Refusal | null => {
      if (c.closed) return { reason: 'disconnected during the handshake', closeAfterMs: 0 };
      if (server.connection && server.connection !== c) {
        return { reason: `hardware server "${name}" is already connected from ${server.connection.peer.label}`, closeAfterMs: REFUSAL_DELAY_MS.duplicate };
      }
      return null;
    };
    if (allowed === '*') return rest();
    if (c.peer.address === null) {
      this.info(`address of "${name}" not checked: this link does not report the peer's address`);
      return rest();
    }
    const wrong = { reason: `hardware server "${name}" must connect from ${allowed}, not from ${c.peer.address}`, closeAfterMs: REFUSAL_DELAY_MS.wrongAddress };
    const match = addressMatches(allowed, c.peer.address);
    if (typeof match === 'boolean') return match ? rest() : wrong;
    return match.then((ok) => (ok ? rest() : wrong));
  }

  /** @internal */ rejected(c: DhsConnection, name: string | null, reason: string, closeAfterMs: number): void {
    this.counters.rejections++;
    const wait = closeAfterMs > 0 ? `; closing it in ${closeAfterMs / 1000} s` : '';
    const text = `refused the connection from ${c.peer.label}${name ? ` ("${name}")` : ''}: ${reason}${wait}`;
    this.lastError = text;
    const server = name ? this.servers.get(name) : undefined;
    if (server) server.lastRejection = text;
    this.info(text);
    this.hooks.event('dhsRejected', { dhs: name, peer: c.peer.label, reason });
    this.hooks.statusChanged();
  }

  /** @internal Accepted: registrations, then dependencies and children, as DCSS sends them. */
  registered(c: DhsConnection, name: string): void {
    const server = this.servers.get(name)!;
    server.connection = c;
    server.connectedAt = Date.now() / 1000;
    server.connects++;
    server.lastRejection = null;
    const h = server.config;
    for (const m of h.realMotors) c.send(stoh.registerRealMotor(m.name, m.hwName ?? m.name));
    for (const m of h.pseudoMotors) c.send(stoh.registerPseudoMotor(m.name, m.hwName ?? m.name));
    for (const s of h.shutters) c.send(stoh.registerShutter(s.name, this.devices.shutters.get(s.name)!.state, s.hwName ?? s.name));
    for (const i of h.ionChambers) c.send(stoh.registerIonChamber(i.name, i.hwName, i.counterChannel, i.timer, i.timerType));
    for (const e of h.encoders) c.send(stoh.registerEncoder(e.name, e.hwName ?? e.name));
    for (const s of h.strings) c.send(stoh.registerString(s.name, s.hwName ?? s.name));
    for (const o of h.operations) c.send(stoh.registerOperation(o.name, o.hwName ?? o.name));
    for (const o of h.objects) c.send(stoh.registerObject(o.name, o.hwName ?? o.name));
    for (const m of [...h.realMotors, ...h.pseudoMotors] as (RealMotorConfig | PseudoMotorConfig)[]) {
      if (m.dependency.length) c.send(stoh.setMotorDependency(m.name, m.dependency));
      if (m.children.length) c.send(stoh.setMotorChildren(m.name, m.children));
    }
    this.info(`hardware server "${name}" connected from ${c.peer.label} (protocol ${h.protocol}, ${ownedBy(this.devices, name).size} devices registered)`);
    this.hooks.event('dhsConnected', { dhs: name, peer: c.peer.label, protocol: h.protocol });
    this.hooks.statusChanged();
  }

  /** @internal */ disconnected(c: DhsConnection, name: string | null, reason: string, t: number): void {
    this.forget(c);
    if (!name) return;
    const server = this.servers.get(name);
    if (!server || server.connection !== c) return;
    server.connection = null;
    server.lastDisconnect = reason;
    this.info(`hardware server "${name}" disconnected: ${reason}`, t);
    // Moves in progress will never complete on this connection.
    for (const m of this.devices.motorList) {
      if (m.dhs !== name || !m.moving) continue;
      m.moving = false;
      m.status = 'unknown';
      this.wake(this.motorWaiters, m.name, null, new ApiError('OperationFailure', `hardware server "${name}" disconnected while ${m.name} was moving`));
    }
    for (const op of this.operations.values()) {
      if (op.dhs === name && !op.completed) this.wake(this.operationWaiters, op.handle, null, new ApiError('OperationFailure', `hardware server "${name}" disconnected before ${op.operation} ${op.handle} completed`));
    }
    for (const [key, list] of this.replyWaiters) {
      if (!key.startsWith(`${name} `)) continue;
      this.replyWaiters.delete(key);
      for (const w of list) this.settle(w, null, new ApiError('OperationFailure', `hardware server "${name}" disconnected before answering`));
    }
    if (!this.disposed) {
      this.hooks.event('dhsDisconnected', { dhs: name, reason });
      this.hooks.statusChanged();
    }
  }

  /** @internal Fast path: a position update read from bytes; false to take the slow path. */
  positionUpdate(c: DhsConnection, b: Uint8Array, s: number, e: number, t: number, scanner: DecimalScanner): boolean {
    const p = UPDATE_PREFIX;
    if (e - s <= p.length) return false;
    for (let i = 0; i < p.length; i++) if (b[s + i] !== p[i]) return false;
    let i = s + p.length;
    while (i < e && b[i] === 32) i++;
    const ns = i;
    while (i < e && b[i] !== 32) i++;
    const index = this.motorNames.find(b, ns, i);
    if (index === NAME_NOT_FOUND) return false;
    const m = this.devices.motorList[index]!;
    if (m.dhs !== c.dhsName) return false;
    while (i < e && b[i] === 32) i++;
    const v = scanner.scan(b, i, e);
    if (scanner.end === i || (scanner.end < e && b[scanner.end] !== 32)) return false;
    i = scanner.end;
    while (i < e && b[i] === 32) i++;
    const ss = i;
    while (i < e && b[i] !== 32) i++;
    const status = statusOf(b, ss, i);
    if (status < 0) return false;
    m.position = v;
    m.status = MOTOR_STATUSES[status]!;
    m.updates++;
    this.hooks.sample(m.signalId, t, v);
    return true;
  }

  /** @internal Every other message from a registered DHS. */
  handle(c: DhsConnection, text: string, t: number): void {
    const parsed = parseHtos(text);
    if (!parsed.ok) {
      if ('unknown' in parsed) {
        this.counters.unknownCommands++;
        this.info(`${c.dhsName}: ${parsed.reason}, ignored: ${text.slice(0, 200)}`, t);
        this.hooks.event('unknownCommand', { dhs: c.dhsName, text: text.slice(0, 1000) });
      } else {
        this.problem(`${c.dhsName}: ${parsed.reason}`, t);
      }
      return;
    }
    this.apply(c, parsed.message, t);
  }

  private apply(c: DhsConnection, msg: HtosMessage, t: number): void {
    const dhs = c.dhsName!;
    switch (msg.type) {
      case 'htos_client_is_hardware':
        this.problem(`${dhs}: htos_client_is_hardware again after the handshake, ignored`, t);
        return;
      case 'htos_motor_move_started': {
        const m = this.ownMotor(c, msg.motor, msg.type, t);
        if (!m) return;
        m.moving = true;
        m.status = 'moving';
        m.target = msg.position;
        m.lastMoveStartedAt = t;
        this.hooks.sample(m.statusSignalId, t, STATUS_MOVING);
        this.hooks.event('motorMoveStarted', { dhs, motor: m.name, position: msg.position, t });
        this.hooks.mark?.({ t, label: `${m.name} → ${msg.position}`, severity: 'info', signal: m.name });
        return;
      }
      case 'htos_update_motor_position': {
        // Only here when the fast path could not read it (a motor of another DHS, say).
        const m = this.ownMotor(c, msg.motor, msg.type, t);
        if (!m) return;
        m.position = msg.position;
        m.status = msg.status;
        m.updates++;
        this.hooks.sample(m.signalId, t, msg.position);
        return;
      }
      case 'htos_motor_move_completed': {
        const m = this.ownMotor(c, msg.motor, msg.type, t);
        if (!m) return;
        m.position = msg.position;
        m.status = msg.status;
        m.moving = false;
        m.target = null;
        m.lastMoveCompletedAt = t;
        this.hooks.sample(m.signalId, t, msg.position);
        // Any word ends the move (DCSS reads it with "%s"); only the known ones mean more.
        this.hooks.sample(m.statusSignalId, t, this.statusIndex(m, msg.status));
        this.hooks.event('motorMoveCompleted', { dhs, motor: m.name, position: msg.position, status: msg.status, t });
        this.hooks.mark?.({
          t, label: `${m.name} ${msg.status} at ${msg.position}`, signal: m.name,
          severity: msg.status === 'normal' ? 'ok' : msg.status === 'aborted' ? 'warn' : 'error',
        });
        this.wake(this.motorWaiters, m.name, m, null);
        return;
      }
      case 'htos_configure_device': {
        const m = this.ownMotor(c, msg.device, msg.type, t);
        if (!m) return;
        const problem = applyConfiguration(m, msg.args);
        if (problem) this.problem(`${dhs}: htos_configure_device ${m.name}: ${problem}`, t);
        else {
          this.hooks.sample(m.signalId, t, m.position);
          this.hooks.event('motorConfigured', { dhs, motor: m.name, position: m.position, config: m.config });
        }
        return;
      }
      case 'htos_send_configuration': {
        const m = this.ownMotor(c, msg.device, msg.type, t);
        if (!m) return;
        const hwHost = dhs;
        c.send(m.kind === 'real' ? stoh.configureRealMotor(realMotorConfiguration(m, hwHost)) : stoh.configurePseudoMotor(pseudoMotorConfiguration(m, hwHost)));
        return;
      }
      case 'htos_report_shutter_state': {
        const sh = this.own(c, this.devices.shutters, msg.shutter, 'shutter', msg.type, t);
        if (!sh) return;
        sh.lastResult = msg.result || null;
        sh.reportedAt = t;
        // DCSS applies the state only when the report carries no failure.
        if (msg.result === '' || msg.result === 'normal') sh.state = msg.open ? 'open' : 'closed';
        this.hooks.event('shutter', { dhs, shutter: sh.name, state: sh.state, result: msg.result || 'normal' });
        this.reply(`${dhs} shutter ${sh.name}`, { shutter: sh.name, state: sh.state, result: msg.result || 'normal' });
        return;
      }
      case 'htos_report_ion_chambers': {
        const counts: Record<string, number> = {};
        for (const r of msg.counts) {
          const ic = this.own(c, this.devices.ionChambers, r.name, 'ion chamber', msg.type, t);
          if (!ic) continue;
          counts[ic.name] = r.counts;
          if (msg.time > 0) {
            ic.counts = r.counts;
            ic.time = msg.time;
            ic.readAt = t;
            this.hooks.sample(ic.signalId, t, r.counts);
          }
        }
        const result = { time: msg.time, ok: msg.time > 0, counts };
        this.hooks.event('ionChambers', { dhs, ...result });
        this.reply(`${dhs} ionChambers`, result);
        return;
      }
      case 'htos_get_encoder_completed': case 'htos_set_encoder_completed': {
        const en = this.own(c, this.devices.encoders, msg.encoder, 'encoder', msg.type, t);
        if (!en) return;
        if (msg.status === 'normal') en.position = msg.position;
        en.status = msg.status;
        en.reportedAt = t;
        const result = { encoder: en.name, position: msg.position, status: msg.status };
        this.hooks.event('encoder', { dhs, ...result });
        this.reply(`${dhs} encoder ${en.name}`, result);
        return;
      }
      case 'htos_set_string_completed': {
        const st = this.own(c, this.devices.strings, msg.name, 'string', msg.type, t);
        if (!st) return;
        st.lastStatus = msg.status;
        st.reportedAt = t;
        if (msg.status === 'normal') st.value = msg.value;
        const result = { string: st.name, status: msg.status, value: st.value };
        this.hooks.event('string', { dhs, ...result });
        this.reply(`${dhs} string ${st.name}`, result);
        return;
      }
      case 'htos_operation_update': {
        const op = this.operationFor(c, msg.operation, msg.handle, t);
        if (!op) return;
        op.updates.push({ t, args: msg.args });
        this.hooks.event('operationUpdate', { dhs, operation: op.operation, handle: op.handle, args: msg.args, t });
        return;
      }
      case 'htos_operation_completed': {
        const op = this.operationFor(c, msg.operation, msg.handle, t);
        if (!op) return;
        op.completed = { t, status: msg.status, args: msg.args };
        this.hooks.event('operationCompleted', { dhs, operation: op.operation, handle: op.handle, status: msg.status, args: msg.args, t });
        this.wake(this.operationWaiters, op.handle, op, null);
        return;
      }
      case 'htos_start_operation': case 'htos_limit_hit': case 'htos_simulating_device': case 'htos_motor_correct_started':
        // DCSS forwards these to its GUI clients: here, every client of the session.
        this.hooks.event('forwarded', { dhs, type: msg.type, args: msg.args, t });
        return;
      case 'htos_note': case 'htos_log':
        this.hooks.event(msg.type === 'htos_note' ? 'note' : 'log', { dhs, text: msg.text, t });
        return;
    }
  }

  // ------------------------------------------------------------ requests (the session's actions)

  connectionOf(deviceDhs: string, what: string): DhsConnection {
    const server = this.servers.get(deviceDhs);
    if (!server?.connection) throw new ApiError('NotConnected', `hardware server "${deviceDhs}" (owner of ${what}) is not connected`);
    return server.connection;
  }

  motor(name: string): MotorState {
    const m = this.devices.motors.get(name);
    if (!m) throw new ApiError('InvalidRequest', `no motor "${name}" (motors: ${[...this.devices.motors.keys()].join(', ') || 'none'})`);
    return m;
  }

  moveMotor(name: string, position: number, t: number): MotorState {
    const m = this.motor(name);
    const c = this.connectionOf(m.dhs, name);
    if (m.moving) throw new ApiError('OperationFailure', `${name} is already moving (to ${m.target ?? '?'})`);
    if (m.config.motorLockOn) throw new ApiError('OperationFailure', `${name} is locked (motorLockOn in its configuration)`);
    const violation = limitViolation(m, position);
    if (violation) throw new ApiError('InvalidRequest', `move refused: ${violation}`);
    m.moving = true;
    m.status = 'moving';
    m.target = position;
    m.lastMoveStartedAt = t;
    c.send(stoh.startMotorMove(name, position));
    return m;
  }

  /** The motor once it is not moving; waits at most timeoutMs. */
  waitMotor(name: string, timeoutMs: number): Promise<MotorState> {
    const m = this.motor(name);
    if (!m.moving) return Promise.resolve(m);
    return this.wait(this.motorWaiters, name, timeoutMs, `${name} still moving after ${timeoutMs / 1000} s (position ${m.position}, target ${m.target})`);
  }

  startOperation(name: string, args: string[], t: number): OperationRecord {
    const def = this.devices.operations.get(name);
    if (!def) throw new ApiError('InvalidRequest', `no operation "${name}" (operations: ${[...this.devices.operations.keys()].join(', ') || 'none'})`);
    const c = this.connectionOf(def.dhs, name);
    // DCSS is client 1: its own handles are 1.N.
    const handle = `1.${++this.operationCounter}`;
    const op: OperationRecord = { operation: name, handle, dhs: def.dhs, args, startedAt: t, updates: [], completed: null };
    this.keepOperation(op);
    c.send(stoh.startOperation(def.hwName, handle, args));
    this.hooks.event('operationStarted', { dhs: def.dhs, operation: name, handle, args, t });
    return op;
  }

  waitOperation(handle: string, timeoutMs: number): Promise<OperationRecord> {
    const op = this.operations.get(handle);
    if (!op) throw new ApiError('InvalidRequest', `no operation with handle "${handle}" (handles look like 1.7)`);
    if (op.completed) return Promise.resolve(op);
    return this.wait(this.operationWaiters, handle, timeoutMs, `${op.operation} ${handle} not completed after ${timeoutMs / 1000} s (${op.updates.length} updates)`);
  }

  /** Sends `text` to `dhs` and waits for the reply filed under `key`. */
  request<T>(dhs: string, key: string, text: string, timeoutMs: number, what: string): Promise<T> {
    const c = this.connectionOf(dhs, what);
    const p = this.wait(this.replyWaiters, `${dhs} ${key}`, timeoutMs, `no answer from "${dhs}" to ${text.split(' ')[0]} for ${what} within ${timeoutMs / 1000} s`);
    c.send(text);
    return p as Promise<T>;
  }

  /** The state tree, for the panel and for scripts. */
  tree(): DcsTree {
    const d = this.devices;
    return {
      hardwareServers: [...this.servers.values()].map((s) => ({
        name: s.config.name, address: s.config.address, protocol: s.config.protocol,
        connected: s.connection !== null, peer: s.connection?.peer.label ?? null, connectedAt: s.connectedAt,
        connects: s.connects, lastRejection: s.lastRejection, lastDisconnect: s.lastDisconnect,
      })),
      motors: [...d.motors.values()].map((m) => ({
        name: m.name, kind: m.kind, dhs: m.dhs, units: m.units, position: m.position, status: m.status, moving: m.moving,
        target: m.target, updates: m.updates, signalId: m.signalId, lowerLimit: m.config.lowerLimit, upperLimit: m.config.upperLimit,
        lowerLimitOn: m.config.lowerLimitOn, upperLimitOn: m.config.upperLimitOn,
      })),
      shutters: [...d.shutters.values()],
      ionChambers: [...d.ionChambers.values()],
      encoders: [...d.encoders.values()],
      strings: [...d.strings.values()],
      operations: [...d.operations.values()],
      operationRuns: [...this.operations.values()].slice(-50),
    };
  }

  // ------------------------------------------------------------ helpers

  /** @internal */ info(text: string, t = Date.now() / 1000): void {
    this.hooks.console('info', text, t);
  }

  /** @internal A message that broke its form: counted, reported, the session carries on. */
  problem(text: string, t: number): void {
    this.counters.frameErrors++;
    this.lastError = text;
    this.info(text, t);
  }

  /** @internal */ countTx(): void {
    this.counters.txMessages++;
  }

  /** The word's index among the status signal's states, adding a word not seen before (up to a bound). */
  private statusIndex(m: MotorState, word: string): number {
    let i = this.statusWords.indexOf(word);
    if (i < MOTOR_STATUSES.length && i >= 0) return i;
    if (i < 0) {
      if (this.statusWords.length >= STATUS_WORDS_KEPT) return MOTOR_STATUSES.indexOf('unknown');
      i = this.statusWords.push(word) - 1;
    }
    // Declared again with the longer list so the plot names the word (the signal keeps its id).
    this.hooks.signal(`${m.name}.status`, undefined, this.statusWords);
    return i;
  }

  private ownMotor(c: DhsConnection, name: string, type: string, t: number): MotorState | null {
    return this.own(c, this.devices.motors, name, 'motor', type, t);
  }

  private own<D extends { dhs: string }>(c: DhsConnection, map: Map<string, D>, name: string, kind: string, type: string, t: number): D | null {
    const d = map.get(name);
    if (!d) {
      this.problem(`${c.dhsName}: ${type} for ${kind} "${name}", which this configuration does not define`, t);
      return null;
    }
    if (d.dhs !== c.dhsName) {
      this.problem(`${c.dhsName}: ${type} for ${kind} "${name}", which belongs to "${d.dhs}"`, t);
      return null;
    }
    return d;
  }

  private operationFor(c: DhsConnection, name: string, handle: string, t: number): OperationRecord | null {
    let op = this.operations.get(handle);
    if (op && op.operation !== name && this.devices.operations.get(op.operation)?.hwName !== name) {
      this.problem(`${c.dhsName}: handle ${handle} belongs to ${op.operation}, not ${name}`, t);
      return null;
    }
    if (!op) {
      // An operation started elsewhere (another client's handle, or the DHS's own).
      const def = [...this.devices.operations.values()].find((d) => d.name === name || d.hwName === name);
      if (!def || def.dhs !== c.dhsName) {
        this.problem(`${c.dhsName}: update for operation "${name}", which this configuration does not give to "${c.dhsName}"`, t);
        return null;
      }
      op = { operation: def.name, handle, dhs: def.dhs, args: [], startedAt: t, updates: [], completed: null };
      this.keepOperation(op);
    }
    return op;
  }

  private keepOperation(op: OperationRecord): void {
    this.operations.set(op.handle, op);
    if (this.operations.size > OPERATIONS_KEPT) {
      for (const [h, o] of this.operations) {
        if (this.operations.size <= OPERATIONS_KEPT) break;
        if (o.completed) this.operations.delete(h);
      }
    }
  }

  private reply(key: string, value: unknown): void {
    this.wake(this.replyWaiters, key, value, null);
  }

  private wait<T>(map: Map<string, Waiter<T>[]>, key: string, timeoutMs: number, timeoutText: string): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const w: Waiter<T> = { resolve, reject, timer: null };
      w.timer = setTimeout(() => {
        const list = map.get(key);
        if (list) {
          const i = list.indexOf(w);
          if (i >= 0) list.splice(i, 1);
          if (!list.length) map.delete(key);
        }
        reject(new ApiError('Timeout', timeoutText));
      }, timeoutMs);
      const list = map.get(key);
      if (list) list.push(w);
      else map.set(key, [w]);
    });
  }

  private wake<T>(map: Map<string, Waiter<T>[]>, key: string, value: T | null, error: Error | null): void {
    const list = map.get(key);
    if (!list) return;
    map.delete(key);
    for (const w of list) this.settle(w, value, error);
  }

  private settle<T>(w: Waiter<T>, value: T | null, error: Error | null): void {
    if (w.timer) clearTimeout(w.timer);
    if (error) w.reject(error);
    else w.resolve(value as T);
  }
}

function statusOf(b: Uint8Array, s: number, e: number): number {
  outer: for (let k = 0; k < STATUS_BYTES.length; k++) {
    const w = STATUS_BYTES[k]!;
    if (w.length !== e - s) continue;
    for (let i = 0; i < w.length; i++) if (b[s + i] !== w[i]) continue outer;
    return k;
  }
  return -1;
}

/**
 * htos_configure_device: the motor's configuration as the DHS has it, real form
 * (position upper lower scale speed acceleration backlash + 5 flags) or pseudo form
 * (position upper lower + 3 flags), optionally after hwHost hwName; DCSS reads no more.
 */
function applyConfiguration(m: MotorState, args: string[]): string | null {
  let a = args;
  if (a.length >= 2 && Number.isNaN(parseNumber(a[0])) && Number.isNaN(parseNumber(a[1]))) a = a.slice(2);
  const flag = (x: string | undefined): boolean | null => (x === '1' ? true : x === '0' ? false : null);
  if (m.kind === 'real') {
    const n = a.slice(0, 7).map(parseNumber);
    const f = a.slice(7, 12).map(flag);
    if (a.length < 12 || n.some(Number.isNaN) || f.some((x) => x === null)) {
      return `expected position upperLimit lowerLimit scaleFactor speed acceleration backlash lowerLimitOn upperLimitOn motorLockOn backlashOn reverseOn, received "${args.join(' ')}"`;
    }
    const c = m.config as RealMotorConfig;
    [m.position, c.upperLimit, c.lowerLimit, c.scaleFactor, c.speed, c.acceleration, c.backlash] = n as [number, number, number, number, number, number, number];
    [c.lowerLimitOn, c.upperLimitOn, c.motorLockOn, c.backlashOn, c.reverseOn] = f as [boolean, boolean, boolean, boolean, boolean];
    return null;
  }
  const n = a.slice(0, 3).map(parseNumber);
  const f = a.slice(3, 6).map(flag);
  if (a.length < 6 || n.some(Number.isNaN) || f.some((x) => x === null)) {
    return `expected position upperLimit lowerLimit lowerLimitOn upperLimitOn motorLockOn, received "${args.join(' ')}"`;
  }
  const c = m.config;
  [m.position, c.upperLimit, c.lowerLimit] = n as [number, number, number];
  [c.lowerLimitOn, c.upperLimitOn, c.motorLockOn] = f as [boolean, boolean, boolean];
  return null;
}

/** Whether a peer address is the allowed one: an IP literal, "localhost", or a name to resolve. */
export function addressMatches(allowed: string, peer: string): boolean | Promise<boolean> {
  const p = normalizeIp(peer);
  const a = allowed.trim().toLowerCase();
  if (a === '*') return true;
  if (a === 'localhost') return p === '::1' || p.startsWith('127.');
  if (net.isIP(a)) return normalizeIp(a) === p;
  return lookup(a, { all: true }).then((found) => found.some((r) => normalizeIp(r.address) === p), () => false);
}

function normalizeIp(ip: string): string {
  const s = ip.toLowerCase();
  return s.startsWith('::ffff:') && net.isIPv4(s.slice(7)) ? s.slice(7) : s;
}
