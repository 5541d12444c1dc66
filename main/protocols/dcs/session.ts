// The DCS protocol over a session's link (a TCP server the DHS connects to): each
// connection the link accepts is one would-be DHS for the DCSS core; the session's
// actions are the requests an engineer or a script makes of the DHS under test.
import { z } from 'zod';
import type { DeviceInfo } from '../../../shared/api/contract';
import { deviceInfoOf, type AdapterContext, type ProtocolAdapter, type ProtocolCounters } from '../adapter';
import type { DcsOptions } from './config';
import type { DhsConnection } from './connection';
import { Dcss, type OperationRecord } from './dcss';
import type { MotorState } from './devices';
import { stoh } from './messages';
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

const ActionSchemas = {
  devices: z.object({}).strict().optional(),
  moveMotor: z.object({ motor: name, position }).strict(),
  abortMotor: z.object({ motor: name }).strict(),
  setMotorPosition: z.object({ motor: name, position }).strict(),
  correctMotor: z.object({ motor: name, correction: position }).strict(),
  waitMotor: z.object({ motor: name, timeoutS }).strict(),
  abortAll: z.object({ hard: z.boolean().default(false) }).strict().optional(),
  setShutter: z.object({ shutter: name, open: z.boolean(), timeoutS }).strict(),
  readIonChambers: z.object({
    time: z.number().positive('time must be above 0 s').max(3600),
    chambers: z.array(name).min(1, 'name at least one ion chamber').max(64),
    /** Ask the DHS to count again after each report (until abortAll): every report is plotted. */
    repeat: z.boolean().default(false),
    timeoutS,
  }).strict(),
  getEncoder: z.object({ encoder: name, timeoutS }).strict(),
  setEncoder: z.object({ encoder: name, position, timeoutS }).strict(),
  setString: z.object({ string: name, value: z.string().max(4000), timeoutS }).strict(),
  startOperation: z.object({ operation: name, args: z.array(operationArg).max(256).default([]) }).strict(),
  waitOperation: z.object({ handle: z.string().regex(/^\d+\.\d+$/, 'handles look like 1.7'), timeoutS }).strict(),
  operations: z.object({}).strict().optional(),
} as const;

export type DcsActionName = keyof typeof ActionSchemas;
export const DCS_ACTIONS = Object.keys(ActionSchemas) as DcsActionName[];

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

  async action(actionName: string, rawArgs: unknown): Promise<unknown> {
    if (!Object.prototype.hasOwnProperty.call(ActionSchemas, actionName)) {
      throw new ApiError('InvalidRequest', `DCS has no action "${actionName}" (actions: ${DCS_ACTIONS.join(', ')})`);
    }
    const schema = ActionSchemas[actionName as DcsActionName];
    const parsed = schema.safeParse(rawArgs ?? (actionName === 'devices' || actionName === 'abortAll' || actionName === 'operations' ? undefined : {}));
    if (!parsed.success) {
      throw new ApiError('InvalidRequest', `${actionName}: ${parsed.error.issues.map((i) => `${i.path.join('.') || 'args'}: ${i.message}`).join('; ')}`);
    }
    return this.run(actionName as DcsActionName, parsed.data);
  }

  dispose(): void {
    this.connection = null;
    this.byPeer.clear();
    this.dcss.dispose();
  }

  private run(action: DcsActionName, a: any): Promise<unknown> | unknown { // eslint-disable-line @typescript-eslint/no-explicit-any
    const dcss = this.dcss;
    const d = dcss.devices;
    switch (action) {
      case 'devices':
        return dcss.tree();
      case 'operations':
        return [...dcss.operations.values()];
      case 'moveMotor':
        return motorView(dcss.moveMotor(a.motor, a.position, now()));
      case 'abortMotor': {
        const m = dcss.motor(a.motor);
        dcss.connectionOf(m.dhs, m.name).send(stoh.abortMotorMove(m.name));
        return motorView(m);
      }
      case 'setMotorPosition': {
        const m = dcss.motor(a.motor);
        dcss.connectionOf(m.dhs, m.name).send(stoh.setMotorPosition(m.name, a.position));
        return motorView(m);
      }
      case 'correctMotor': {
        const m = dcss.motor(a.motor);
        dcss.connectionOf(m.dhs, m.name).send(stoh.correctMotorPosition(m.name, a.correction));
        return motorView(m);
      }
      case 'waitMotor':
        return dcss.waitMotor(a.motor, ms(a.timeoutS, DEFAULT_WAIT_S)).then(motorView);
      case 'abortAll': {
        const hard = a?.hard ?? false;
        let sent = 0;
        for (const s of dcss.servers.values()) if (s.connection?.send(stoh.abortAll(hard))) sent++;
        if (sent === 0) throw new ApiError('NotConnected', 'no hardware server is connected: nothing to abort');
        return { hard, hardwareServers: sent };
      }
      case 'setShutter': {
        const sh = d.shutters.get(a.shutter);
        if (!sh) throw new ApiError('InvalidRequest', `no shutter "${a.shutter}" (shutters: ${[...d.shutters.keys()].join(', ') || 'none'})`);
        return dcss.request(sh.dhs, `shutter ${sh.name}`, stoh.setShutterState(sh.hwName, a.open), ms(a.timeoutS, DEFAULT_REPLY_S), `shutter ${sh.name}`);
      }
      case 'readIonChambers': {
        const chambers = (a.chambers as string[]).map((n) => {
          const ic = d.ionChambers.get(n);
          if (!ic) throw new ApiError('InvalidRequest', `no ion chamber "${n}" (ion chambers: ${[...d.ionChambers.keys()].join(', ') || 'none'})`);
          return ic;
        });
        const owners = new Set(chambers.map((c) => c.dhs));
        if (owners.size > 1) throw new ApiError('InvalidRequest', `ion chambers ${a.chambers.join(', ')} belong to different hardware servers (${[...owners].join(', ')}): read them separately`);
        const dhs = chambers[0]!.dhs;
        const waitMs = ms(a.timeoutS, a.time + DEFAULT_REPLY_S);
        return dcss.request(dhs, 'ionChambers', stoh.readIonChambers(a.time, a.repeat, a.chambers), waitMs, `ion chambers ${a.chambers.join(', ')}`);
      }
      case 'getEncoder': case 'setEncoder': {
        const en = d.encoders.get(a.encoder);
        if (!en) throw new ApiError('InvalidRequest', `no encoder "${a.encoder}" (encoders: ${[...d.encoders.keys()].join(', ') || 'none'})`);
        const text = action === 'getEncoder' ? stoh.getEncoder(en.name) : stoh.setEncoder(en.name, a.position);
        return dcss.request(en.dhs, `encoder ${en.name}`, text, ms(a.timeoutS, DEFAULT_REPLY_S), `encoder ${en.name}`);
      }
      case 'setString': {
        const st = d.strings.get(a.string);
        if (!st) throw new ApiError('InvalidRequest', `no string "${a.string}" (strings: ${[...d.strings.keys()].join(', ') || 'none'})`);
        return dcss.request(st.dhs, `string ${st.name}`, stoh.setString(st.name, a.value), ms(a.timeoutS, DEFAULT_REPLY_S), `string ${st.name}`);
      }
      case 'startOperation': {
        const op = dcss.startOperation(a.operation, (a.args as (string | number)[]).map(String), now());
        return { operation: op.operation, handle: op.handle };
      }
      case 'waitOperation':
        return dcss.waitOperation(a.handle, ms(a.timeoutS, DEFAULT_WAIT_S)).then(operationView);
    }
  }
}

function motorView(m: MotorState): { motor: string; position: number; status: string; moving: boolean; target: number | null } {
  return { motor: m.name, position: m.position, status: m.status, moving: m.moving, target: m.target };
}

function operationView(op: OperationRecord): unknown {
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
