// The DCSS handshake over real TCP: stoc_send_client_type in v1, 1000 ms for
// htos_client_is_hardware, the three refusals, then registrations in the DHS's version.
import { runAction } from '../support/actions';
import { afterEach, describe, expect, it } from 'vitest';
import { encodeV1, encodeV2 } from '../../main/protocols/dcs/codec';
import { addressMatches } from '../../main/protocols/dcs/dcss';
import { startDcsEmulator, type DcsEmulator } from '../../main/protocols/dcs/emulator';
import { connectRawDhs, startDcssBench, type DcssBench, type RawDhs } from './dcs-support';

let bench: DcssBench | null = null;
const dhss: RawDhs[] = [];
const emulators: DcsEmulator[] = [];

afterEach(async () => {
  for (const e of emulators.splice(0)) await e.close();
  for (const d of dhss.splice(0)) await d.end();
  await bench?.close();
  bench = null;
});

async function raw(port: number): Promise<RawDhs> {
  const d = await connectRawDhs(port);
  dhss.push(d);
  return d;
}

describe('DCS handshake', () => {
  it('speaks first with a 200-byte v1 stoc_send_client_type, then registers the DHS devices in v2 and answers htos_send_configuration', async () => {
    bench = await startDcssBench();
    const firstBytes: Buffer[] = [];
    const dhs = await raw(bench.port);
    dhs.socket.once('data', (c: Buffer) => firstBytes.push(c));
    await dhs.waitFor((t) => t === 'stoc_send_client_type');
    expect(dhs.received[0]).toEqual({ text: 'stoc_send_client_type', version: 1 });
    expect(firstBytes[0]!.length).toBe(200);
    const connected = bench.nextEvent('dhsConnected');
    dhs.send(encodeV1('htos_client_is_hardware simdhs'));
    expect(await connected).toMatchObject({ dhs: 'simdhs', protocol: 2 });
    await dhs.waitFor((t) => t.startsWith('stoh_register_operation sim_scan'));
    const after = dhs.received.slice(1);
    expect(after.every((r) => r.version === 2)).toBe(true);
    expect(after.map((r) => r.text)).toEqual([
      'stoh_register_real_motor sample_x sample_x',
      'stoh_register_real_motor sample_y sample_y',
      'stoh_register_real_motor gonio_phi gonio_phi',
      'stoh_register_pseudo_motor energy energy',
      'stoh_register_shutter shutter closed shutter',
      'stoh_register_ion_chamber i0 counter1 0 timer1 clock',
      'stoh_register_ion_chamber i1 counter1 1 timer1 clock',
      'stoh_register_encoder sample_x_encoder sample_x_encoder',
      'stoh_register_string sim_status sim_status',
      'stoh_register_operation sim_scan sim_scan',
    ]);
    expect(bench.session.ready).toBe(true);
    dhs.send(encodeV2('htos_send_configuration sample_x'));
    dhs.send(encodeV2('htos_send_configuration energy'));
    expect(await dhs.waitFor((t) => t.startsWith('stoh_configure_real_motor'))).toBe('stoh_configure_real_motor sample_x simdhs sample_x 0 40 -40 1000 20000 100 0 1 1 0 0 0 0');
    expect(await dhs.waitFor((t) => t.startsWith('stoh_configure_pseudo_motor'))).toBe('stoh_configure_pseudo_motor energy simdhs energy 12000 17000 6000 1 1 0 0');
  });

  it('sends dependencies and children where configured, and keeps v1 for a protocol 1 server', async () => {
    bench = await startDcssBench({
      hardwareServers: [{ name: 'old', protocol: 1, realMotors: [{ name: 'a', children: ['b'] }, { name: 'b', dependency: ['a'] }], objects: [{ name: 'robot', hwName: 'sam_robot' }] }],
    });
    const dhs = await raw(bench.port);
    await dhs.waitFor((t) => t === 'stoc_send_client_type');
    dhs.send(encodeV1('htos_client_is_hardware old'));
    await dhs.waitFor((t) => t.startsWith('stoh_set_motor_dependency'));
    expect(dhs.received.map((r) => r.text)).toEqual([
      'stoc_send_client_type', 'stoh_register_real_motor a a', 'stoh_register_real_motor b b',
      'stoh_register_object robot sam_robot',
      'stoh_set_motor_children a b', 'stoh_set_motor_dependency b a',
    ]);
    expect(dhs.received.every((r) => r.version === 1)).toBe(true);
  });

  it('closes a connection that does not answer within 1000 ms, and says why', async () => {
    bench = await startDcssBench();
    const rejected = bench.nextEvent('dhsRejected', () => true, 3000);
    const dhs = await raw(bench.port);
    const t0 = Date.now();
    await dhs.closed;
    const waited = Date.now() - t0;
    expect(waited).toBeGreaterThanOrEqual(900);
    expect(waited).toBeLessThan(2000);
    expect((await rejected).reason).toMatch(/no htos_client_is_hardware within 1000 ms/);
    expect(bench.session.lastError).toMatch(/refused the connection from 127\.0\.0\.1:\d+: no htos_client_is_hardware/);
  });

  it('refuses an unknown hardware server name, naming the known ones', async () => {
    bench = await startDcssBench();
    const dhs = await raw(bench.port);
    await dhs.waitFor((t) => t === 'stoc_send_client_type');
    dhs.send(encodeV1('htos_client_is_hardware intruder'));
    await dhs.closed;
    expect(bench.session.lastError).toMatch(/unknown hardware server "intruder" in "htos_client_is_hardware intruder" \(this DCS configuration knows "simdhs"\)/);
    expect(bench.session.ready).toBe(false);
    expect(dhs.received.map((r) => r.text)).toEqual(['stoc_send_client_type']);
  });

  it('refuses a hardware server connecting from another address than its entry', async () => {
    bench = await startDcssBench({ hardwareServers: [{ name: 'simdhs', address: '10.9.8.7' }] });
    const dhs = await raw(bench.port);
    await dhs.waitFor((t) => t === 'stoc_send_client_type');
    dhs.send(encodeV1('htos_client_is_hardware simdhs'));
    await dhs.closed;
    expect(bench.session.lastError).toMatch(/"simdhs" must connect from 10\.9\.8\.7, not from 127\.0\.0\.1/);
    const tree = (await runAction('dcs', bench.session, 'devices', undefined)) as { hardwareServers: { lastRejection: string }[] };
    expect(tree.hardwareServers[0]!.lastRejection).toMatch(/must connect from/);
  });

  it('holds a refused DHS as DCSS does before closing it: 1 s for a wrong address or an unknown name, 3 s for a name already connected; each refusal counted', async () => {
    bench = await startDcssBench({ hardwareServers: [{ name: 'simdhs', realMotors: [{ name: 'm' }] }, { name: 'far', address: '10.9.8.7' }] });
    const closedAfter = async (answer: string): Promise<number> => {
      const dhs = await raw(bench!.port);
      await dhs.waitFor((t) => t === 'stoc_send_client_type');
      const t0 = Date.now();
      dhs.send(encodeV1(answer));
      await dhs.closed;
      return Date.now() - t0;
    };
    const e = await startDcsEmulator({ port: bench.port, reconnectMs: 100 });
    emulators.push(e);
    await e.whenRegistered();
    const [wrong, unknown, dup] = await Promise.all([
      closedAfter('htos_client_is_hardware far'),
      closedAfter('htos_client_is_hardware nobody'),
      closedAfter('htos_client_is_hardware simdhs'),
    ]);
    expect(wrong).toBeGreaterThanOrEqual(950);
    expect(wrong).toBeLessThan(1800);
    expect(unknown).toBeGreaterThanOrEqual(950);
    expect(unknown).toBeLessThan(1800);
    expect(dup).toBeGreaterThanOrEqual(2950);
    expect(dup).toBeLessThan(3800);
    expect(bench.session.counters.refusedConnections).toBe(3);
    expect(bench.events.filter((x) => x.kind === 'dhsRejected')).toHaveLength(3);
    expect(bench.console.some((l) => /refused the connection .*already connected.*; closing it in 3 s/.test(l.text))).toBe(true);
    // The registered one was never disturbed.
    expect(e.connected).toBe(true);
  });

  it('accepts "localhost" and a resolvable name as the allowed address', async () => {
    bench = await startDcssBench({ hardwareServers: [{ name: 'simdhs', address: 'localhost' }] });
    const dhs = await raw(bench.port);
    await dhs.waitFor((t) => t === 'stoc_send_client_type');
    const connected = bench.nextEvent('dhsConnected');
    dhs.send(encodeV1('htos_client_is_hardware simdhs'));
    await connected;
  });

  it('reads messages coalesced with htos_client_is_hardware in the version of the server', async () => {
    bench = await startDcssBench();
    const dhs = await raw(bench.port);
    await dhs.waitFor((t) => t === 'stoc_send_client_type');
    const hello = encodeV1('htos_client_is_hardware simdhs');
    const update = encodeV2('htos_update_motor_position sample_x 1.75 normal');
    const both = new Uint8Array(hello.length + update.length);
    both.set(hello);
    both.set(update, hello.length);
    dhs.send(both);
    await dhs.waitFor((t) => t.startsWith('stoh_register_operation'));
    await new Promise((r) => setTimeout(r, 30));
    expect(bench.samples.get('sample_x')).toEqual([1.75]);
    expect(bench.session.counters.frameErrors).toBe(0);
  });

  it('matches allowed addresses: IPv4-mapped peers, localhost, and names that do not resolve', async () => {
    expect(addressMatches('127.0.0.1', '::ffff:127.0.0.1')).toBe(true);
    expect(addressMatches('localhost', '::1')).toBe(true);
    expect(addressMatches('localhost', '10.0.0.1')).toBe(false);
    expect(addressMatches('10.0.0.1', '10.0.0.2')).toBe(false);
    expect(await addressMatches('no-such-host.invalid', '127.0.0.1')).toBe(false);
  });

  it('refuses a second connection of a hardware server already connected', async () => {
    bench = await startDcssBench();
    const e = await startDcsEmulator({ port: bench.port, reconnectMs: 100 });
    emulators.push(e);
    await e.whenRegistered();
    const dup = await raw(bench.port);
    await dup.waitFor((t) => t === 'stoc_send_client_type');
    dup.send(encodeV1('htos_client_is_hardware simdhs'));
    await dup.closed;
    expect(bench.session.lastError).toMatch(/hardware server "simdhs" is already connected from 127\.0\.0\.1:\d+/);
    // The first one is untouched.
    expect(e.connected).toBe(true);
    const moved = await runAction('dcs', bench.session, 'moveMotor', { motor: 'gonio_phi', position: 1 });
    expect(moved).toMatchObject({ moving: true });
  });

  it('reads the answer as DCSS does (first token ignored, name from the second): the Tcl library\'s htos_client_type_is_hardware connects', async () => {
    bench = await startDcssBench();
    const dhs = await raw(bench.port);
    await dhs.waitFor((t) => t === 'stoc_send_client_type');
    const connected = bench.nextEvent('dhsConnected');
    dhs.send(encodeV1('htos_client_type_is_hardware simdhs dcsProtocol_2.0'));
    expect(await connected).toMatchObject({ dhs: 'simdhs', protocol: 2 });
    await dhs.waitFor((t) => t.startsWith('stoh_register_operation sim_scan'));
    expect(bench.session.ready).toBe(true);
    expect(bench.console.some((l) => /answered stoc_send_client_type with "htos_client_type_is_hardware"/.test(l.text))).toBe(false);
  });

  it('registers the emulator answering with the Tcl library\'s handshake, and moves its motor', async () => {
    bench = await startDcssBench();
    const e = await startDcsEmulator({ port: bench.port, reconnectMs: 100, library: 'tcl', tickMs: 20 });
    emulators.push(e);
    await e.whenRegistered();
    expect(bench.console.filter((l) => l.dir === 'rx')[0]?.text).toBe('htos_client_type_is_hardware simdhs dcsProtocol_2.0');
    await runAction('dcs', bench.session, 'moveMotor', { motor: 'sample_x', position: 0.25 });
    expect(await runAction('dcs', bench.session, 'waitMotor', { motor: 'sample_x', timeoutS: 5 })).toMatchObject({ position: 0.25, status: 'normal' });
  });

  it('takes the name from the second token of any answer, says so, and refuses an answer without a name', async () => {
    bench = await startDcssBench();
    const other = await raw(bench.port);
    await other.waitFor((t) => t === 'stoc_send_client_type');
    const connected = bench.nextEvent('dhsConnected');
    other.send(encodeV1('hello simdhs'));
    expect(await connected).toMatchObject({ dhs: 'simdhs' });
    expect(bench.console.some((l) => /answered stoc_send_client_type with "hello"; the name is read from the second token/.test(l.text))).toBe(true);
    const lone = await raw(bench.port);
    await lone.waitFor((t) => t === 'stoc_send_client_type');
    lone.send(encodeV1('htos_client_is_hardware'));
    await lone.closed;
    expect(bench.session.lastError).toMatch(/expected "htos_client_is_hardware <name>".*received "htos_client_is_hardware"/);
  });

  it('takes back a DHS that drops and reconnects', async () => {
    bench = await startDcssBench();
    const e = await startDcsEmulator({ port: bench.port, reconnectMs: 50 });
    emulators.push(e);
    await e.whenRegistered();
    const gone = bench.nextEvent('dhsDisconnected');
    const back = bench.nextEvent('dhsConnected');
    e.dropConnection();
    await gone;
    expect(bench.session.ready).toBe(false);
    await back;
    expect(bench.session.ready).toBe(true);
    const tree = (await runAction('dcs', bench.session, 'devices', undefined)) as { hardwareServers: { connects: number; connected: boolean }[] };
    expect(tree.hardwareServers[0]).toMatchObject({ connects: 2, connected: true });
    await e.whenRegistered();
    await runAction('dcs', bench.session, 'moveMotor', { motor: 'sample_x', position: 0.5 });
    expect(await runAction('dcs', bench.session, 'waitMotor', { motor: 'sample_x', timeoutS: 5 })).toMatchObject({ position: 0.5, status: 'normal' });
  });
});
