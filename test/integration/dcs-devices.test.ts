// A DCSS bench and the emulated DHS over real TCP: every request of the session
// reaches the DHS, and every answer updates the device state.
import { runAction } from '../support/actions';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { encodeV1, encodeV2 } from '../../main/protocols/dcs/codec';
import { startDcsEmulator, type DcsEmulator } from '../../main/protocols/dcs/emulator';
import { connectRawDhs, startDcssBench, type DcssBench, type RawDhs } from './dcs-support';
import { ApiError } from '../../shared/api/errors';

type Any = any; // eslint-disable-line @typescript-eslint/no-explicit-any

describe('DCS devices with the emulated DHS (v2)', () => {
  let bench: DcssBench;
  let dhs: DcsEmulator;
  const act = (name: string, args?: unknown): Promise<Any> => runAction('dcs', bench.session, name, args);

  beforeAll(async () => {
    bench = await startDcssBench();
    dhs = await startDcsEmulator({ port: bench.port, reconnectMs: 100, tickMs: 20 });
    await dhs.whenRegistered();
    // Each motor's configuration round trip ends with a position report.
    for (let i = 0; i < 100 && ['sample_x', 'sample_y', 'gonio_phi', 'energy'].some((m) => !bench.samples.get(m)!.length); i++) await new Promise((r) => setTimeout(r, 10));
  });
  afterAll(async () => {
    await dhs.close();
    await bench.close();
  });

  it('moves a motor with positions streaming until completion', async () => {
    const before = bench.samples.get('sample_x')!.length;
    const started = bench.nextEvent('motorMoveStarted', (d) => d.motor === 'sample_x');
    const completed = bench.nextEvent('motorMoveCompleted', (d) => d.motor === 'sample_x');
    expect(await act('moveMotor', { motor: 'sample_x', position: 4 })).toMatchObject({ motor: 'sample_x', moving: true, target: 4 });
    expect(await started).toMatchObject({ position: 4 });
    const done = await act('waitMotor', { motor: 'sample_x', timeoutS: 5 });
    expect(done).toMatchObject({ motor: 'sample_x', position: 4, status: 'normal', moving: false });
    expect(await completed).toMatchObject({ position: 4, status: 'normal' });
    const path = bench.samples.get('sample_x')!.slice(before);
    const between = path.filter((p) => p > 0.01 && p < 3.99);
    expect(between.length).toBeGreaterThanOrEqual(3);
    for (let i = 1; i < path.length; i++) expect(path[i]!).toBeGreaterThanOrEqual(path[i - 1]! - 1e-9);
    expect(path.at(-1)).toBe(4);
    // Start and completion on the plot: the status signal steps to moving (2), then normal (0).
    expect(bench.samples.get('sample_x.status')!.slice(-2)).toEqual([2, 0]);
    expect(bench.states.get('sample_x.status')).toEqual(['normal', 'aborted', 'moving', 'cw_hw_limit', 'ccw_hw_limit', 'both_hw_limits', 'unknown']);
    // ...and as marks on the motor's position plot.
    const mine = bench.marks.filter((m) => m.signal === 'sample_x').slice(-2);
    expect(mine.map((m) => [m.label, m.severity])).toEqual([['sample_x → 4', 'info'], ['sample_x normal at 4', 'ok']]);
    expect(mine[1]!.t).toBeGreaterThanOrEqual(mine[0]!.t);
  });

  it('refuses a move beyond the software limits and a second move of a moving motor', async () => {
    await expect(act('moveMotor', { motor: 'sample_x', position: 100 })).rejects.toMatchObject({ code: 'InvalidRequest', message: expect.stringMatching(/above the upper limit 40 of sample_x/) });
    await expect(act('moveMotor', { motor: 'nope', position: 1 })).rejects.toBeInstanceOf(ApiError);
    await act('moveMotor', { motor: 'gonio_phi', position: 20 });
    await expect(act('moveMotor', { motor: 'gonio_phi', position: 30 })).rejects.toMatchObject({ code: 'OperationFailure' });
    await act('waitMotor', { motor: 'gonio_phi', timeoutS: 5 });
  });

  it('stops on a hardware limit with the limit status', async () => {
    await act('setMotorPosition', { motor: 'sample_y', position: 49 });
    await bench.nextEvent('motorMoveCompleted', (d) => d.motor === 'sample_y' && d.position === 49);
    await act('moveMotor', { motor: 'sample_y', position: 52 });
    expect(await act('waitMotor', { motor: 'sample_y', timeoutS: 10 })).toMatchObject({ position: 50, status: 'cw_hw_limit' });
    expect(bench.samples.get('sample_y.status')!.at(-1)).toBe(3);
    expect(bench.marks.at(-1)).toMatchObject({ label: 'sample_y cw_hw_limit at 50', severity: 'error', signal: 'sample_y' });
  });

  it('ends a move the DHS answers with locked (as SSRL\'s simulated DHS does for a locked motor), the word shown and marked', async () => {
    const locked = await startDcssBench();
    const e = await startDcsEmulator({ port: locked.port, reconnectMs: 100, tickMs: 20, lockedMotors: ['sample_x'] });
    try {
      await e.whenRegistered();
      await runAction('dcs', locked.session, 'moveMotor', { motor: 'sample_x', position: 3 });
      expect(await runAction('dcs', locked.session, 'waitMotor', { motor: 'sample_x', timeoutS: 3 })).toMatchObject({ status: 'locked', moving: false, position: 0 });
      expect(locked.marks.at(-1)).toMatchObject({ label: 'sample_x locked at 0', severity: 'error', signal: 'sample_x' });
      const states = locked.states.get('sample_x.status')!;
      expect(states[locked.samples.get('sample_x.status')!.at(-1)!]).toBe('locked');
      // The motor moves again once the DHS lets it.
      expect((await runAction('dcs', locked.session, 'devices', undefined) as Any).motors.find((m: Any) => m.name === 'sample_x').moving).toBe(false);
    } finally {
      await e.close();
      await locked.close();
    }
  });

  it('aborts a move (abortMotor and abortAll) with status aborted', async () => {
    await act('moveMotor', { motor: 'sample_y', position: 0 });
    await bench.nextEvent('motorMoveStarted', (d) => d.motor === 'sample_y');
    await act('abortMotor', { motor: 'sample_y' });
    expect(await act('waitMotor', { motor: 'sample_y', timeoutS: 5 })).toMatchObject({ status: 'aborted' });
    await act('moveMotor', { motor: 'sample_y', position: 0 });
    await bench.nextEvent('motorMoveStarted', (d) => d.motor === 'sample_y');
    expect(await act('abortAll', { hard: true })).toEqual({ hard: true, hardwareServers: 1 });
    expect(await act('waitMotor', { motor: 'sample_y', timeoutS: 5 })).toMatchObject({ status: 'aborted' });
  });

  it('sets and corrects a motor position', async () => {
    const set = bench.nextEvent('motorMoveCompleted', (d) => d.motor === 'energy');
    await act('setMotorPosition', { motor: 'energy', position: 9000 });
    expect(await set).toMatchObject({ position: 9000, status: 'normal' });
    const corrected = bench.nextEvent('motorMoveCompleted', (d) => d.motor === 'energy');
    const forwarded = bench.nextEvent('forwarded', (d) => d.type === 'htos_motor_correct_started');
    await act('correctMotor', { motor: 'energy', correction: 12.5 });
    expect(await corrected).toMatchObject({ position: 9012.5 });
    expect(await forwarded).toMatchObject({ args: ['energy'] });
  });

  it('starts an operation with a 1.N handle, streams its updates and returns its result', async () => {
    const first = await act('startOperation', { operation: 'sim_scan', args: [4] });
    expect(first.handle).toMatch(/^1\.\d+$/);
    const result = await act('waitOperation', { handle: first.handle, timeoutS: 5 });
    expect(result).toMatchObject({ operation: 'sim_scan', status: 'normal', ok: true, result: ['4', 'peak', '2'] });
    expect(result.updates.map((u: Any) => u.args.slice(0, 2))).toEqual([['1', '4'], ['2', '4'], ['3', '4'], ['4', '4']]);
    const second = await act('startOperation', { operation: 'sim_scan', args: ['many'] });
    expect(Number(second.handle.split('.')[1])).toBe(Number(first.handle.split('.')[1]) + 1);
    expect(await act('waitOperation', { handle: second.handle })).toMatchObject({ ok: false, status: 'invalid_number_of_points' });
    await expect(act('waitOperation', { handle: '1.999' })).rejects.toMatchObject({ code: 'InvalidRequest' });
  });

  it('opens and closes the shutter, and reads ion chambers whose counts follow it', async () => {
    expect(await act('setShutter', { shutter: 'shutter', open: false })).toMatchObject({ state: 'closed' });
    const dark = await act('readIonChambers', { time: 0.05, chambers: ['i0', 'i1'] });
    expect(await act('setShutter', { shutter: 'shutter', open: true })).toMatchObject({ state: 'open', result: 'normal' });
    const lit = await act('readIonChambers', { time: 0.05, chambers: ['i0', 'i1'] });
    expect(lit.ok).toBe(true);
    expect(lit.counts.i0).toBeGreaterThan(dark.counts.i0 * 10);
    expect(bench.samples.get('i0')!.length).toBe(2);
    const tree = await act('devices');
    expect(tree.shutters[0]).toMatchObject({ name: 'shutter', state: 'open' });
    expect(tree.ionChambers.find((c: Any) => c.name === 'i1').counts).toBe(lit.counts.i1);
  });

  it('reads ion chambers repeatedly with the repeat flag: every report is plotted, abortAll stops it', async () => {
    const before = bench.samples.get('i0')!.length;
    const first = await act('readIonChambers', { time: 0.03, chambers: ['i0'], repeat: true });
    expect(first.ok).toBe(true);
    await vi.waitFor(() => expect(bench.samples.get('i0')!.length).toBeGreaterThanOrEqual(before + 5), { timeout: 5000 });
    expect(bench.console.some((l) => l.dir === 'tx' && /stoh_read_ion_chambers 0\.03 1 i0/.test(l.text))).toBe(true);
    await act('abortAll', { hard: false });
    await new Promise((r) => setTimeout(r, 100));
    const stopped = bench.samples.get('i0')!.length;
    await new Promise((r) => setTimeout(r, 200));
    expect(bench.samples.get('i0')!.length).toBe(stopped);
  });

  it('gets and sets an encoder, and sets a string', async () => {
    await act('moveMotor', { motor: 'sample_x', position: 1.25 });
    await act('waitMotor', { motor: 'sample_x' });
    expect(await act('getEncoder', { encoder: 'sample_x_encoder' })).toEqual({ encoder: 'sample_x_encoder', position: 1.25, status: 'normal' });
    expect(await act('setEncoder', { encoder: 'sample_x_encoder', position: 3 })).toMatchObject({ position: 3, status: 'normal' });
    expect(await act('setString', { string: 'sim_status', value: 'beam  on' })).toEqual({ string: 'sim_status', status: 'normal', value: 'beam  on' });
  });

  it('refuses bad arguments with the action and field named', async () => {
    await expect(act('moveMotor', { motor: 'sample_x', position: 'far' })).rejects.toMatchObject({ code: 'InvalidRequest', message: expect.stringMatching(/moveMotor: position/) });
    await expect(act('readIonChambers', { time: 1, chambers: [] })).rejects.toMatchObject({ code: 'InvalidRequest' });
    await expect(act('fly', {})).rejects.toMatchObject({ message: expect.stringMatching(/no action "fly"/) });
  });
});

describe('DCS with a protocol 1 hardware server', () => {
  it('runs a move and an operation entirely in 200-byte frames', async () => {
    const bench = await startDcssBench({ hardwareServers: [{ name: 'simdhs', address: '127.0.0.1', protocol: 1, realMotors: [{ name: 'm1', speed: 50000, scaleFactor: 1000 }], operations: [{ name: 'sim_scan' }] }] });
    const dhs = await startDcsEmulator({ port: bench.port, tickMs: 20 });
    try {
      await dhs.whenRegistered();
      await runAction('dcs', bench.session, 'moveMotor', { motor: 'm1', position: -2 });
      expect(await runAction('dcs', bench.session, 'waitMotor', { motor: 'm1', timeoutS: 5 })).toMatchObject({ position: -2, status: 'normal' });
      const { handle } = (await runAction('dcs', bench.session, 'startOperation', { operation: 'sim_scan', args: [2] })) as { handle: string };
      expect(await runAction('dcs', bench.session, 'waitOperation', { handle })).toMatchObject({ ok: true });
      expect(bench.session.counters.frameErrors).toBe(0);
    } finally {
      await dhs.close();
      await bench.close();
    }
  });
});

describe('DCS against bad input from a registered DHS', () => {
  let bench: DcssBench;
  let dhs: RawDhs;
  beforeAll(async () => {
    bench = await startDcssBench();
    dhs = await connectRawDhs(bench.port);
    await dhs.waitFor((t) => t === 'stoc_send_client_type');
    const connected = bench.nextEvent('dhsConnected');
    dhs.send(encodeV1('htos_client_is_hardware simdhs'));
    await connected;
  });
  afterEach(() => {
    bench.console.length = 0;
  });
  afterAll(async () => {
    await dhs.end();
    await bench.close();
  });

  const settle = () => new Promise((r) => setTimeout(r, 60));

  it('carries on after a garbage header, an oversized text, a non-numeric position and an unknown command', async () => {
    const before = bench.session.counters.frameErrors;
    dhs.send(new TextEncoder().encode('@@@@ this is no header at all @@@@\0'));
    dhs.send(encodeV2(`htos_note ${'z'.repeat(70_000)}`));
    dhs.send(encodeV2('htos_update_motor_position sample_x abc moving'));
    dhs.send(encodeV2('htos_fly_me_to_the_moon 1 2 3'));
    dhs.send(encodeV2('htos_update_motor_position sample_x 7.5 normal'));
    await settle();
    const c = bench.session.counters;
    expect(c.frameErrors - before).toBe(3);
    const tree = (await runAction('dcs', bench.session, 'devices', undefined)) as Any;
    expect(tree.motors.find((m: Any) => m.name === 'sample_x')).toMatchObject({ position: 7.5, status: 'normal' });
    const log = bench.console.map((l) => l.text).join('\n');
    expect(log).toMatch(/bad v2 header "@@@@/);
    expect(log).toMatch(/over the limit of 65536/);
    expect(log).toMatch(/htos_update_motor_position sample_x abc moving.*position a number/);
    expect(log).toMatch(/unrecognised command "htos_fly_me_to_the_moon", ignored/);
    expect(bench.session.ready).toBe(true);
  });

  it('reads updates sent one byte at a time and many in one write', async () => {
    const one = encodeV2('htos_update_motor_position sample_y -3.25 moving');
    for (const b of one) dhs.send(new Uint8Array([b]));
    await settle();
    const many: Uint8Array[] = [];
    for (let i = 1; i <= 50; i++) many.push(encodeV2(`htos_update_motor_position sample_y ${i / 10} moving`));
    const joined = new Uint8Array(many.reduce((n, m) => n + m.length, 0));
    let o = 0;
    for (const m of many) {
      joined.set(m, o);
      o += m.length;
    }
    const before = bench.samples.get('sample_y')!.length;
    dhs.send(joined);
    await settle();
    const got = bench.samples.get('sample_y')!;
    expect(got.slice(before - 1, before)).toEqual([-3.25]);
    expect(got.length - before).toBe(50);
    expect(got.at(-1)).toBe(5);
  });

  it('reports a device of no one, a report of another server and a v1 frame from a v2 server', async () => {
    dhs.send(encodeV2('htos_motor_move_completed ghost 1 normal'));
    dhs.send(encodeV1('htos_note sent as v1'));
    dhs.send(encodeV2('htos_note still here'));
    const note = bench.nextEvent('note', (d) => d.text === 'still here');
    await note;
    const log = bench.console.map((l) => l.text).join('\n');
    expect(log).toMatch(/motor "ghost", which this configuration does not define/);
    expect(log).toMatch(/bad v2 header "htos_note sent as v1/);
  });

  it('ends a move on any status word (too_fast, sw_limit, a word of its own), shows and marks it, and moves again', async () => {
    for (const word of ['too_fast', 'sw_limit', 'jammed_by_gremlins', 'too_fast']) {
      await runAction('dcs', bench.session, 'moveMotor', { motor: 'sample_y', position: 5 });
      await dhs.waitFor((t) => t === 'stoh_start_motor_move sample_y 5');
      dhs.received.length = 0;
      const done = runAction('dcs', bench.session, 'waitMotor', { motor: 'sample_y', timeoutS: 3 });
      dhs.send(encodeV2(`htos_motor_move_completed sample_y 1.5 ${word}`));
      expect(await done).toMatchObject({ motor: 'sample_y', position: 1.5, status: word, moving: false });
      expect(bench.marks.at(-1)).toMatchObject({ label: `sample_y ${word} at 1.5`, severity: 'error' });
      const states = bench.states.get('sample_y.status')!;
      expect(states[bench.samples.get('sample_y.status')!.at(-1)!]).toBe(word);
    }
    // Known words keep their indices; each other word is named once.
    expect(bench.states.get('sample_y.status')).toEqual(['normal', 'aborted', 'moving', 'cw_hw_limit', 'ccw_hw_limit', 'both_hw_limits', 'unknown', 'too_fast', 'sw_limit', 'jammed_by_gremlins']);
    const tree = (await runAction('dcs', bench.session, 'devices', undefined)) as Any;
    expect(tree.motors.find((m: Any) => m.name === 'sample_y')).toMatchObject({ status: 'too_fast', moving: false });
    expect(bench.session.lastError ?? '').not.toMatch(/too_fast/);
  });

  it('applies htos_configure_device to the motor configuration', async () => {
    const configured = bench.nextEvent('motorConfigured');
    dhs.send(encodeV2('htos_configure_device sample_x 2 30 -30 500 1000 50 0 1 1 0 0 0'));
    expect(await configured).toMatchObject({ motor: 'sample_x', position: 2, config: { upperLimit: 30, lowerLimit: -30, scaleFactor: 500 } });
    await expect(runAction('dcs', bench.session, 'moveMotor', { motor: 'sample_x', position: 35 })).rejects.toMatchObject({ message: expect.stringMatching(/upper limit 30/) });
  });
});
