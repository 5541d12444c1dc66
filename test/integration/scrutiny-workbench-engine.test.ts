// The engine side of the Scrutiny workbench through a real host with a user data
// folder, the SDK over a WebSocket and the emulated device on UDP loopback: installed
// firmware descriptions chosen by firmware id, the watch table's values (aliases of
// RPVs, pointers followed), and acquisitions kept in the acquisitions store across a
// restart.
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startHost, type RunningHost } from '../../app/host/server';
import { BenchscopeClient, type WebSocketCtor } from '../../shared/client';
import { startScrutinyEmulator, type ScrutinyEmulator } from '../../main/protocols/scrutiny/emulator';
import { EMU_BASE, EMU_FIRMWARE_ID, EMU_FORBIDDEN } from '../../main/protocols/scrutiny/emulator-memory';
import { emulatorSfdSource } from '../../main/protocols/scrutiny/emulator-sfd';
import { buildSfd } from '../../main/protocols/scrutiny/sfd';
import { readRecording } from '../../main/files/recording-files';

const WS = WebSocket as unknown as WebSocketCtor;

async function until<T>(what: string, get: () => Promise<T>, ok: (v: T) => boolean, ms = 8000): Promise<T> {
  const end = Date.now() + ms;
  let last: T = await get();
  while (!ok(last)) {
    if (Date.now() > end) throw new Error(`${what}: still ${JSON.stringify(last)?.slice(0, 300)}`);
    await new Promise((r) => setTimeout(r, 40));
    last = await get();
  }
  return last;
}

interface WatchValues { refreshRateHz: number; values: { path: string; address?: number; value: number | null }[] }

describe('scrutiny workbench engine side', () => {
  let dir: string;
  let emu: ScrutinyEmulator;
  let host: RunningHost;
  const client = new BenchscopeClient();
  let sessionId: string;

  const open = async () => {
    host = await startHost({ port: 0, userDataDir: dir, demoOnFirstStart: false, statusMs: 100 });
    await client.connect('127.0.0.1', host.port, { token: host.token, WebSocket: WS });
  };

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'benchscope-scrutiny-'));
    emu = await startScrutinyEmulator({ transport: 'udp' });
    await open();
    sessionId = await client.createSession({ protocol: 'scrutiny', name: 'board', linkType: 'udp', linkConfig: { host: '127.0.0.1', port: emu.port! }, options: { pollHz: 50 } });
    await client.waitDeviceReady(sessionId, 5);
  });

  afterAll(async () => {
    client.disconnect();
    await host?.close();
    await emu?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('installs a description under its firmware id, refuses a broken one, lists and uninstalls', async () => {
    const src = emulatorSfdSource();
    const marked = buildSfd({ ...src, metadata: { ...src.metadata, project_name: 'installed copy' } });
    const r = await client.sessionAction<{ firmwareId: string; loaded: boolean; fileName: string }>(sessionId, 'installSfd', { base64: Buffer.from(marked).toString('base64'), fileName: 'board.sfd' });
    expect(r).toMatchObject({ firmwareId: EMU_FIRMWARE_ID, loaded: true, fileName: `${EMU_FIRMWARE_ID}.sfd` });
    expect(await readdir(path.join(dir, 'scrutiny-sfd'))).toEqual([`${EMU_FIRMWARE_ID}.sfd`]);
    const other = buildSfd({ ...src, firmwareId: '0123456789abcdef0123456789abcdef' });
    await client.sessionAction(sessionId, 'installSfd', { base64: Buffer.from(other).toString('base64'), fileName: 'other.sfd' });
    await expect(client.sessionAction(sessionId, 'installSfd', { base64: Buffer.from('not a zip').toString('base64'), fileName: 'broken.sfd' }))
      .rejects.toThrow(/broken\.sfd/);
    const list = await client.sessionAction<{ installed: { firmwareId: string }[]; current: string }>(sessionId, 'listInstalledSfd', {});
    expect(list.installed.map((x) => x.firmwareId).sort()).toEqual(['0123456789abcdef0123456789abcdef', EMU_FIRMWARE_ID].sort());
    await client.sessionAction(sessionId, 'uninstallSfd', { firmwareId: '0123456789abcdef0123456789abcdef' });
    await expect(client.sessionAction(sessionId, 'uninstallSfd', { firmwareId: '0123456789abcdef0123456789abcdef' })).rejects.toThrow(/no firmware description installed/);
    await expect(client.sessionAction(sessionId, 'uninstallSfd', { firmwareId: '../x' })).rejects.toThrow(/not a firmware id that can name a file/);
  });

  it('shows live values of variables, enums, bit ranges, aliases and an alias of an RPV in the watch table', async () => {
    await client.sessionAction(sessionId, 'watchPaths', { paths: ['/global/demo/counter', '/global/demo/motor/mode', '/global/demo/flags/phase', '/alias/sine_percent', '/alias/rpv/setpoint_f32'] });
    await client.sessionAction(sessionId, 'writeRpv', { id: 0x1006, value: 3 });
    const w = await until('watch values', () => client.sessionAction<WatchValues>(sessionId, 'watchValues', {}),
      (r) => r.values.length === 5 && r.values.every((v) => v.value !== null) && r.values.find((v) => v.path === '/alias/rpv/setpoint_f32')!.value === 6 && r.refreshRateHz > 0);
    const value = (p: string) => w.values.find((v) => v.path === p)!.value!;
    expect(Math.abs(value('/alias/sine_percent'))).toBeLessThanOrEqual(100);
    expect(value('/global/demo/flags/phase')).toBeGreaterThanOrEqual(0);
    expect(value('/global/demo/flags/phase')).toBeLessThan(256);
    // The alias of an RPV is a signal of its own, sampled with its gain (x2).
    const signals = await client.listSignals(sessionId);
    expect(signals.find((s) => s.name === '/alias/rpv/setpoint_f32')?.total ?? 0).toBeGreaterThan(0);
    // Writing through the alias converts (x / 2); beyond the alias's max it is refused, or held at the max (10 -> 5 raw) when asked.
    await expect(client.sessionAction(sessionId, 'writePath', { path: '/alias/rpv/setpoint_f32', value: '25' })).rejects.toThrow(/25 is out of range for \/alias\/rpv\/setpoint_f32 \(-10 to 10\)/);
    await client.sessionAction(sessionId, 'writePath', { path: '/alias/rpv/setpoint_f32', value: '25', saturate: true });
    expect(emu.device.memory.rpv.get(0x1006)).toBe(5);
    await client.sessionAction(sessionId, 'writePath', { path: '/global/demo/motor/mode', value: Object.keys(emuEnum())[1]! });
    await until('enum written', () => client.sessionAction<WatchValues>(sessionId, 'watchValues', {}), (r) => r.values.find((v) => v.path === '/global/demo/motor/mode')!.value === Object.values(emuEnum())[1]);
  });

  it('follows a pointer that changes while its pointed-to variable is watched', async () => {
    await client.sessionAction(sessionId, 'watchPaths', { paths: ['/global/demo/*p_motor/speed'] });
    const at = async () => (await client.sessionAction<WatchValues>(sessionId, 'watchValues', {})).values.find((v) => v.path === '/global/demo/*p_motor/speed')!;
    expect((await until('pointed-to speed', at, (v) => v.value !== null)).address).toBe(EMU_BASE + 0x0c);
    // Point it at motor.current (4 bytes further): the next cycles read there.
    await client.sessionAction(sessionId, 'writePath', { path: '/global/demo/p_motor', value: EMU_BASE + 0x10 });
    await until('pointer followed', at, (v) => v.address === EMU_BASE + 0x10);
    await client.sessionAction(sessionId, 'writePath', { path: '/global/demo/p_motor', value: EMU_BASE + 0x0c });
    await until('pointer followed back', at, (v) => v.address === EMU_BASE + 0x0c);
    // A pointer into a forbidden region does not move the variable there: the session says why.
    await client.sessionAction(sessionId, 'writePath', { path: '/global/demo/p_motor', value: EMU_FORBIDDEN.start });
    const status = await until('forbidden pointer reported', async () => (await client.requestServerStatusUpdate({ wait: true }))!.sessions.find((s) => s.sessionId === sessionId)!,
      (s) => /forbidden region/.test(s.lastProtocolError ?? ''));
    expect(status.lastProtocolError).toMatch(/p_motor points \/global\/demo\/\*p_motor\/speed into the forbidden region/);
    expect((await at()).address).toBe(EMU_BASE + 0x0c);
    await client.sessionAction(sessionId, 'writePath', { path: '/global/demo/p_motor', value: EMU_BASE + 0x0c });
    await until('error cleared', async () => (await client.requestServerStatusUpdate({ wait: true }))!.sessions.find((s) => s.sessionId === sessionId)!.lastProtocolError, (e) => e === null);
  });

  it('stores each acquisition in the acquisitions store as one entry of all its signals: listed, renamed, exported, deleted, kept across a restart', async () => {
    await client.sessionAction(sessionId, 'dlConfigure', {
      loopId: 0, decimation: 2, probeLocation: 128, condition: 'alwaysTrue',
      signals: [{ kind: 'rpv', id: 0x1001, name: 'counter' }, { kind: 'rpv', id: 0x1000, name: 'sine' }, { kind: 'time' }],
    });
    const before = (await client.request('listAcquisitions', {})).length;
    await client.sessionAction(sessionId, 'dlArm', {});
    await client.sessionAction(sessionId, 'dlWait', { timeoutS: 8 }, 10);
    const acq = await client.sessionAction<{ nPoints: number; signals: { name: string; values: number[] }[]; stored: { id: string; signals: string[] } }>(sessionId, 'dlRead', {});
    // One arm: one entry, one file, one row, holding both signals.
    expect(acq.stored.signals).toEqual(['counter', 'sine']);
    const list = await client.request('listAcquisitions', {});
    expect(list).toHaveLength(before + 1);
    const mine = list.find((a) => a.id === acq.stored.id)!;
    expect(mine.samples).toBe(acq.nPoints);
    expect(mine.saved).toBe(true);
    expect(mine.signal.name).toBe('counter');
    expect(mine.channels).toEqual([{ name: 'sine', unit: null }]);
    expect((await readdir(path.join(dir, 'acquisitions'))).filter((n) => n.startsWith(acq.stored.id))).toEqual([`${acq.stored.id}.mcap`]);
    await client.request('saveAcquisition', { id: acq.stored.id, name: 'run 1' });
    const csv = await client.request('exportAcquisitionCsv', { id: acq.stored.id });
    expect(csv.rows).toBe(acq.nPoints);
    expect(csv.columns.map((c) => c.split('/').pop())).toEqual(['counter', 'sine']);
    expect(csv.csv.split('\n')[0]).toMatch(/counter.*sine/);
    expect(csv.csv.trimEnd().split('\n').slice(1).every((l) => l.split(',').length === 3 && !l.includes(',,') && !l.endsWith(','))).toBe(true);

    // A restart: the installed description and the stored acquisition are still there, both signals whole.
    client.disconnect();
    await host.close();
    await open();
    const again = (await client.request('listAcquisitions', {})).filter((a) => a.id === acq.stored.id);
    expect(again.map((a) => a.name)).toEqual(['run 1']);
    const full = await client.request('getAcquisition', { id: acq.stored.id });
    expect(full.values).toEqual(acq.signals.find((s) => s.name === 'counter')!.values);
    expect(full.channelValues).toEqual([acq.signals.find((s) => s.name === 'sine')!.values]);
    // Counter values only go up through the acquisition.
    expect(full.values.every((v, i) => i === 0 || v >= full.values[i - 1]!)).toBe(true);
    // Exported as an MCAP recording: both signals in it.
    const rec = await client.request('exportAcquisitionMcap', { id: acq.stored.id });
    expect(rec.name).toBe('run 1');
    expect((await readRecording(rec.path)).signals.map((sg) => [sg.signal, sg.count])).toEqual([['counter', acq.nPoints], ['sine', acq.nPoints]]);
    await client.request('deleteAcquisition', { id: acq.stored.id });
    expect((await client.request('listAcquisitions', {})).some((a) => a.id === acq.stored.id)).toBe(false);
    // The session comes back with the workspace and connects again (the device serves one host at a time).
    const restored = (await client.requestServerStatusUpdate({ wait: true }))!.sessions.find((s) => s.name === 'board');
    expect(restored).toBeDefined();
    const s2 = restored!.sessionId;
    await client.waitDeviceReady(s2, 8);
    const sfd = await until('installed sfd chosen', () => client.sessionAction<{ fileName: string; metadata: Record<string, unknown> } | null>(s2, 'sfdInfo', {}), (x) => x !== null);
    expect(sfd!.fileName).toBe(path.join(dir, 'scrutiny-sfd', `${EMU_FIRMWARE_ID}.sfd`));
    expect(sfd!.metadata.project_name).toBe('installed copy');
  });
});

function emuEnum(): Record<string, number> {
  const src = emulatorSfdSource() as unknown as { varmap: { enums?: Record<string, { values: Record<string, number> }> } };
  const e = Object.values(src.varmap.enums ?? {})[0];
  return e?.values ?? { Idle: 0, Run: 1 };
}
