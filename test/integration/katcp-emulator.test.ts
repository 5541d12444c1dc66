// The KATCP emulator over real TCP, as a raw client sees it byte for byte.
import { afterEach, describe, expect, it } from 'vitest';
import { startKatcpEmulator, type KatcpEmulator } from '../../main/protocols/katcp/emulator';
import { RawKatcpClient } from './katcp-support';

let emulator: KatcpEmulator | null = null;
const clients: RawKatcpClient[] = [];

async function start(opts: Parameters<typeof startKatcpEmulator>[0] = {}): Promise<RawKatcpClient> {
  emulator = await startKatcpEmulator({ logEveryMs: 0, ...opts });
  return connect();
}

async function connect(): Promise<RawKatcpClient> {
  const c = await RawKatcpClient.connect(emulator!.port);
  clients.push(c);
  return c;
}

afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await emulator?.close();
  emulator = null;
});

const statuses = (c: RawKatcpClient, sensor: string, from = 0) => c.messages.slice(from).filter((m) => m.name === 'sensor-status' && m.args[2] === sensor);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('KATCP emulator: connecting', () => {
  it('v5 sends the three #version-connect informs with flags MIB', async () => {
    const c = await start();
    await c.waitFor((m) => m.name === 'version-connect' && m.args[0] === 'katcp-device');
    expect(c.lines.slice(0, 3)).toEqual([
      '#version-connect katcp-protocol 5.1-MIB',
      '#version-connect katcp-library benchscope-katcp-emulator-1.0 1.0.0',
      '#version-connect katcp-device telescope-subsystem-2.3 build-7',
    ]);
  });

  it('v5 without message ids and bulk says 5.0-M and answers without mids', async () => {
    const c = await start({ messageIds: false, bulk: false });
    await c.waitFor((m) => m.name === 'version-connect');
    expect(c.lines[0]).toBe('#version-connect katcp-protocol 5.0-M');
    c.send('?watchdog[4]\n');
    const r = await c.waitFor((m) => m.name === 'watchdog');
    expect(r.mid).toBeNull();
  });

  it('v4 sends #version and #build-state, no #version-connect', async () => {
    const c = await start({ version: 4 });
    await c.waitFor((m) => m.name === 'build-state');
    expect(c.lines.slice(0, 2)).toEqual(['#version telescope-subsystem-2.3', '#build-state telescope-subsystem-2.3.build-7']);
  });

  it('tells the other clients about a new one, and ?client-list lists both', async () => {
    const a = await start();
    const b = await connect();
    await a.waitFor((m) => m.name === 'client-connected');
    const { reply, informs } = await b.request('client-list', [], 9);
    expect(reply.args).toEqual(['ok', '2']);
    expect(informs.every((m) => m.mid === 9 && /^127\.0\.0\.1:\d+$/.test(m.args[0]!))).toBe(true);
  });
});

describe('KATCP emulator: standard requests', () => {
  it('?help lists the requests with the mid on every inform; ?help name one', async () => {
    const c = await start();
    const all = await c.request('help', [], 3);
    expect(all.reply.args[0]).toBe('ok');
    expect(Number(all.reply.args[1])).toBe(all.informs.length);
    expect(all.informs.map((m) => m.args[0])).toEqual(expect.arrayContaining(['watchdog', 'sensor-sampling', 'halt', 'version-list']));
    expect(all.informs.every((m) => m.mid === 3)).toBe(true);
    const one = await c.request('help', ['watchdog']);
    expect(one.informs.length).toBe(1);
    expect((await c.request('help', ['nope'])).reply.args[0]).toBe('fail');
  });

  it('?version-list, ?watchdog, ?log-level query and set, unknown requests invalid', async () => {
    const c = await start();
    const v = await c.request('version-list');
    expect(v.informs.map((m) => m.args[0])).toEqual(['katcp-protocol', 'katcp-library', 'katcp-device']);
    expect((await c.request('watchdog', [], 77)).reply).toEqual({ type: '!', name: 'watchdog', mid: 77, args: ['ok'] });
    expect((await c.request('log-level')).reply.args).toEqual(['ok', 'info']);
    expect((await c.request('log-level', ['debug'])).reply.args).toEqual(['ok', 'debug']);
    expect((await c.request('log-level', ['loud'])).reply.args[0]).toBe('fail');
    const bad = await c.request('frobnicate');
    expect(bad.reply.args[0]).toBe('invalid');
  });

  it('?sensor-list describes sensors of every type, with params and \\@ units', async () => {
    const c = await start();
    const { reply, informs } = await c.request('sensor-list');
    expect(Number(reply.args[1])).toBe(informs.length);
    const types = new Set(informs.map((m) => m.args[3]));
    for (const t of ['integer', 'float', 'boolean', 'discrete', 'lru', 'string', 'timestamp', 'address']) expect(types, t).toContain(t);
    expect(informs.find((m) => m.args[0] === 'drive.mode')!.args.slice(4)).toEqual(['idle', 'slew', 'track', 'stow']);
    expect(c.lines.find((l) => l.startsWith('#sensor-list drive.enabled'))).toContain(' \\@ boolean');
    const re = await c.request('sensor-list', ['/^antenna\\./']);
    expect(re.informs.map((m) => m.args[0])).toEqual(['antenna.azimuth', 'antenna.elevation']);
    expect((await c.request('sensor-list', ['nope'])).reply.args[0]).toBe('fail');
  });

  it('?sensor-value reads values in the #sensor-status layout, escaped strings included', async () => {
    const c = await start();
    const { informs } = await c.request('sensor-value', ['/drive/']);
    for (const m of informs) {
      expect(Number(m.args[0])).toBeGreaterThan(1.6e9);
      expect(m.args[1]).toBe('1');
    }
    expect(informs.map((m) => m.args[2])).toEqual(['drive.enabled', 'drive.mode', 'drive.message']);
    expect(informs[2]!.args[4]).toMatch(/ /);
  });

  it('v4 timestamps are integer milliseconds and v5-only sensors are absent', async () => {
    const c = await start({ version: 4 });
    const { informs } = await c.request('sensor-value');
    expect(informs.every((m) => /^\d+$/.test(m.args[0]!))).toBe(true);
    expect(informs.map((m) => m.args[2])).not.toContain('peer.address');
    const ts = informs.find((m) => m.args[2] === 'clock.last-sync')!;
    expect(Number(ts.args[4])).toBeGreaterThan(1.6e12);
  });

  it('?halt replies, says #disconnect and closes', async () => {
    const c = await start();
    await c.waitFor((m) => m.name === 'version-connect' && m.args[0] === 'katcp-device');
    const from = c.messages.length;
    c.send('?halt[1]\n');
    await c.waitFor((m) => m.name === 'disconnect', 3000, from);
    expect(c.messages.slice(from).map((m) => m.type + m.name)).toEqual(['!halt', '#disconnect']);
    await new Promise<void>((r) => { const t = setInterval(() => { if (c.isClosed) { clearInterval(t); r(); } }, 5); });
  });

  it('answers a bad message with #log error and never a reply', async () => {
    const c = await start();
    c.send('garbage here\n?a\\q\n');
    const log = await c.waitFor((m) => m.name === 'log');
    expect(log.args[0]).toBe('error');
    expect(c.messages.filter((m) => m.type === '!').length).toBe(0);
  });
});

describe('KATCP emulator: sampling strategies', () => {
  it('none: no updates; query returns none', async () => {
    const c = await start();
    expect((await c.request('sensor-sampling', ['antenna.azimuth'])).reply.args).toEqual(['ok', 'antenna.azimuth', 'none']);
    await c.request('sensor-sampling', ['antenna.azimuth', 'none']);
    await sleep(200);
    expect(statuses(c, 'antenna.azimuth').length).toBe(0);
  });

  it('period (seconds in v5): one update at once then one per period', async () => {
    const c = await start();
    const r = await c.request('sensor-sampling', ['drive.mode', 'period', '0.05']);
    expect(r.reply.args).toEqual(['ok', 'drive.mode', 'period', '0.05']);
    await sleep(330);
    const n = statuses(c, 'drive.mode').length;
    expect(n).toBeGreaterThanOrEqual(5);
    expect(n).toBeLessThanOrEqual(9);
    expect((await c.request('sensor-sampling', ['drive.mode'])).reply.args).toEqual(['ok', 'drive.mode', 'period', '0.05']);
  });

  it('period in v4 is milliseconds', async () => {
    const c = await start({ version: 4 });
    const r = await c.request('sensor-sampling', ['drive.mode', 'period', '50']);
    expect(r.reply.args).toEqual(['ok', 'drive.mode', 'period', '50']);
    await sleep(330);
    expect(statuses(c, 'drive.mode').length).toBeGreaterThanOrEqual(5);
    expect((await c.request('sensor-sampling', ['drive.mode'])).reply.args).toEqual(['ok', 'drive.mode', 'period', '50']);
    expect((await c.request('sensor-sampling', ['drive.mode', 'event-rate', '1', '2'])).reply.args[0]).toBe('fail');
  });

  it('event and auto: an update on every change only', async () => {
    const c = await start({ tickMs: 10_000 });
    for (const strategy of ['event', 'auto']) {
      const from = c.messages.length;
      await c.request('sensor-sampling', ['rx.lna.current', strategy]);
      await c.waitFor((m) => m.name === 'sensor-status', 1000, from);
      expect(statuses(c, 'rx.lna.current', from).length).toBe(1);
      emulator!.setSensor('rx.lna.current', 11);
      emulator!.setSensor('rx.lna.current', 11); // no change: no update
      emulator!.setSensor('rx.lna.current', 11, 'warn'); // status change: update
      await c.waitFor((m) => m.args[3] === 'warn', 1000, from);
      expect(statuses(c, 'rx.lna.current', from).map((m) => `${m.args[3]} ${m.args[4]}`)).toEqual([expect.any(String), 'nominal 11', 'warn 11']);
      emulator!.setSensor('rx.lna.current', 13, 'nominal');
      await c.waitFor((m) => m.args[4] === '13', 1000, from);
    }
  });

  it('differential: only when the change exceeds the difference, or the status changes', async () => {
    const c = await start({ tickMs: 10_000 });
    emulator!.setSensor('fan.speed', 1000, 'nominal');
    await c.request('sensor-sampling', ['fan.speed', 'differential', '10']);
    for (const v of [1005, 1010, 1011, 1012, 1030]) emulator!.setSensor('fan.speed', v);
    emulator!.setSensor('fan.speed', 1031, 'warn');
    await c.waitFor((m) => m.args[3] === 'warn');
    expect(statuses(c, 'fan.speed').map((m) => m.args[4])).toEqual(['1000', '1011', '1030', '1031']);
    expect((await c.request('sensor-sampling', ['drive.mode', 'differential', '1'])).reply.args[0]).toBe('fail');
  });

  it('event-rate: at most once per shortest, at least once per longest', async () => {
    const c = await start({ tickMs: 10_000 });
    await c.request('sensor-sampling', ['rx.lna.current', 'event-rate', '0.2', '0.5']);
    const t0 = Date.now();
    for (let i = 0; i < 10; i++) emulator!.setSensor('rx.lna.current', 20 + i);
    await sleep(100);
    expect(statuses(c, 'rx.lna.current').length).toBe(1); // the immediate one; changes wait for shortest
    await c.waitFor((m) => m.args[4] === '29', 1000);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(150);
    const n = statuses(c, 'rx.lna.current').length;
    await sleep(650); // nothing changes: the longest period still sends one
    expect(statuses(c, 'rx.lna.current').length).toBeGreaterThan(n);
  });

  it('differential-rate: a change must exceed the difference and is rate-limited', async () => {
    const c = await start({ tickMs: 10_000 });
    emulator!.setSensor('fan.speed', 100, 'nominal');
    await c.request('sensor-sampling', ['fan.speed', 'differential-rate', '5', '0.05', '0']);
    emulator!.setSensor('fan.speed', 103);
    await sleep(120);
    expect(statuses(c, 'fan.speed').length).toBe(1);
    emulator!.setSensor('fan.speed', 110);
    await c.waitFor((m) => m.args[2] === 'fan.speed' && m.args[4] === '110');
    expect((await c.request('sensor-sampling', ['fan.speed', 'differential-rate', '5', '1'])).reply.args[0]).toBe('fail');
  });

  it('bulk form with flag B sets every sensor at once; without B it is refused', async () => {
    const c = await start();
    const r = await c.request('sensor-sampling', ['antenna.azimuth,antenna.elevation', 'period', '0.1'], 5);
    expect(r.reply.args).toEqual(['ok', 'antenna.azimuth,antenna.elevation', 'period', '0.1']);
    await c.waitFor((m) => m.name === 'sensor-status' && m.args[2] === 'antenna.elevation');
    expect((await c.request('sensor-sampling', ['antenna.azimuth,nope', 'event'])).reply.args[0]).toBe('fail');
    await emulator!.close();
    const d = await start({ bulk: false });
    expect((await d.request('sensor-sampling', ['antenna.azimuth,antenna.elevation', 'event'])).reply.args[0]).toBe('fail');
  });

  it('strategies are per client, and ?sensor-sampling-clear ends them', async () => {
    const a = await start();
    const b = await connect();
    await a.request('sensor-sampling', ['antenna.azimuth', 'period', '0.02']);
    await sleep(150);
    expect(statuses(a, 'antenna.azimuth').length).toBeGreaterThan(3);
    expect(statuses(b, 'antenna.azimuth').length).toBe(0);
    await a.request('sensor-sampling-clear');
    const n = statuses(a, 'antenna.azimuth').length;
    await sleep(100);
    expect(statuses(a, 'antenna.azimuth').length).toBe(n);
  });

  it('announces #interface-changed when a sensor comes or goes', async () => {
    const c = await start();
    emulator!.addSensor({ name: 'new.sensor', description: 'added', units: 'V', type: 'float', params: [], value: 1, status: 'nominal' });
    await c.waitFor((m) => m.name === 'interface-changed');
    expect((await c.request('sensor-list', ['new.sensor'])).informs.length).toBe(1);
  });
});
