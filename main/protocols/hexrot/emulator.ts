// A mock low-level controller with the reference "simple" device's behaviour,
// for the demo bench, the tests and `npm run emulate -- hexrot`.
//
// Current generation: listens on one port, accepts one client at a time, sends
// CONFIG on connect then TELEMETRY at the configured rate, answers every command
// with a COMMAND_STATUS echoing its counter, and resends CONFIG after a
// configuration-changing command (ENABLE_DRIVES). Its state outlives clients.
// Legacy generation: connects to the commanding side's telemetry port and command
// port (and reconnects when dropped), sends config then telemetry on the first,
// reads 58-byte commands from the second, acknowledges nothing.
import net from 'node:net';
import {
  COMMAND_BYTES, FRAME_COMMAND_STATUS, LEGACY_COMMAND_BYTES, STATUS_ACK, STATUS_NO_ACK, TAI_MINUS_UTC,
  decodeCommand, encodeCommandStatus, encodeHeader, type DecodedCommand, type Generation, type LegacyHeader,
} from './codec';
import { resolveLayout, type CompiledLayout } from '../../../shared/api/hexrot-layout';
import { defaultPortOf } from '../../../shared/api/manifests';
import { writeStruct } from './reader';

export const SIMPLE_COMMANDS = { SET_STATE: 1, ENABLE_DRIVES: 2, SET_ENABLED_SUBSTATE: 3, MOVE: 4 } as const;
export const SET_STATE_PARAMS = { ENABLE: 2, STANDBY: 3, CLEAR_ERROR: 6, FAULT: 8 } as const;
export const CONTROLLER_STATES = { STANDBY: 0, ENABLED: 2, FAULT: 4 } as const;
export const ENABLED_SUBSTATE_STATIONARY = 0;
export const DEFAULT_CURRENT_PORT = defaultPortOf('hexrot');
export const MIN_TELEMETRY_RATE = 10;
export const MAX_TELEMETRY_RATE = 10_000;

export const APPLICATION_STATUS_DDS_COMMAND_SOURCE = 0x400;
const STATE_NAMES: Record<number, string> = { 0: 'STANDBY', 2: 'ENABLED', 4: 'FAULT' };
const TICK_MS = 10;
/** How fast curr_position creeps after a move (the reference adds 0.001 per 0.1 s frame). */
const DRIFT_PER_SECOND = 0.01;
const LEGACY_RETRY_MS = 200;
const MAX_BACKLOG = 1 << 20;

/** Python's str() of a float, as the reference controller's reasons print them. */
function pyFloat(v: number): string {
  return Number.isInteger(v) && Math.abs(v) < 1e16 ? v.toFixed(1) : String(v);
}

class CommandError extends Error {}

/** The simple controller's state and its command table; knows nothing of sockets. */
export class SimpleController {
  state: number = CONTROLLER_STATES.STANDBY;
  enabledSubstate = 0;
  currPosition = 0;
  cmdPosition = 0;
  /** As the reference: ApplicationStatus.DDS_COMMAND_SOURCE (bit 10), which dwarfs the positions on a shared axis. */
  applicationStatus = APPLICATION_STATUS_DDS_COMMAND_SOURCE;
  drivesEnabled = false;
  minPosition = -25;
  maxPosition = 25;
  maxVelocity = 47;
  commandsRun = 0;

  setState(state: number): void {
    this.state = state;
    this.enabledSubstate = state === CONTROLLER_STATES.ENABLED ? ENABLED_SUBSTATE_STATIONARY : 0;
  }

  /** Runs a command: the expected duration, or throws CommandError with the NO_ACK reason. Returns whether config changed. */
  run(cmd: DecodedCommand): { duration: number; configChanged: boolean } {
    this.commandsRun++;
    const p1 = cmd.params[0] ?? 0;
    switch (cmd.code) {
      case SIMPLE_COMMANDS.SET_STATE:
        switch (Math.trunc(p1)) {
          case SET_STATE_PARAMS.ENABLE:
            this.assertState(CONTROLLER_STATES.STANDBY, 'STANDBY');
            this.setState(CONTROLLER_STATES.ENABLED);
            return { duration: 0, configChanged: false };
          case SET_STATE_PARAMS.STANDBY:
            this.assertState(CONTROLLER_STATES.ENABLED, 'ENABLED');
            this.setState(CONTROLLER_STATES.STANDBY);
            return { duration: 0, configChanged: false };
          case SET_STATE_PARAMS.CLEAR_ERROR:
            if (this.state !== CONTROLLER_STATES.FAULT && this.state !== CONTROLLER_STATES.STANDBY) {
              throw new CommandError(`state=${this.stateName()}; must be FAULT or STANDBY for this command.`);
            }
            this.setState(CONTROLLER_STATES.STANDBY);
            return { duration: 0, configChanged: false };
          case SET_STATE_PARAMS.FAULT:
            this.setState(CONTROLLER_STATES.FAULT);
            return { duration: 0, configChanged: false };
        }
        break;
      case SIMPLE_COMMANDS.ENABLE_DRIVES:
        this.drivesEnabled = p1 !== 0;
        return { duration: 0, configChanged: true };
      case SIMPLE_COMMANDS.MOVE:
        this.assertState(CONTROLLER_STATES.ENABLED, 'ENABLED');
        if (p1 < this.minPosition || p1 > this.maxPosition) {
          throw new CommandError(`Position ${pyFloat(p1)} out of range [${pyFloat(this.minPosition)}, ${pyFloat(this.maxPosition)}].`);
        }
        this.cmdPosition = p1;
        this.currPosition = p1;
        return { duration: 0, configChanged: false };
    }
    throw new CommandError(`Unrecognized command code ${cmd.code}; param1=${pyFloat(p1)}...`);
  }

  /** Advances the simulation by `dt` seconds. */
  step(dt: number): void {
    this.currPosition += DRIFT_PER_SECOND * dt;
  }

  telemetryValues(): number[] {
    return [this.applicationStatus, this.state, this.enabledSubstate, this.currPosition, this.cmdPosition];
  }

  configValues(): number[] {
    return [this.drivesEnabled ? 1 : 0, this.minPosition, this.maxPosition, this.maxVelocity];
  }

  private stateName(): string {
    return `${STATE_NAMES[this.state] ?? 'UNKNOWN'} (${this.state})`;
  }

  private assertState(required: number, name: string): void {
    if (this.state !== required) throw new CommandError(`state=${this.stateName()}; must be ${name} (${required}) for this command.`);
  }
}

export interface HexrotEmulatorOptions {
  generation?: Generation;
  host?: string;
  /** Current: the port to listen on (0 picks one). Legacy: the commanding side's telemetry port. */
  port?: number;
  /** Legacy: the commanding side's command port (default port + 1). */
  commandPort?: number;
  /** Telemetry frames per second, 10 to 10000 (default 10, as the reference). */
  rate?: number;
  legacyHeader?: LegacyHeader;
  /** Legacy: sync_pattern written in every header. */
  syncPattern?: number;
}

export interface HexrotEmulator {
  /** The port listened on (current generation). */
  port?: number;
  describe: string;
  controller: SimpleController;
  /** Current: a client is attached. Legacy: both sockets are connected. */
  readonly connected: boolean;
  /** Closes the current connection(s) without stopping (the client or server reconnects). */
  dropConnection(): void;
  /** Tests of bad input: bytes written as they are, between two frames (legacy: on either socket); false when not connected. */
  sendRaw(bytes: Uint8Array, socket?: 'telemetry' | 'command'): boolean;
  close(): Promise<void>;
}

/** Frames of one generation for the simple layout. */
class FrameWriter {
  private readonly layout: CompiledLayout = resolveLayout('simple');
  constructor(private readonly generation: Generation, private readonly legacyHeader: LegacyHeader, private readonly syncPattern: number) {}

  private header(frameId: number, counter: number, utc: number): Uint8Array {
    const time = this.generation === 'legacy' && this.legacyHeader === 'mjd' ? utc : utc + TAI_MINUS_UTC;
    return encodeHeader({ frameId, counter, time, syncPattern: this.syncPattern }, this.generation, this.legacyHeader);
  }

  config(ctrl: SimpleController, utc: number): Buffer {
    const s = this.layout.config;
    const body = new Uint8Array(s.size);
    writeStruct(s, true, new DataView(body.buffer), 0, ctrl.configValues());
    return Buffer.concat([this.header(s.frameId, 0, utc), body]);
  }

  telemetry(ctrl: SimpleController, utc: number, out: Uint8Array[]): void {
    const s = this.layout.telemetry;
    const body = new Uint8Array(s.size);
    writeStruct(s, true, new DataView(body.buffer), 0, ctrl.telemetryValues());
    out.push(this.header(s.frameId, 0, utc), body);
  }

  status(counter: number, status: number, duration: number, reason: string, utc: number): Buffer {
    return Buffer.concat([this.header(FRAME_COMMAND_STATUS, counter, utc), encodeCommandStatus(status, duration, reason)]);
  }
}

function checkRate(rate: number): number {
  if (!Number.isFinite(rate) || rate < MIN_TELEMETRY_RATE || rate > MAX_TELEMETRY_RATE) {
    throw new RangeError(`telemetry rate must be from ${MIN_TELEMETRY_RATE} to ${MAX_TELEMETRY_RATE} frames/s, got ${rate}`);
  }
  return rate;
}

const nowUtc = (): number => Date.now() / 1000;

/** Sends telemetry at `rate` frames/s, in ticks of at least TICK_MS, to the socket `target` returns (none: the state still advances). */
function telemetryPump(ctrl: SimpleController, frames: FrameWriter, rate: number, target: () => net.Socket | null): () => void {
  let last = nowUtc();
  let owed = 0;
  const timer = setInterval(() => {
    const now = nowUtc();
    const dt = now - last;
    last = now;
    const socket = target();
    if (!socket) { owed = 0; ctrl.step(dt); return; }
    owed += dt * rate;
    const n = Math.floor(owed);
    owed -= n;
    if (n === 0) return;
    const parts: Uint8Array[] = [];
    for (let i = 0; i < n; i++) {
      ctrl.step(dt / n);
      frames.telemetry(ctrl, now - dt + ((i + 1) * dt) / n, parts);
    }
    if (socket.writableLength < MAX_BACKLOG) socket.write(Buffer.concat(parts));
  }, Math.max(TICK_MS, 1000 / rate));
  return () => clearInterval(timer);
}

async function startCurrent(opts: HexrotEmulatorOptions, ctrl: SimpleController, rate: number): Promise<HexrotEmulator> {
  const host = opts.host ?? '127.0.0.1';
  const frames = new FrameWriter('current', 'tai', 0);
  let client: net.Socket | null = null;
  const all = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    all.add(socket);
    socket.on('close', () => { all.delete(socket); if (client === socket) client = null; });
    socket.on('error', () => socket.destroy());
    if (client) {
      // One client at a time, as the reference controller.
      socket.destroy();
      return;
    }
    client = socket;
    socket.setNoDelay(true);
    socket.write(frames.config(ctrl, nowUtc()));
    let pending: Buffer = Buffer.alloc(0);
    socket.on('data', (data: Buffer) => {
      pending = pending.length ? Buffer.concat([pending, data]) : data;
      let at = 0;
      while (pending.length - at >= COMMAND_BYTES) {
        const cmd = decodeCommand(pending, at, 'current');
        at += COMMAND_BYTES;
        let reply: Buffer;
        let configChanged = false;
        try {
          const r = ctrl.run(cmd);
          configChanged = r.configChanged;
          reply = frames.status(cmd.counter, STATUS_ACK, r.duration, '', nowUtc());
        } catch (e) {
          reply = frames.status(cmd.counter, STATUS_NO_ACK, 0, (e as Error).message, nowUtc());
        }
        socket.write(reply);
        if (configChanged) socket.write(frames.config(ctrl, nowUtc()));
      }
      pending = pending.subarray(at);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err) => reject(new Error(`hexrot emulator: cannot listen on tcp ${host}:${opts.port ?? 0}: ${err.message}`)));
    server.listen(opts.port ?? 0, host, () => resolve());
  });
  const port = (server.address() as net.AddressInfo).port;
  const stopPump = telemetryPump(ctrl, frames, rate, () => client);
  return {
    port,
    describe: `hexrot emulator (current generation, simple controller, ${rate} telemetry frames/s) listening on tcp ${host}:${port}`,
    controller: ctrl,
    get connected() { return client !== null; },
    dropConnection: () => { client?.destroy(); },
    sendRaw: (bytes) => (client ? client.write(bytes) || true : false),
    close: () => new Promise<void>((resolve) => {
      stopPump();
      for (const s of all) s.destroy();
      server.close(() => resolve());
    }),
  };
}

async function startLegacy(opts: HexrotEmulatorOptions, ctrl: SimpleController, rate: number): Promise<HexrotEmulator> {
  const host = opts.host ?? '127.0.0.1';
  const telemetryPort = opts.port ?? 0;
  const commandPort = opts.commandPort ?? telemetryPort + 1;
  if (telemetryPort < 1 || telemetryPort > 65535 || commandPort < 1 || commandPort > 65535) {
    throw new RangeError(`hexrot legacy emulator: the telemetry and command ports must be 1 to 65535, got ${telemetryPort} and ${commandPort}`);
  }
  const frames = new FrameWriter('legacy', opts.legacyHeader ?? 'mjd', opts.syncPattern ?? 0);
  let telemetry: net.Socket | null = null;
  let command: net.Socket | null = null;
  let closed = false;
  const timers = new Set<ReturnType<typeof setTimeout>>();
  const later = (fn: () => void): void => {
    if (closed) return;
    const t = setTimeout(() => { timers.delete(t); fn(); }, LEGACY_RETRY_MS);
    timers.add(t);
  };
  const connectTelemetry = (): void => {
    if (closed) return;
    const s = net.createConnection({ host, port: telemetryPort });
    s.on('connect', () => {
      s.setNoDelay(true);
      telemetry = s;
      s.write(frames.config(ctrl, nowUtc()));
    });
    s.on('data', () => {});
    s.on('error', () => {});
    s.on('close', () => { if (telemetry === s) telemetry = null; later(connectTelemetry); });
  };
  const connectCommand = (): void => {
    if (closed) return;
    const s = net.createConnection({ host, port: commandPort });
    let pending: Buffer = Buffer.alloc(0);
    s.on('connect', () => { command = s; });
    s.on('data', (data: Buffer) => {
      pending = pending.length ? Buffer.concat([pending, data]) : data;
      let at = 0;
      while (pending.length - at >= LEGACY_COMMAND_BYTES) {
        const cmd = decodeCommand(pending, at, 'legacy');
        at += LEGACY_COMMAND_BYTES;
        try {
          // No acknowledgement in this generation: a refused command only leaves the state as it was.
          if (ctrl.run(cmd).configChanged && telemetry) telemetry.write(frames.config(ctrl, nowUtc()));
        } catch {
          // nothing to report back
        }
      }
      pending = pending.subarray(at);
    });
    s.on('error', () => {});
    s.on('close', () => { if (command === s) command = null; later(connectCommand); });
  };
  connectTelemetry();
  connectCommand();
  const stopPump = telemetryPump(ctrl, frames, rate, () => telemetry);
  return {
    describe: `hexrot emulator (legacy generation, ${opts.legacyHeader ?? 'mjd'} header, simple controller, ${rate} telemetry frames/s) connecting to telemetry port ${host}:${telemetryPort} and command port ${host}:${commandPort}`,
    controller: ctrl,
    get connected() { return telemetry !== null && command !== null; },
    dropConnection: () => { telemetry?.destroy(); command?.destroy(); },
    sendRaw: (bytes, socket = 'telemetry') => {
      const s = socket === 'telemetry' ? telemetry : command;
      return s ? s.write(bytes) || true : false;
    },
    close: async () => {
      closed = true;
      stopPump();
      for (const t of timers) clearTimeout(t);
      timers.clear();
      telemetry?.destroy();
      command?.destroy();
    },
  };
}

export async function startHexrotEmulator(opts: HexrotEmulatorOptions = {}): Promise<HexrotEmulator> {
  const rate = checkRate(opts.rate ?? 10);
  const ctrl = new SimpleController();
  return (opts.generation ?? 'current') === 'current' ? startCurrent(opts, ctrl, rate) : startLegacy(opts, ctrl, rate);
}
