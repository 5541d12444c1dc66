// A KATCP device server: an emulated telescope subsystem for the demo bench, the
// tests and `npm run emulate -- katcp`. v5 (flags M, I, B; T optional) or v4, with
// message ids switchable, the standard requests, sensors of every type and every
// sampling strategy, per client.
//
// Emulator-only extras: `?sleep seconds` replies after a delay (for timeouts and
// closing mid-request), and ?halt / ?restart close every connection but keep
// listening, like a supervised device server coming straight back.
import net from 'node:net';
import { KatcpDecoder, REQUEST, encodeMessage, type KatcpMessage } from './codec';
import { telescopeSensors, type EmulatedSensor } from './emulator-sensors';
import { V4_STATUSES, checkStrategy, type KatcpSensorStatus, type KatcpStrategy } from './sensor-types';

export interface KatcpEmulatorOptions {
  host?: string;
  /** 0 picks a free port (default 0). */
  port?: number;
  /** Protocol major version (default 5). */
  version?: 4 | 5;
  /** v5 only: flag I, message ids (default true). */
  messageIds?: boolean;
  /** v5 only: flag B, bulk sensor sampling (default true). */
  bulk?: boolean;
  /** v5 only: flag T, request timeout hints (default false). */
  timeoutHints?: boolean;
  /** How often sensors change, in ms (default 50). */
  tickMs?: number;
  /** How often a #log message comes, in ms (default 2000; 0 = never). */
  logEveryMs?: number;
}

export interface KatcpEmulator {
  port: number;
  describe: string;
  /** Clients connected now. */
  readonly clientCount: number;
  /** Sets a sensor by hand (tests): it then stops changing by itself. */
  setSensor(name: string, value: number | string, status?: KatcpSensorStatus): void;
  /** Adds a sensor and announces #interface-changed. */
  addSensor(sensor: Omit<EmulatedSensor, 'timestamp'>): void;
  removeSensor(name: string): void;
  /** Sends raw bytes to every client (tests of bad input). */
  sendRaw(text: string): void;
  /** Closes every client connection without a word, as a crashing server would. */
  dropClients(): void;
  close(): Promise<void>;
}

const LOG_LEVELS = ['off', 'fatal', 'error', 'warn', 'info', 'debug', 'trace', 'all'] as const;
const MAX_BACKLOG = 4 * 1024 * 1024;

interface Subscription {
  strategy: KatcpStrategy;
  params: number[];
  lastValue: string | null;
  lastNumber: number;
  lastStatus: string | null;
  lastSent: number;
  timer: ReturnType<typeof setTimeout> | null;
}

interface Client {
  socket: net.Socket;
  address: string;
  subs: Map<string, Subscription>;
}

const HELP: Record<string, string> = {
  help: 'Return help on the available requests.',
  halt: 'Halt the device server.',
  restart: 'Restart the device server.',
  watchdog: 'Check that the server is still alive.',
  'log-level': 'Query or set the current logging level.',
  'version-list': 'List the versions of the protocol, library and device.',
  'client-list': 'List the connected clients.',
  'sensor-list': 'Describe the sensors (name or /regex/ to filter).',
  'sensor-value': 'Read the sensors (name or /regex/ to filter).',
  'sensor-sampling': 'Query or set the sampling strategy of one or more sensors.',
  'sensor-sampling-clear': 'Set every sensor of this client back to strategy none.',
  sleep: 'Reply after the given number of seconds (emulator only).',
  'request-timeout-hint': 'Return the timeout hints of the requests.',
};

export async function startKatcpEmulator(opts: KatcpEmulatorOptions = {}): Promise<KatcpEmulator> {
  const major = opts.version ?? 5;
  const v5 = major >= 5;
  const mids = v5 && (opts.messageIds ?? true);
  const bulk = v5 && (opts.bulk ?? true);
  const hints = v5 && (opts.timeoutHints ?? false);
  const flags = `M${mids ? 'I' : ''}${bulk ? 'B' : ''}${hints ? 'T' : ''}`;
  const protocolVersion = v5 ? `${bulk || hints ? '5.1' : '5.0'}-${flags}` : '4.0';
  const sensors = new Map<string, EmulatedSensor>();
  for (const s of telescopeSensors()) if (v5 || !s.v5Only) sensors.set(s.name, s);
  const manual = new Set<string>();
  const clients = new Set<Client>();
  const sleeping = new Set<ReturnType<typeof setTimeout>>();
  const started = Date.now() / 1000;
  let logLevel = 4; // info
  let logCount = 0;

  const ts = (t: number) => (v5 ? t.toFixed(6) : String(Math.round(t * 1000)));
  const statusOnWire = (s: KatcpSensorStatus) => (v5 || V4_STATUSES.includes(s) ? s : s === 'inactive' ? 'unknown' : 'failure');
  const valueText = (s: EmulatedSensor): string => (s.type === 'timestamp' ? ts(s.value as number) : String(s.value));
  const send = (c: Client, line: string) => {
    if (c.socket.writableLength < MAX_BACKLOG && !c.socket.destroyed) c.socket.write(line);
  };
  const broadcast = (line: string) => { for (const c of clients) send(c, line); };
  const reading = (s: EmulatedSensor) => [ts(s.timestamp), '1', s.name, statusOnWire(s.status), valueText(s)];
  const sendStatus = (c: Client, s: EmulatedSensor, sub: Subscription, now: number) => {
    send(c, encodeMessage('#', 'sensor-status', reading(s)));
    sub.lastValue = valueText(s);
    sub.lastNumber = typeof s.value === 'number' ? s.value : NaN;
    sub.lastStatus = s.status;
    sub.lastSent = now;
  };
  const log = (level: number, logger: string, message: string) => {
    if (level > logLevel || logLevel === 0) return;
    broadcast(encodeMessage('#', 'log', [LOG_LEVELS[level]!, ts(Date.now() / 1000), logger, message]));
  };

  // ---- sampling

  const clearTimer = (sub: Subscription) => {
    if (sub.timer) clearTimeout(sub.timer);
    sub.timer = null;
  };
  /** Arms the one timer of a rate strategy: the earliest of "pending change" and "longest". */
  const armRate = (c: Client, s: EmulatedSensor, sub: Subscription, pending: boolean) => {
    clearTimer(sub);
    const shortest = sub.params[sub.strategy === 'event-rate' ? 0 : 1]! * 1000;
    const longest = sub.params[sub.strategy === 'event-rate' ? 1 : 2]! * 1000;
    const now = Date.now();
    let due = Infinity;
    if (pending) due = Math.max(now, sub.lastSent * 1000 + shortest);
    if (longest > 0) due = Math.min(due, sub.lastSent * 1000 + longest);
    if (due === Infinity) return;
    sub.timer = setTimeout(() => {
      sub.timer = null;
      sendStatus(c, s, sub, Date.now() / 1000);
      armRate(c, s, sub, false);
    }, Math.max(0, due - now));
  };
  const changed = (s: EmulatedSensor, sub: Subscription, differential: boolean) => {
    if (s.status !== sub.lastStatus) return true;
    if (differential) return typeof s.value === 'number' && !(Math.abs(s.value - sub.lastNumber) <= sub.params[0]!);
    return valueText(s) !== sub.lastValue;
  };
  const onSensorChange = (s: EmulatedSensor) => {
    const now = Date.now() / 1000;
    for (const c of clients) {
      const sub = c.subs.get(s.name);
      if (!sub) continue;
      switch (sub.strategy) {
        case 'auto':
        case 'event':
          if (changed(s, sub, false)) sendStatus(c, s, sub, now);
          break;
        case 'differential':
          if (changed(s, sub, true)) sendStatus(c, s, sub, now);
          break;
        case 'event-rate':
        case 'differential-rate': {
          if (!changed(s, sub, sub.strategy === 'differential-rate')) break;
          const shortest = sub.params[sub.strategy === 'event-rate' ? 0 : 1]!;
          if (now - sub.lastSent >= shortest) {
            sendStatus(c, s, sub, now);
            armRate(c, s, sub, false);
          } else {
            armRate(c, s, sub, true);
          }
          break;
        }
        default:
          break;
      }
    }
  };
  const setStrategy = (c: Client, s: EmulatedSensor, strategy: KatcpStrategy, params: number[]) => {
    const old = c.subs.get(s.name);
    if (old) clearTimer(old);
    c.subs.delete(s.name);
    if (strategy === 'none') return;
    const sub: Subscription = { strategy, params, lastValue: null, lastNumber: NaN, lastStatus: null, lastSent: 0, timer: null };
    c.subs.set(s.name, sub);
    sendStatus(c, s, sub, Date.now() / 1000);
    if (strategy === 'period') {
      const ms = Math.max(1, params[0]! * 1000);
      const tick = () => {
        sub.timer = setTimeout(tick, ms);
        sendStatus(c, s, sub, Date.now() / 1000);
      };
      sub.timer = setTimeout(tick, ms);
    } else if (strategy === 'event-rate' || strategy === 'differential-rate') {
      armRate(c, s, sub, false);
    }
  };

  // ---- sensors over time

  const update = () => {
    const now = Date.now() / 1000;
    for (const s of sensors.values()) {
      if (!s.next || manual.has(s.name)) continue;
      const n = s.next(now - started, now);
      const status = v5 || V4_STATUSES.includes(n.status) ? n.status : 'failure';
      if (n.value === s.value && status === s.status) continue;
      s.value = n.value;
      s.status = status;
      s.timestamp = now;
      onSensorChange(s);
    }
  };
  update();
  const tickTimer = setInterval(update, opts.tickMs ?? 50);
  const logTimer = (opts.logEveryMs ?? 2000) > 0 ? setInterval(() => {
    logCount++;
    const mode = sensors.get('drive.mode')?.value ?? 'idle';
    if (logCount % 5 === 0) log(3, 'telescope.cooling', `Fan speed ${sensors.get('fan.speed')?.value ?? '?'} rpm is high`);
    else if (logCount % 2 === 0) log(5, 'telescope.drive', `Servo loop ${logCount} ok`);
    else log(4, 'telescope.drive', `Drive mode is ${mode}`);
  }, opts.logEveryMs ?? 2000) : null;

  // ---- requests

  const matchSensors = (pattern: string | undefined): EmulatedSensor[] | string => {
    if (pattern === undefined) return [...sensors.values()];
    if (pattern.length >= 2 && pattern.startsWith('/') && pattern.endsWith('/')) {
      let re: RegExp;
      try {
        re = new RegExp(pattern.slice(1, -1));
      } catch {
        return `Invalid regular expression ${pattern}`;
      }
      return [...sensors.values()].filter((s) => re.test(s.name));
    }
    const s = sensors.get(pattern);
    return s ? [s] : `Unknown sensor '${pattern}'`;
  };

  const closeAll = (reason: string) => {
    for (const c of clients) {
      send(c, encodeMessage('#', 'disconnect', [reason]));
      c.socket.end();
    }
  };

  const handle = (c: Client, m: KatcpMessage) => {
    const mid = mids ? m.mid : null;
    const reply = (...args: (string | number)[]) => send(c, encodeMessage('!', m.name, args, mid));
    const inform = (...args: (string | number)[]) => send(c, encodeMessage('#', m.name, args, mid));
    const a = m.args;
    switch (m.name) {
      case 'watchdog':
        return reply('ok');
      case 'help': {
        const names = a[0] !== undefined ? [a[0]] : Object.keys(HELP).filter((n) => n !== 'request-timeout-hint' || hints);
        if (a[0] !== undefined && !HELP[a[0]]) return reply('fail', `Unknown request ${a[0]}`);
        for (const n of names) inform(n, HELP[n]!);
        return reply('ok', names.length);
      }
      case 'version-list':
        if (!v5) break;
        inform('katcp-protocol', protocolVersion);
        inform('katcp-library', 'benchscope-katcp-emulator-1.0', '1.0.0');
        inform('katcp-device', 'telescope-subsystem-2.3', 'build-7');
        return reply('ok', 3);
      case 'client-list':
        for (const x of clients) inform(x.address);
        return reply('ok', clients.size);
      case 'log-level': {
        if (a[0] === undefined) return reply('ok', LOG_LEVELS[logLevel]!);
        const level = (LOG_LEVELS as readonly string[]).indexOf(a[0]);
        if (level < 0) return reply('fail', `Unknown logging level ${a[0]}`);
        logLevel = level;
        return reply('ok', LOG_LEVELS[level]!);
      }
      case 'sensor-list':
      case 'sensor-value': {
        const found = matchSensors(a[0]);
        if (typeof found === 'string') return reply('fail', found);
        for (const s of found) {
          if (m.name === 'sensor-list') inform(s.name, s.description, s.units, s.type, ...s.params);
          else inform(...reading(s));
        }
        return reply('ok', found.length);
      }
      case 'sensor-sampling': {
        if (a[0] === undefined) return reply('fail', 'No sensor name given');
        const names = a[0].split(',');
        if (names.length > 1 && !bulk) return reply('fail', `Unknown sensor '${a[0]}'`);
        const targets: EmulatedSensor[] = [];
        for (const n of names) {
          const s = sensors.get(n);
          if (!s) return reply('fail', `Unknown sensor '${n}'`);
          targets.push(s);
        }
        if (a[1] === undefined) {
          if (targets.length > 1) return reply('fail', 'Only one sensor name may be queried at a time');
          const sub = c.subs.get(targets[0]!.name);
          const params = sub ? sub.params.map((p) => (!v5 && sub.strategy === 'period' ? String(Math.round(p * 1000)) : String(p))) : [];
          return reply('ok', a[0], sub?.strategy ?? 'none', ...params);
        }
        const rawParams = a.slice(2).map((p) => (!v5 && a[1] === 'period' ? String(Number(p) / 1000) : p));
        const checks = targets.map((s) => checkStrategy(a[1]!, rawParams, s.type, major));
        const bad = checks.find((r) => !r.ok);
        if (bad && !bad.ok) return reply('fail', bad.reason);
        // All or nothing: every check passed, now apply. The reply comes before the first #sensor-status.
        reply('ok', a[0], ...a.slice(1));
        for (let i = 0; i < targets.length; i++) {
          const r = checks[i]!;
          if (r.ok) setStrategy(c, targets[i]!, r.strategy, r.params);
        }
        return;
      }
      case 'sensor-sampling-clear':
        for (const sub of c.subs.values()) clearTimer(sub);
        c.subs.clear();
        return reply('ok');
      case 'request-timeout-hint': {
        if (!hints) break;
        const all: Record<string, number> = { sleep: 30, watchdog: 0 };
        const names = a[0] !== undefined ? [a[0]] : Object.keys(all);
        for (const n of names) inform(n, all[n] ?? 0);
        return reply('ok', names.length);
      }
      case 'sleep': {
        const seconds = Number(a[0] ?? 1);
        if (!Number.isFinite(seconds) || seconds < 0 || seconds > 600) return reply('fail', `sleep takes 0 to 600 seconds, got ${a[0]}`);
        const timer = setTimeout(() => {
          sleeping.delete(timer);
          reply('ok');
        }, seconds * 1000);
        sleeping.add(timer);
        return;
      }
      case 'halt':
        reply('ok');
        return closeAll('Device server shutting down.');
      case 'restart':
        if (!v5) break;
        reply('ok');
        return closeAll('Device server restarting.');
      default:
        break;
    }
    reply('invalid', `Unknown request ${m.name}.`);
  };

  const server = net.createServer((socket) => {
    socket.setNoDelay(true);
    const client: Client = { socket, address: `${socket.remoteAddress}:${socket.remotePort}`, subs: new Map() };
    const decoder = new KatcpDecoder({
      message: (view) => {
        if (view.type !== REQUEST) return; // replies and informs from a client mean nothing to a server
        handle(client, view.toMessage());
      },
      bad: (reason) => send(client, encodeMessage('#', 'log', ['error', ts(Date.now() / 1000), 'katcp', `Bad message: ${reason}`])),
    }, { source: `client ${client.address}` });
    for (const other of clients) send(other, encodeMessage('#', 'client-connected', [client.address]));
    clients.add(client);
    if (v5) {
      send(client, encodeMessage('#', 'version-connect', ['katcp-protocol', protocolVersion]));
      send(client, encodeMessage('#', 'version-connect', ['katcp-library', 'benchscope-katcp-emulator-1.0', '1.0.0']));
      send(client, encodeMessage('#', 'version-connect', ['katcp-device', 'telescope-subsystem-2.3', 'build-7']));
    } else {
      send(client, encodeMessage('#', 'version', ['telescope-subsystem-2.3']));
      send(client, encodeMessage('#', 'build-state', ['telescope-subsystem-2.3.build-7']));
    }
    socket.on('data', (chunk) => decoder.push(chunk, Date.now() / 1000));
    socket.on('error', () => socket.destroy());
    socket.on('close', () => {
      for (const sub of client.subs.values()) clearTimer(sub);
      clients.delete(client);
    });
  });
  const host = opts.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err) => reject(new Error(`katcp emulator: cannot listen on tcp ${host}:${opts.port ?? 0}: ${err.message}`)));
    server.listen(opts.port ?? 0, host, () => resolve());
  });
  const port = (server.address() as net.AddressInfo).port;
  const announce = () => broadcast(encodeMessage('#', 'interface-changed', ['sensor-list']));

  return {
    port,
    describe: `KATCP device server (protocol ${protocolVersion}, ${sensors.size} sensors) on tcp ${host}:${port}`,
    get clientCount() { return clients.size; },
    setSensor(name, value, status) {
      const s = sensors.get(name);
      if (!s) throw new RangeError(`katcp emulator: no sensor ${name}`);
      manual.add(name);
      s.value = value;
      if (status) s.status = status;
      s.timestamp = Date.now() / 1000;
      onSensorChange(s);
    },
    addSensor(sensor) {
      sensors.set(sensor.name, { ...sensor, timestamp: Date.now() / 1000 });
      announce();
    },
    removeSensor(name) {
      sensors.delete(name);
      for (const c of clients) {
        const sub = c.subs.get(name);
        if (sub) clearTimer(sub);
        c.subs.delete(name);
      }
      announce();
    },
    sendRaw: (text) => broadcast(text),
    dropClients() {
      for (const c of clients) c.socket.destroy();
    },
    close: () => new Promise<void>((resolve) => {
      clearInterval(tickTimer);
      if (logTimer) clearInterval(logTimer);
      for (const t of sleeping) clearTimeout(t);
      for (const c of clients) {
        for (const sub of c.subs.values()) clearTimer(sub);
        c.socket.destroy();
      }
      server.close(() => resolve());
    }),
  };
}
