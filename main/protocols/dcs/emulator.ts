// A DHS (DCS hardware server) that connects to a DCSS, as one built with pydhsfw
// does: it answers stoc_send_client_type with its name, reads each message as v1 or
// v2 and answers in kind (unless its version is forced), reconnects by itself, and
// serves what DCSS registers with it: motors that move with speed and acceleration
// and report positions on the way, hardware limits, shutters, ion chambers whose
// counts follow the shutter, encoders, strings and a scan operation with updates.
import net from 'node:net';
import { DcsDecoder, encodeMessage, type DcsVersion } from './codec';
import { formatNumber, htos, parseStoh, type MotorStatus, type StohMessage } from './messages';

export interface DcsEmulatorOptions {
  /** Where DCSS listens. */
  host?: string;
  port: number;
  /** The hardware server name sent in htos_client_is_hardware. */
  name?: string;
  /** 'auto' answers each message in its version (pydhsfw); 1 or 2 forces one. */
  version?: 'auto' | DcsVersion;
  /**
   * Whose handshake answer to give: pydhsfw's `htos_client_is_hardware <name>`, or that of
   * SSRL's Tcl DHS library (DcsProtocol.tcl, under simdhs): `htos_client_type_is_hardware <name> dcsProtocol_2.0`.
   */
  library?: 'pydhsfw' | 'tcl';
  /** Delay before connecting again after the link dropped (pydhsfw: 5-10 s). */
  reconnectMs?: number;
  /** Motion and report period. */
  tickMs?: number;
  /** Hardware travel per motor, beyond which a move stops on a limit switch. */
  hardwareLimits?: Record<string, [number, number]>;
  /**
   * Motors this DHS holds locked whatever DCSS configures: a move is answered at once with
   * `htos_motor_move_completed <motor> <position> locked`, as SSRL's simulated DHS does for a locked motor.
   */
  lockedMotors?: string[];
  /** Connection events in words (the CLI prints them). */
  log?: (text: string) => void;
}

export interface DcsEmulator {
  describe: string;
  readonly connected: boolean;
  /** Devices registered by DCSS on the current connection. */
  readonly registered: ReadonlySet<string>;
  /** Resolves once DCSS has registered at least one device on a connection. */
  whenRegistered(timeoutMs?: number): Promise<void>;
  /** Drops the connection (it comes back after reconnectMs), as a DHS that restarts. */
  dropConnection(): void;
  close(): Promise<void>;
}

export const DEFAULT_DCS_HARDWARE_LIMITS: Record<string, [number, number]> = { sample_y: [-50, 50] };

interface EmulatedMotor {
  name: string;
  position: number;
  /** Units per second and units per second squared, from the DCSS configuration. */
  vmax: number;
  accel: number;
  velocity: number;
  target: number | null;
  aborting: boolean;
  hwLimits: [number, number] | null;
  /** motorLockOn of the last configuration DCSS sent. */
  lockOn: boolean;
}

interface RunningOperation { name: string; handle: string; step: number; points: number; timer: ReturnType<typeof setInterval> }

const SHUTTER_OPEN_RATE = 250_000;
const DARK_RATE = 120;

export async function startDcsEmulator(opts: DcsEmulatorOptions): Promise<DcsEmulator> {
  const host = opts.host ?? '127.0.0.1';
  const name = opts.name ?? 'simdhs';
  const forced = opts.version ?? 'auto';
  const library = opts.library ?? 'pydhsfw';
  const reconnectMs = opts.reconnectMs ?? 5000;
  const tickMs = opts.tickMs ?? 50;
  const hwLimits = opts.hardwareLimits ?? DEFAULT_DCS_HARDWARE_LIMITS;
  const lockedMotors = new Set(opts.lockedMotors ?? []);
  const log = opts.log ?? (() => {});

  let socket: net.Socket | null = null;
  let closed = false;
  let reconnectTimer: ReturnType<typeof setTimeout> | null = null;
  let answerVersion: DcsVersion = 1;
  const registered = new Set<string>();
  const motors = new Map<string, EmulatedMotor>();
  const shutters = new Map<string, boolean>();
  const encoders = new Map<string, number>();
  const strings = new Map<string, string>();
  const operations = new Map<string, RunningOperation>();
  const pending = new Set<ReturnType<typeof setTimeout>>();
  let registeredWaiters: (() => void)[] = [];
  let seed = 0x2545f491;

  const noise = (): number => {
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    return (seed >>> 0) / 0x100000000;
  };
  /** A repeated ion chamber read (stoh_read_ion_chambers with repeat 1). */
  let repeating: ReturnType<typeof setInterval> | null = null;
  const later = (ms: number, fn: () => void): void => {
    const t = setTimeout(() => {
      pending.delete(t);
      fn();
    }, ms);
    pending.add(t);
  };
  const send = (text: string, version: DcsVersion = answerVersion): void => {
    if (socket && !socket.destroyed) socket.write(encodeMessage(text, forced === 'auto' ? version : forced));
  };

  const motion = setInterval(() => step(tickMs / 1000), tickMs);

  function step(dt: number): void {
    for (const m of motors.values()) {
      if (m.target === null) continue;
      const remaining = m.target - m.position;
      const dir = Math.sign(remaining) || Math.sign(m.velocity) || 1;
      const brake = (m.velocity * m.velocity) / (2 * m.accel);
      let v = m.velocity;
      if (m.aborting || Math.abs(remaining) <= brake) v -= Math.sign(v) * Math.min(Math.abs(v), m.accel * dt);
      else v = dir * Math.min(Math.abs(v) + m.accel * dt, m.vmax);
      let next = m.position + v * dt;
      const done = !m.aborting && (Math.abs(remaining) <= Math.abs(v * dt) || (Math.abs(v) < 1e-9 && Math.abs(remaining) < 1e-6));
      if (done) next = m.target;
      m.velocity = done ? 0 : v;
      if (m.hwLimits && (next > m.hwLimits[1] || next < m.hwLimits[0])) {
        const upper = next > m.hwLimits[1];
        m.position = upper ? m.hwLimits[1] : m.hwLimits[0];
        finishMove(m, upper ? 'cw_hw_limit' : 'ccw_hw_limit');
        continue;
      }
      m.position = next;
      if (done) finishMove(m, 'normal');
      else if (m.aborting && m.velocity === 0) finishMove(m, 'aborted');
      else send(htos.updateMotorPosition(m.name, round(m.position), 'moving'));
    }
  }

  function finishMove(m: EmulatedMotor, status: MotorStatus): void {
    m.target = null;
    m.velocity = 0;
    m.aborting = false;
    send(htos.motorMoveCompleted(m.name, round(m.position), status));
  }

  function motorOf(n: string): EmulatedMotor {
    let m = motors.get(n);
    if (!m) {
      m = { name: n, position: 0, vmax: 1, accel: 10, velocity: 0, target: null, aborting: false, hwLimits: hwLimits[n] ?? null, lockOn: false };
      motors.set(n, m);
    }
    return m;
  }

  function abortEverything(): void {
    if (repeating) clearInterval(repeating);
    repeating = null;
    for (const m of motors.values()) if (m.target !== null) m.aborting = true;
    for (const op of operations.values()) {
      clearInterval(op.timer);
      send(htos.operationCompleted(op.name, op.handle, 'aborted', []));
    }
    operations.clear();
  }

  function startOperation(op: string, handle: string, args: string[]): void {
    if (op !== 'sim_scan') {
      // Any other registered operation: done at once, arguments echoed back.
      later(tickMs, () => send(htos.operationCompleted(op, handle, 'normal', args)));
      return;
    }
    const points = args.length ? Number(args[0]) : 5;
    if (!Number.isInteger(points) || points < 1 || points > 10_000) {
      later(tickMs, () => send(htos.operationCompleted(op, handle, 'invalid_number_of_points', [args[0] ?? ''])));
      return;
    }
    const run: RunningOperation = { name: op, handle, step: 0, points, timer: setInterval(() => {
      run.step++;
      const value = Math.round(1000 * Math.exp(-((run.step - points / 2) ** 2) / (points / 2 + 1)) + noise() * 10);
      send(htos.operationUpdate(op, handle, [String(run.step), String(points), String(value)]));
      if (run.step >= points) {
        clearInterval(run.timer);
        operations.delete(handle);
        send(htos.operationCompleted(op, handle, 'normal', [String(points), 'peak', formatNumber(points / 2)]));
      }
    }, tickMs) };
    operations.set(handle, run);
  }

  function onMessage(m: StohMessage): void {
    switch (m.type) {
      case 'stoc_send_client_type': {
        // Always v1, whatever comes after.
        const answer = library === 'tcl' ? htos.clientTypeIsHardware(name) : htos.clientIsHardware(name);
        send(answer, 1);
        registered.clear();
        log(`answered stoc_send_client_type with ${answer}`);
        return;
      }
      case 'stoh_register_real_motor': case 'stoh_register_pseudo_motor':
        registered.add(m.name);
        motorOf(m.name);
        send(htos.sendConfiguration(m.name));
        break;
      case 'stoh_register_shutter':
        registered.add(m.name);
        shutters.set(m.name, m.state === 'open');
        break;
      case 'stoh_register_ion_chamber': case 'stoh_register_operation': case 'stoh_register_object':
        registered.add(m.name);
        break;
      case 'stoh_register_encoder':
        registered.add(m.name);
        if (!encoders.has(m.name)) encoders.set(m.name, 0);
        break;
      case 'stoh_register_string':
        registered.add(m.name);
        if (!strings.has(m.name)) strings.set(m.name, '');
        break;
      case 'stoh_configure_real_motor': {
        const c = m.config;
        const mo = motorOf(c.name);
        // A configuration arriving mid-move must not teleport the motor.
        if (mo.target === null) mo.position = c.position;
        const scale = c.scaleFactor !== 0 ? Math.abs(c.scaleFactor) : 1;
        mo.lockOn = c.motorLockOn;
        mo.vmax = Math.abs(c.speed) / scale;
        mo.accel = mo.vmax / Math.max(0.001, c.acceleration / 1000);
        send(htos.updateMotorPosition(c.name, round(mo.position), 'normal'));
        return;
      }
      case 'stoh_configure_pseudo_motor': {
        const mo = motorOf(m.config.name);
        mo.lockOn = m.config.motorLockOn;
        if (mo.target === null) mo.position = m.config.position;
        // A pseudo motor moves through others: here, a fixed brisk pace.
        mo.vmax = Math.max(1, (m.config.upperLimit - m.config.lowerLimit) / 2);
        mo.accel = mo.vmax * 10;
        send(htos.updateMotorPosition(m.config.name, round(mo.position), 'normal'));
        return;
      }
      case 'stoh_start_motor_move': {
        const mo = motors.get(m.name);
        if (!mo) {
          send(htos.note(`no_such_motor ${m.name}`));
          return;
        }
        if (mo.target !== null) {
          send(htos.motorMoveCompleted(m.name, round(mo.position), 'moving'));
          return;
        }
        if (mo.lockOn || lockedMotors.has(m.name)) {
          send(htos.motorMoveCompleted(m.name, round(mo.position), 'locked'));
          return;
        }
        mo.target = m.position;
        mo.aborting = false;
        send(htos.motorMoveStarted(m.name, m.position));
        return;
      }
      case 'stoh_abort_motor_move': {
        const mo = motors.get(m.name);
        if (mo && mo.target !== null) mo.aborting = true;
        return;
      }
      case 'stoh_set_motor_position': {
        const mo = motorOf(m.name);
        if (mo.target !== null) return;
        mo.position = m.position;
        send(htos.motorMoveCompleted(m.name, round(mo.position), 'normal'));
        return;
      }
      case 'stoh_correct_motor_position': {
        const mo = motorOf(m.name);
        if (mo.target !== null) return;
        send(htos.motorCorrectStarted(m.name));
        mo.position += m.correction;
        send(htos.motorMoveCompleted(m.name, round(mo.position), 'normal'));
        return;
      }
      case 'stoh_set_shutter_state':
        shutters.set(m.name, m.open);
        later(tickMs / 2, () => send(htos.reportShutterState(m.name, m.open, 'normal')));
        return;
      case 'stoh_read_ion_chambers': {
        const { time, chambers, repeat } = m;
        // With repeat set, the counters run again after each report until stoh_abort_all or a new read.
        const read = (): void => {
          const open = [...shutters.values()].some((x) => x);
          const counts = chambers.map((c, i): [string, number] => [c, Math.round(time * (open ? SHUTTER_OPEN_RATE / (i + 1) : DARK_RATE) * (0.95 + 0.1 * noise()))]);
          send(htos.reportIonChambers(time, counts));
        };
        if (repeating) clearInterval(repeating);
        repeating = null;
        const periodMs = Math.max(10, Math.min(time * 1000, 60_000));
        if (repeat) repeating = setInterval(read, periodMs);
        else later(periodMs, read);
        return;
      }
      case 'stoh_get_encoder': {
        const tracked = motors.get(m.name.replace(/_encoder$/, ''));
        const pos = tracked ? tracked.position : encoders.get(m.name);
        if (pos === undefined) send(htos.getEncoderCompleted(m.name, 0, 'unknown'));
        else send(htos.getEncoderCompleted(m.name, round(pos), 'normal'));
        return;
      }
      case 'stoh_set_encoder':
        encoders.set(m.name, m.position);
        send(htos.setEncoderCompleted(m.name, m.position, 'normal'));
        return;
      case 'stoh_set_string':
        strings.set(m.name, m.contents);
        send(htos.setStringCompleted(m.name, 'normal', m.contents));
        return;
      case 'stoh_start_operation':
        startOperation(m.operation, m.handle, m.args);
        return;
      case 'stoh_abort_all':
        abortEverything();
        return;
      case 'stoh_set_motor_dependency': case 'stoh_set_motor_children':
        return;
    }
    if (registered.size > 0) {
      const waiters = registeredWaiters;
      registeredWaiters = [];
      for (const w of waiters) w();
    }
  }

  function connect(): void {
    reconnectTimer = null;
    if (closed) return;
    const s = net.connect({ host, port: opts.port });
    socket = s;
    s.setNoDelay(true);
    const decoder = new DcsDecoder({ mode: 'auto', source: `DCSS at ${host}:${opts.port}` }, {
      message: (b, start, end, _t, v) => {
        answerVersion = v;
        const parsed = parseStoh(new TextDecoder().decode(b.subarray(start, end)));
        if (parsed.ok) onMessage(parsed.message);
        else send(htos.log(`unrecognised ${parsed.reason.slice(0, 150)}`));
      },
    });
    s.on('data', (chunk: Buffer) => decoder.push(chunk, Date.now() / 1000));
    let failure = '';
    s.on('connect', () => log(`connected to DCSS at ${host}:${opts.port}`));
    s.on('error', (err) => { failure = err.message; }); // the close that follows schedules the reconnect
    s.on('close', () => {
      const had = registered.size;
      if (socket === s) socket = null;
      registered.clear();
      for (const op of operations.values()) clearInterval(op.timer);
      operations.clear();
      if (repeating) clearInterval(repeating);
      repeating = null;
      for (const m of motors.values()) {
        m.target = null;
        m.velocity = 0;
      }
      if (closed) return;
      log(`${failure || 'DCSS closed the connection'}${had ? ` (${had} devices were registered)` : ''}; connecting again in ${reconnectMs} ms`);
      reconnectTimer = setTimeout(connect, reconnectMs);
    });
  }

  connect();

  return {
    describe: `DCS hardware server "${name}" (${forced === 'auto' ? 'answers v1 or v2 in kind' : `protocol ${forced}`}${library === 'tcl' ? ', Tcl library handshake' : ''}) connecting to DCSS at ${host}:${opts.port}`,
    get connected() {
      return socket !== null && !socket.connecting && !socket.destroyed;
    },
    registered,
    whenRegistered(timeoutMs = 5000) {
      if (registered.size > 0) return Promise.resolve();
      return new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`DCS emulator "${name}": not registered by DCSS at ${host}:${opts.port} within ${timeoutMs} ms`)), timeoutMs);
        registeredWaiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    },
    dropConnection() {
      socket?.destroy();
    },
    async close() {
      closed = true;
      clearInterval(motion);
      if (reconnectTimer) clearTimeout(reconnectTimer);
      for (const t of pending) clearTimeout(t);
      pending.clear();
      for (const op of operations.values()) clearInterval(op.timer);
      if (repeating) clearInterval(repeating);
      repeating = null;
      const s = socket;
      socket = null;
      if (s && !s.destroyed) {
        await new Promise<void>((resolve) => {
          s.once('close', () => resolve());
          s.destroy();
        });
      }
    },
  };
}

/** Positions as a controller reports them: a fixed number of decimals. */
function round(v: number): number {
  return Math.round(v * 1e4) / 1e4;
}

/** A port free right now on `host` (bound with port 0, then released), for a DCSS and its DHS to agree on. */
export function freeDcsPort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, host, () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
