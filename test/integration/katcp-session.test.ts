// The KATCP client session over a real TCP link against the emulator (and a
// hand-written misbehaving server): versions, message ids, strategies, reconnects.
import { runAction } from '../support/actions';
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { startKatcpEmulator, type KatcpEmulator, type KatcpEmulatorOptions } from '../../main/protocols/katcp/emulator';
import type { KatcpReply } from '../../main/protocols/katcp/requests';
import type { KatcpSensorRow } from '../../main/protocols/katcp/session';
import type { KatcpOptionsInput } from '../../shared/api/katcp-options';
import { SessionHarness, until } from './katcp-support';
import { ApiError } from '../../shared/api/errors';

let emulator: KatcpEmulator | null = null;
let harness: SessionHarness | null = null;
const servers: net.Server[] = [];

async function setup(emu: KatcpEmulatorOptions = {}, options: KatcpOptionsInput = {}): Promise<SessionHarness> {
  emulator = await startKatcpEmulator({ logEveryMs: 0, ...emu });
  harness = new SessionHarness(emulator.port, options);
  await harness.waitReady();
  return harness;
}

afterEach(async () => {
  await harness?.close();
  harness = null;
  await emulator?.close();
  emulator = null;
  for (const s of servers.splice(0)) await new Promise((r) => s.close(r));
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const request = (h: SessionHarness, name: string, args: (string | number)[] = [], timeoutS?: number) =>
  runAction('katcp', h.session, 'request', { name, args, timeoutS }) as Promise<KatcpReply>;
const sensors = (h: SessionHarness) => runAction('katcp', h.session, 'listSensors', {}) as Promise<KatcpSensorRow[]>;
/** Polls an async condition (e.g. an action's result) until it holds. */
async function eventually(cond: () => Promise<boolean>, timeoutMs = 2000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error('timed out waiting for a condition');
    await sleep(10);
  }
}
const errorOf = (p: Promise<unknown>) => p.then(() => { throw new Error('expected a failure'); }, (e: unknown) => e as ApiError);

describe('KATCP session: versions and message ids', () => {
  it('v5 MIB: reads version and flags, uses mids, lists sensors, declares signals for numeric and state sensors', async () => {
    const h = await setup();
    const info = h.session.deviceInfo('x')!;
    expect(info.protocolMajor).toBe(5);
    expect(info.protocolMinor).toBe(1);
    expect(info.extra).toMatchObject({ flags: 'MIB', messageIds: true, bulkSampling: true, library: 'benchscope-katcp-emulator-1.0 1.0.0', device: 'telescope-subsystem-2.3 build-7' });
    expect(info.extra['version:katcp-protocol']).toBe('5.1-MIB');
    const r = await request(h, 'watchdog');
    expect(r.mid).toBeGreaterThan(0);
    expect(r.ok).toBe(true);
    const names = h.store.list('test').map((s) => s.name);
    expect(names).toEqual(expect.arrayContaining(['antenna.azimuth', 'fan.speed', 'clock.last-sync', 'drive.enabled', 'drive.mode', 'device.health']));
    expect(names).not.toContain('drive.message');
    expect(names).not.toContain('peer.address');
    expect(h.store.list('test').find((s) => s.name === 'antenna.azimuth')!.unit).toBe('deg');
  });

  it('v5 without message ids: replies and informs are matched by name, several requests in flight', async () => {
    const h = await setup({ messageIds: false, bulk: false });
    expect(h.session.deviceInfo('x')!.extra).toMatchObject({ flags: 'M', messageIds: false });
    const [help, list, value] = await Promise.all([request(h, 'help'), request(h, 'sensor-list'), request(h, 'sensor-value', ['/antenna/'])]);
    expect(help.mid).toBeNull();
    expect(help.informs.length).toBe(Number(help.reply[1]));
    expect(list.informs.length).toBe(Number(list.reply[1]));
    expect(value.informs.map((i) => i[2])).toEqual(['antenna.azimuth', 'antenna.elevation']);
  });

  it('v4: detected from #build-state, periods sent in ms, timestamps read as ms', async () => {
    const h = await setup({ version: 4 });
    const info = h.session.deviceInfo('x')!;
    expect(info.protocolMajor).toBe(4);
    expect(info.extra).toMatchObject({ messageIds: false, buildState: 'telescope-subsystem-2.3.build-7' });
    const set = await runAction('katcp', h.session, 'setStrategy', { sensor: 'antenna.azimuth', strategy: 'period', params: [0.05] });
    expect(set).toMatchObject({ ok: true, strategy: 'period', params: [0.05] });
    const q = await request(h, 'sensor-sampling', ['antenna.azimuth']);
    expect(q.reply).toEqual(['ok', 'antenna.azimuth', 'period', '50']);
    await until(() => h.samples('antenna.azimuth') > 3);
    const row = (await sensors(h)).find((s) => s.name === 'antenna.azimuth')!;
    expect(Math.abs(row.timestamp! - Date.now() / 1000)).toBeLessThan(5);
    const ts = (await sensors(h)).find((s) => s.name === 'clock.last-sync')!;
    await request(h, 'sensor-value', ['clock.last-sync']);
    const after = (await sensors(h)).find((s) => s.name === 'clock.last-sync')!;
    expect(Number(after.value) || Number(ts.value)).toBeGreaterThan(1.6e9);
    expect(Number(after.value)).toBeLessThan(1e10);
    const err = await errorOf(runAction('katcp', h.session, 'setStrategy', { sensor: 'antenna.azimuth', strategy: 'event-rate', params: [0.1, 1] }));
    expect(err.code).toBe('InvalidRequest');
    expect(err.message).toMatch(/v4/);
  });
});

describe('KATCP session: sensors and strategies', () => {
  it('every strategy is validated, sent and streams numeric samples into the store', async () => {
    const h = await setup();
    for (const [strategy, params] of [['period', [0.02]], ['event', []], ['auto', []], ['differential', [0.001]], ['event-rate', [0.01, 0.5]], ['differential-rate', [0.001, 0.01, 0.5]]] as const) {
      const before = h.samples('antenna.elevation');
      const r = await runAction('katcp', h.session, 'setStrategy', { sensor: 'antenna.elevation', strategy, params });
      expect(r, strategy).toMatchObject({ ok: true, strategy });
      await until(() => h.samples('antenna.elevation') > before + 2, 2000, () => `${strategy}: no samples`);
    }
    await runAction('katcp', h.session, 'setStrategy', { sensor: 'antenna.elevation', strategy: 'none' });
    await sleep(50);
    const n = h.samples('antenna.elevation');
    await sleep(150);
    expect(h.samples('antenna.elevation')).toBe(n);
  });

  it.each([
    [{ sensor: 'antenna.azimuth', strategy: 'period', params: [] }, /takes period/],
    [{ sensor: 'antenna.azimuth', strategy: 'period', params: [0] }, /above 0/],
    [{ sensor: 'antenna.azimuth', strategy: 'period', params: ['x'] }, /must be a number/],
    [{ sensor: 'antenna.azimuth', strategy: 'event-rate', params: [2, 1] }, /longest/],
    [{ sensor: 'drive.mode', strategy: 'differential', params: [1] }, /integer, float or timestamp/],
    [{ sensor: 'nope', strategy: 'event', params: [] }, /no sensor "nope"/],
    [{ sensor: 'antenna.azimuth', strategy: 'sometimes', params: [] }, /Strategy must be one of/],
  ])('refuses %j before it reaches the server', async (args, reason) => {
    const h = await setup();
    const err = await errorOf(runAction('katcp', h.session, 'setStrategy', args));
    expect(err).toBeInstanceOf(ApiError);
    expect(err.code).toBe('InvalidRequest');
    expect(err.message).toMatch(reason);
  });

  it('bulk strategies go in one request with flag B and one per sensor without', async () => {
    for (const bulk of [true, false]) {
      const h = await setup({ bulk });
      h.consoleWanted = true;
      const results = await runAction('katcp', h.session, 'setStrategies', { sensors: ['antenna.azimuth', 'antenna.elevation', 'fan.speed'], strategy: 'period', params: [0.1] }) as { ok: boolean }[];
      expect(results.every((r) => r.ok)).toBe(true);
      const sent = h.console.filter((l) => l.startsWith('tx ?sensor-sampling'));
      expect(sent.length, `bulk ${bulk}`).toBe(bulk ? 1 : 3);
      if (bulk) expect(sent[0]).toMatch(/antenna\.azimuth,antenna\.elevation,fan\.speed period 0\.1$/);
      const rows = await sensors(h);
      expect(rows.filter((r) => r.strategy === 'period').map((r) => r.name)).toEqual(['antenna.azimuth', 'antenna.elevation', 'fan.speed']);
      await harness!.close();
      harness = null;
      await emulator!.close();
      emulator = null;
    }
  });

  it('listSensors gives every column, filters by text or regex; statuses and states raise events', async () => {
    const h = await setup({ tickMs: 10_000 });
    await runAction('katcp', h.session, 'setStrategies', { sensors: ['rx.lna.current', 'drive.mode', 'drive.message', 'peer.address'], strategy: 'event' });
    await until(() => h.store.total(h.store.list('test').find((s) => s.name === 'drive.mode')!.id) > 0);
    emulator!.setSensor('rx.lna.current', 99.5, 'error');
    emulator!.setSensor('drive.mode', 'stow');
    emulator!.setSensor('drive.message', 'hello world');
    await until(() => h.events.some((e) => e.kind === 'sensor-value') && h.events.some((e) => e.kind === 'sensor-status'));
    expect(h.events.find((e) => e.kind === 'sensor-status')!.data).toMatchObject({ sensor: 'rx.lna.current', status: 'error', previous: 'nominal', value: '99.5' });
    expect(h.events.find((e) => e.kind === 'sensor-value')!.data).toMatchObject({ sensor: 'drive.mode', value: 'stow' });
    // The status change is marked on the sensor's plots; state sensors carry their state names.
    expect(h.marks).toContainEqual(expect.objectContaining({ label: 'rx.lna.current: error', severity: 'error', signal: 'rx.lna.current' }));
    expect(h.marks.every((m) => Number.isFinite(m.t))).toBe(true);
    const info = (name: string) => h.store.list('test').find((x) => x.name === name)!;
    expect(info('drive.mode').states).toEqual(['idle', 'slew', 'track', 'stow']);
    expect(info('drive.enabled').states).toEqual(['false', 'true']);
    expect(info('rx.lna.current').states).toBeUndefined();
    await until(() => h.samples('drive.mode') >= 2);
    const rows = await sensors(h);
    const current = rows.find((r) => r.name === 'rx.lna.current')!;
    expect(current).toMatchObject({ description: 'LNA drain current', units: 'mA', type: 'float', value: '99.5', status: 'error', strategy: 'event' });
    expect(rows.find((r) => r.name === 'drive.mode')).toMatchObject({ value: 'stow', params: ['idle', 'slew', 'track', 'stow'] });
    await eventually(async () => (await sensors(h)).find((r) => r.name === 'drive.message')!.value === 'hello world');
    expect((await sensors(h)).find((r) => r.name === 'peer.address')!.value).toMatch(/:7148$/);
    expect((await runAction('katcp', h.session, 'listSensors', { filter: 'ANTENNA' }) as KatcpSensorRow[]).length).toBe(2);
    expect((await runAction('katcp', h.session, 'listSensors', { filter: '/^drive\\.(mode|enabled)$/' }) as KatcpSensorRow[]).map((r) => r.name)).toEqual(['drive.enabled', 'drive.mode']);
    expect((await errorOf(runAction('katcp', h.session, 'listSensors', { filter: '/(/' }))).code).toBe('InvalidRequest');
  });

  it('#interface-changed refreshes the list and applies matching sampling rules to new sensors', async () => {
    const h = await setup({}, { sampling: [{ sensors: '/^extra\\./', strategy: 'period', params: [0.02] }] });
    emulator!.addSensor({ name: 'extra.voltage', description: 'added later', units: 'V', type: 'float', params: [], value: 3.3, status: 'nominal' });
    await until(() => h.samples('extra.voltage') > 3, 2000, () => `no samples; events ${JSON.stringify(h.events.map((e) => e.kind))}`);
    expect(h.events.some((e) => e.kind === 'interface-changed')).toBe(true);
    // A sensor removed from the server stays in the list, marked removed, and its signal keeps its history.
    const before = h.samples('extra.voltage');
    emulator!.removeSensor('extra.voltage');
    await eventually(async () => (await sensors(h)).find((r) => r.name === 'extra.voltage')?.removed === true);
    expect(h.store.list('test').some((x) => x.name === 'extra.voltage')).toBe(true);
    expect(h.samples('extra.voltage')).toBeGreaterThanOrEqual(before);
    expect(h.marks.some((m) => m.label.startsWith('removed: extra.voltage') && m.severity === 'warn')).toBe(true);
    // Added back: live again, no longer marked removed.
    emulator!.addSensor({ name: 'extra.voltage', description: 'added again', units: 'V', type: 'float', params: [], value: 5, status: 'nominal' });
    await eventually(async () => (await sensors(h)).filter((r) => r.name === 'extra.voltage').length === 1 && !(await sensors(h)).find((r) => r.name === 'extra.voltage')!.removed);
  });

  it('logLevel and #log: the level is set on the server and logs arrive as events', async () => {
    const h = await setup({ logEveryMs: 30 });
    expect(await runAction('katcp', h.session, 'logLevel', { level: 'debug' })).toEqual({ level: 'debug' });
    expect(await runAction('katcp', h.session, 'logLevel', {})).toEqual({ level: 'debug' });
    await until(() => h.events.some((e) => e.kind === 'log' && (e.data as { level: string }).level === 'debug'));
    const logs = await runAction('katcp', h.session, 'logs', {}) as { level: string; logger: string; t: number }[];
    expect(logs[0]!.logger).toMatch(/^telescope\./);
    expect(Math.abs(logs[0]!.t - Date.now() / 1000)).toBeLessThan(5);
    expect((await errorOf(runAction('katcp', h.session, 'logLevel', { level: 'loud' }))).code).toBe('InvalidRequest');
  });
});

describe('KATCP session: connection life', () => {
  it('reconnects by itself and restores every strategy, from the options and set by hand', async () => {
    const h = await setup({}, { sampling: [{ sensors: 'antenna.azimuth', strategy: 'period', params: [0.02] }] });
    await runAction('katcp', h.session, 'setStrategy', { sensor: 'fan.speed', strategy: 'differential', params: [5] });
    await runAction('katcp', h.session, 'setStrategy', { sensor: 'drive.mode', strategy: 'event' });
    await until(() => h.samples('antenna.azimuth') > 2);
    emulator!.dropClients();
    await until(() => !h.session.ready);
    await h.waitReady();
    await eventually(async () => (await sensors(h)).filter((r) => r.strategy !== 'none').length === 3);
    for (const [sensor, want] of [['antenna.azimuth', ['period', '0.02']], ['fan.speed', ['differential', '5']], ['drive.mode', ['event']]] as const) {
      const q = await request(h, 'sensor-sampling', [sensor]);
      expect(q.reply.slice(2), sensor).toEqual(want);
    }
    const n = h.samples('antenna.azimuth');
    await until(() => h.samples('antenna.azimuth') > n + 2);
  });

  it('has a value and status for every sensor as soon as it is ready, with no strategy set (one ?sensor-value after the list)', async () => {
    const h = await setup();
    const rows = await sensors(h);
    expect(rows.length).toBeGreaterThan(5);
    expect(rows.filter((r) => r.strategy !== 'none')).toEqual([]);
    for (const r of rows) {
      expect(r.status, r.name).not.toBe('');
      expect(r.timestamp, r.name).not.toBeNull();
    }
    expect(rows.find((r) => r.name === 'antenna.azimuth')!.value).toMatch(/^-?\d/);
    expect(h.samples('antenna.azimuth')).toBeGreaterThanOrEqual(1);
    // The first readings are not status changes: no mark per sensor.
    expect(h.events.filter((e) => e.kind === 'sensor-status')).toEqual([]);
  });

  it('while disconnected every sensor is unreachable, its last value kept and marked stale; fresh on reconnection', async () => {
    const h = await setup();
    const before = await sensors(h);
    const port = emulator!.port;
    await emulator!.close();
    await until(() => !h.session.ready);
    const down = await sensors(h);
    expect(down.map((r) => r.status)).toEqual(before.map(() => 'unreachable'));
    expect(down.every((r) => r.stale === true)).toBe(true);
    expect(down.map((r) => r.value)).toEqual(before.map((r) => r.value));
    emulator = await startKatcpEmulator({ logEveryMs: 0, port });
    await h.waitReady();
    const up = await sensors(h);
    expect(up.filter((r) => r.stale || r.status === 'unreachable').map((r) => r.name)).toEqual([]);
    expect(h.events.filter((e) => e.kind === 'sensor-status' && (e.data as { previous: string }).previous === 'unreachable')).toEqual([]);
  });

  it('a request in flight fails clearly when the server closes mid-request, and the session comes back', async () => {
    const h = await setup();
    const pending = errorOf(request(h, 'sleep', [5]));
    await sleep(50);
    emulator!.dropClients();
    const err = await pending;
    expect(err.code).toBe('OperationFailure');
    expect(err.message).toMatch(/\?sleep got no reply: the connection to the KATCP server at tcp 127\.0\.0\.1:\d+ closed/);
    await h.waitReady();
  });

  it('a request times out with the request named; ?halt gives #disconnect and a reason', async () => {
    const h = await setup();
    const err = await errorOf(request(h, 'sleep', [2], 0.2));
    expect(err.code).toBe('Timeout');
    expect(err.message).toMatch(/no !sleep\[\d+\] reply .* within 0\.2 s/);
    await request(h, 'halt');
    await until(() => h.events.some((e) => e.kind === 'disconnect'));
    expect(h.session.lastError).toMatch(/closes the connection: Device server shutting down/);
    await h.waitReady();
  });

  it('survives bad lines, unknown mids, stray replies and oversized lines from the server, and counts them', async () => {
    const h = await setup({}, { maxLineLength: 1024 });
    const before = h.session.counters.frameErrors;
    emulator!.sendRaw(`garbage\n!watchdog[999] ok\n#sensor-list[998] x\n!stray ok\n#log info 1 a\\q\n#big ${'x'.repeat(5000)}\n#sensor-status 1 1 nope nominal 1\n#sensor-status 1 1 antenna.azimuth bogus 1\n#sensor-status 1 3 antenna.azimuth nominal\n`);
    await until(() => h.session.counters.frameErrors >= before + 8, 2000, () => `frame errors ${h.session.counters.frameErrors - before}`);
    expect(h.session.counters.resyncs).toBeGreaterThanOrEqual(1);
    expect(h.session.ready).toBe(true);
    expect((await request(h, 'watchdog')).ok).toBe(true);
  });

  it('uses the server\'s timeout hints (flag T) instead of the default timeout', async () => {
    const h = await setup({ timeoutHints: true }, { requestTimeoutS: 0.3 });
    expect(h.session.deviceInfo('x')!.extra).toMatchObject({ flags: 'MIBT', timeoutHints: true });
    expect((await request(h, 'sleep', [0.6])).ok).toBe(true); // hinted at 30 s by the server
    await h.close();
    harness = null;
    await emulator!.close();
    const plain = await setup({ timeoutHints: false }, { requestTimeoutS: 0.3 });
    expect((await errorOf(request(plain, 'sleep', [0.6]))).code).toBe('Timeout');
  });

  it('the watchdog notices a server that stops answering', async () => {
    // A v5 server that lists no sensors and then never answers again.
    let answer = true;
    let connections = 0;
    const server = net.createServer((sock) => {
      connections++;
      sock.write('#version-connect katcp-protocol 5.0-MI\n');
      sock.on('data', (d) => {
        for (const line of d.toString().split('\n')) {
          const m = /^\?([a-z-]+)\[(\d+)\]/.exec(line);
          if (m && answer) sock.write(`!${m[1]}[${m[2]}] ok 0\n`);
        }
      });
      sock.on('error', () => undefined);
    });
    servers.push(server);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    harness = new SessionHarness((server.address() as net.AddressInfo).port, { watchdogS: 0.1 });
    await harness.waitReady();
    answer = false;
    await until(() => !harness!.session.ready, 2000);
    expect(harness.session.lastError ?? harness.reconnects[0]).toMatch(/liveness check failed: no !watchdog\[\d+\] reply/);
    // The failure names the link, and the session drops the connection and connects again.
    expect(harness.reconnects[0]).toContain(`tcp 127.0.0.1:${(server.address() as net.AddressInfo).port}`);
    answer = true;
    await until(() => connections >= 2, 3000);
    await until(() => harness!.session.ready, 3000);
  });

  it('the console shows requests typed by hand with their reply and mid', async () => {
    const h = await setup();
    h.consoleWanted = true;
    expect(h.session.sendText('?sensor-value antenna.azimuth')).toBe(true);
    await until(() => h.console.some((l) => /^rx !sensor-value\[\d+\] ok 1$/.test(l)));
    expect(h.console.some((l) => /^rx #sensor-value\[\d+\] [\d.]+ 1 antenna\.azimuth nominal/.test(l))).toBe(true);
    expect(h.console.some((l) => l.startsWith('tx ?sensor-value'))).toBe(false); // the hub shows the typed text itself
  });
});
