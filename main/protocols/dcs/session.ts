// The DCS protocol over a session's link (a TCP server the DHS connects to): each
// connection the link accepts is one would-be DHS for the DCSS core; the session's
// actions are the requests an engineer or a script makes of the DHS under test.
import type { ActionHandlers } from '../../../shared/api/actions';
import type { DeviceInfo } from '../../../shared/api/contract';
import { deviceInfoOf, type AdapterContext, type ProtocolAdapter, type ProtocolCounters } from '../adapter';
import type { DcsOptions } from './config';
import type { DhsConnection } from './connection';
import { Dcss, type OperationRecord } from './dcss';
import type { MotorState } from './devices';
import { stoh } from './messages';
import { DcsActions, type DcsMotorView, type DcsOperationView } from '../../../shared/api/dcs';
import { ApiError } from '../../../shared/api/errors';

/**
 * What a link may add to the context for a listening protocol: the peer's address
 * (for the allowed-address rule) and a way to drop the peer (to refuse a DHS).
 * Without them the address is not checked and a refused DHS stays connected, ignored.
 */
export interface PeerControl {
  peerAddress?(): string | null;
  peerLabel?(): string | null;
  dropPeer?(): void;
}


const DEFAULT_WAIT_S = 30;
const DEFAULT_REPLY_S = 5;

export class DcsSession implements ProtocolAdapter {
  readonly dcss: Dcss;
  /** The one connection of a single-peer link, or the newest of a multi-peer one (where console text goes). */
  private connection: DhsConnection | null = null;
  /** Multi-peer links: every connected would-be DHS, by the link's peer id. */
  private readonly byPeer = new Map<number, DhsConnection>();

  constructor(private readonly ctx: AdapterContext & PeerControl, private readonly options: DcsOptions) {
    this.dcss = new Dcss(options, {
      signal: (n, unit, states) => ctx.signal(n, unit, states ? { states: [...states] } : undefined),
      mark: (m) => ctx.mark?.(m),
      sample: (id, t, v) => ctx.sample(id, t, v),
      consoleWanted: () => ctx.consoleWanted(),
      console: (dir, text, t) => ctx.console(dir, text, t),
      event: (kind, data) => ctx.event(kind, data),
      statusChanged: () => ctx.statusChanged(),
    });
  }

  get ready(): boolean {
    return this.dcss.ready;
  }

  get counters(): ProtocolCounters {
    const c = this.dcss.counters;
    return { rxMessages: c.rxMessages, txMessages: c.txMessages, frameErrors: c.frameErrors, resyncs: c.resyncs, refusedConnections: c.rejections };
  }

  get lastError(): string | null {
    return this.dcss.lastError;
  }

  onLinkUp(): void {
    const ctx = this.ctx;
    // On a multi-peer link, Connected means listening: each DHS comes through onPeerUp.
    if (ctx.writeTo) return;
    this.connection?.detach('replaced by a new connection', now());
    this.connection = this.dcss.attach({
      address: ctx.peerAddress?.() ?? null,
      label: ctx.peerLabel?.() ?? 'the link peer (address not reported)',
      write: (bytes) => ctx.write(bytes),
      close: ctx.dropPeer ? () => ctx.dropPeer!() : undefined,
    }, now());
  }

  onLinkDown(): void {
    if (this.ctx.writeTo) return;
    this.connection?.detach('the connection closed', now());
    this.connection = null;
  }

  onData(chunk: Uint8Array, t: number): void {
    this.connection?.push(chunk, t);
  }

  onPeerUp(peer: { id: number; address: string; label: string }): void {
    const ctx = this.ctx;
    const c = this.dcss.attach({
      address: peer.address || null,
      label: peer.label,
      write: (bytes) => ctx.writeTo?.(peer.id, bytes) ?? false,
      close: ctx.dropPeerById ? () => ctx.dropPeerById!(peer.id) : undefined,
    }, now());
    this.byPeer.set(peer.id, c);
    this.connection = c;
  }

  onPeerData(peerId: number, chunk: Uint8Array, t: number): void {
    this.byPeer.get(peerId)?.push(chunk, t);
  }

  onPeerDown(peerId: number, reason: string): void {
    const c = this.byPeer.get(peerId);
    if (!c) return;
    this.byPeer.delete(peerId);
    c.detach(reason, now());
    if (this.connection === c) this.connection = [...this.byPeer.values()].pop() ?? null;
  }

  deviceInfo(deviceSessionId: string | null): DeviceInfo | null {
    if (!deviceSessionId) return null;
    const connected = [...this.dcss.servers.values()].filter((s) => s.connection);
    const d = this.dcss.devices;
    return deviceInfoOf({
      sessionId: deviceSessionId,
      deviceId: connected.map((s) => s.config.name).join(',') || 'dcs',
      displayName: connected.length ? `DHS ${connected.map((s) => s.config.name).join(', ')}` : 'DCS hardware server',
      maxRxDataSize: this.options.maxTextLength,
      protocolMajor: connected[0]?.config.protocol ?? null,
      supportedFeatures: { memoryWrite: false, datalogging: false, userCommand: true, sixtyfourBits: false },
      extra: {
        hardwareServers: connected.map((s) => `${s.config.name}@${s.connection!.peer.label} v${s.config.protocol}`).join(', '),
        motors: d.motors.size,
        shutters: d.shutters.size,
        ionChambers: d.ionChambers.size,
        encoders: d.encoders.size,
        strings: d.strings.size,
        operations: d.operations.size,
        unknownCommands: this.dcss.counters.unknownCommands,
        refusedConnections: this.dcss.counters.rejections,
      },
    });
  }

  /** Console text goes to the DHS as one message, in its protocol version (the hub echoes it). */
  sendText(text: string): boolean {
    const line = text.replace(/\r?\n$/, '');
    if (!this.connection || line.trim() === '') return false;
    return this.connection.send(line, false);
  }

  dispose(): void {
    this.connection = null;
    this.byPeer.clear();
    this.dcss.dispose();
  }

  readonly actions = {
    devices: () => this.dcss.tree(),
    operations: () => [...this.dcss.operations.values()],
    moveMotor: (a) => motorView(this.dcss.moveMotor(a.motor, a.position, now())),
    abortMotor: (a) => this.sendToMotor(a.motor, (m) => stoh.abortMotorMove(m.name)),
    setMotorPosition: (a) => this.sendToMotor(a.motor, (m) => stoh.setMotorPosition(m.name, a.position)),
    correctMotor: (a) => this.sendToMotor(a.motor, (m) => stoh.correctMotorPosition(m.name, a.correction)),
    waitMotor: (a) => this.dcss.waitMotor(a.motor, ms(a.timeoutS, DEFAULT_WAIT_S)).then(motorView),
    abortAll: (a) => {
      const hard = a?.hard ?? false;
      let sent = 0;
      for (const s of this.dcss.servers.values()) if (s.connection?.send(stoh.abortAll(hard))) sent++;
      if (sent === 0) throw new ApiError('NotConnected', 'no hardware server is connected: nothing to abort');
      return { hard, hardwareServers: sent };
    },
    setShutter: (a) => {
      const sh = named(this.dcss.devices.shutters, a.shutter, 'shutter', 'shutters');
      return this.dcss.request(sh.dhs, `shutter ${sh.name}`, stoh.setShutterState(sh.hwName, a.open), ms(a.timeoutS, DEFAULT_REPLY_S), `shutter ${sh.name}`);
    },
    readIonChambers: (a) => {
      const chambers = a.chambers.map((n) => named(this.dcss.devices.ionChambers, n, 'ion chamber', 'ion chambers'));
      const owners = new Set(chambers.map((c) => c.dhs));
      if (owners.size > 1) throw new ApiError('InvalidRequest', `ion chambers ${a.chambers.join(', ')} belong to different hardware servers (${[...owners].join(', ')}): read them separately`);
      const dhs = chambers[0]!.dhs;
      const waitMs = ms(a.timeoutS, a.time + DEFAULT_REPLY_S);
      return this.dcss.request(dhs, 'ionChambers', stoh.readIonChambers(a.time, a.repeat, a.chambers), waitMs, `ion chambers ${a.chambers.join(', ')}`);
    },
    getEncoder: (a) => {
      const en = named(this.dcss.devices.encoders, a.encoder, 'encoder', 'encoders');
      return this.dcss.request(en.dhs, `encoder ${en.name}`, stoh.getEncoder(en.name), ms(a.timeoutS, DEFAULT_REPLY_S), `encoder ${en.name}`);
    },
    setEncoder: (a) => {
      const en = named(this.dcss.devices.encoders, a.encoder, 'encoder', 'encoders');
      return this.dcss.request(en.dhs, `encoder ${en.name}`, stoh.setEncoder(en.name, a.position), ms(a.timeoutS, DEFAULT_REPLY_S), `encoder ${en.name}`);
    },
    setString: (a) => {
      const st = named(this.dcss.devices.strings, a.string, 'string', 'strings');
      return this.dcss.request(st.dhs, `string ${st.name}`, stoh.setString(st.name, a.value), ms(a.timeoutS, DEFAULT_REPLY_S), `string ${st.name}`);
    },
    startOperation: (a) => {
      const op = this.dcss.startOperation(a.operation, a.args.map(String), now());
      return { operation: op.operation, handle: op.handle };
    },
    waitOperation: (a) => this.dcss.waitOperation(a.handle, ms(a.timeoutS, DEFAULT_WAIT_S)).then(operationView),
  } satisfies ActionHandlers<typeof DcsActions>;

  /** Sends the motor's DHS one message about it; the motor as it stands. */
  private sendToMotor(motor: string, message: (m: MotorState) => string): DcsMotorView {
    const m = this.dcss.motor(motor);
    this.dcss.connectionOf(m.dhs, m.name).send(message(m));
    return motorView(m);
  }
}

/** The configured device of that name; a request for one that is not configured is refused, naming those that are. */
function named<T>(devices: ReadonlyMap<string, T>, name: string, kind: string, kinds: string): T {
  const device = devices.get(name);
  if (!device) throw new ApiError('InvalidRequest', `no ${kind} "${name}" (${kinds}: ${[...devices.keys()].join(', ') || 'none'})`);
  return device;
}

function motorView(m: MotorState): DcsMotorView {
  return { motor: m.name, position: m.position, status: m.status, moving: m.moving, target: m.target };
}

function operationView(op: OperationRecord): DcsOperationView {
  return {
    operation: op.operation, handle: op.handle, args: op.args,
    status: op.completed?.status ?? null, result: op.completed?.args ?? [], ok: op.completed?.status === 'normal',
    updates: op.updates, startedAt: op.startedAt, completedAt: op.completed?.t ?? null,
  };
}

function ms(timeoutS: number | undefined, fallbackS: number): number {
  return (timeoutS ?? fallbackS) * 1000;
}

function now(): number {
  return Date.now() / 1000;
}
