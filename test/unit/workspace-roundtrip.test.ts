// What the API accepts, the workspace stores and loads: one set of limits on both
// sides (a 257th session or a 33rd replay is refused up front, not saved and then
// called corrupt at the next start); a long link name makes a default session name
// that still loads; a file with a UTF-8 BOM loads; a workspace.json that is a folder
// is reported and leaves no temp files behind. And the property: any state reached
// through the API (sessions created, renamed, reconfigured, removed; plots; replays
// opened, moved, closed) is what the next start loads.
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Hub} from '../../main/hub/hub';
import { WORKSPACE_FILE } from '../../main/hub/workspace';
import { writeSamplesFile } from '../../main/files/recording-files';
import { MAX_NAME_CHARS, MAX_REPLAYS, MAX_SESSIONS } from '../../shared/api/limits';
import { PROTOCOLS } from '../../shared/api/contract';
import { ApiError } from '../../shared/api/errors';

const NONE = { linkType: 'none', linkConfig: {} };

async function started(dir: string): Promise<Hub> {
  const hub = new Hub({ userDataDir: dir, demoOnFirstStart: false, statusMs: 60_000 });
  await hub.start();
  return hub;
}

/** What a client sees of the state the workspace keeps (ids of replays are per run, not kept). */
async function snapshot(hub: Hub) {
  const status = await hub.call('getServerStatus');
  return {
    demoMode: status.demoMode,
    sessions: await hub.call('listSessions'),
    plots: await hub.call('getPlots'),
    replays: (await hub.call('listReplays')).map((r) => ({ recording: r.recording, path: r.path, position: r.position, speed: r.speed })),
  };
}

/** Stops the hub (it saves), starts another on the same folder: the state it loads, and its notices. */
async function restarted(dir: string, hub: Hub): Promise<{ hub: Hub; notices: string[] }> {
  await hub.stop();
  const next = await started(dir);
  return { hub: next, notices: (await next.call('getServerStatus')).notices };
}

describe('workspace: what the API accepts is what the next start loads', () => {
  let dir: string;
  beforeAll(async () => { dir = await mkdtemp(path.join(os.tmpdir(), 'benchscope-ws-')); });
  afterAll(async () => { await rm(dir, { recursive: true, force: true }); });

  async function fresh(name: string): Promise<string> {
    const d = path.join(dir, name);
    await mkdir(d, { recursive: true });
    return d;
  }

  it(`takes ${MAX_SESSIONS} sessions, refuses the next one with the reason, and loads all ${MAX_SESSIONS} back`, async () => {
    const d = await fresh('many');
    let hub = await started(d);
    for (let i = 0; i < MAX_SESSIONS; i++) await hub.call('createSession', { protocol: 'lines', name: `bench ${i}`, autoConnect: false, ...NONE });
    await expect(hub.call('createSession', { protocol: 'lines', autoConnect: false, ...NONE }))
      .rejects.toThrow(new ApiError('OperationFailure', `There are already ${MAX_SESSIONS} sessions, the most a workspace holds (${MAX_SESSIONS}): remove one first`));
    const before = await snapshot(hub);
    const again = await restarted(d, hub);
    hub = again.hub;
    expect(again.notices).toEqual([]);
    expect(await snapshot(hub)).toEqual(before);
    expect(before.sessions).toHaveLength(MAX_SESSIONS);
    await hub.stop();
  });

  it(`refuses a replay past ${MAX_REPLAYS} open, and opens all ${MAX_REPLAYS} again at the next start`, async () => {
    const d = await fresh('replays');
    await writeSamplesFile(path.join(d, 'recordings', 'run.mcap'), [{
      sessionId: 's1', session: 'meter', protocol: 'lines', signal: 'v', unit: null, times: [1e9, 1e9 + 1, 1e9 + 2], values: [1, 2, 3],
    }]);
    let hub = await started(d);
    for (let i = 0; i < MAX_REPLAYS; i++) await hub.call('openReplay', { name: 'run', speed: 1 + i });
    await expect(hub.call('openReplay', { name: 'run' })).rejects.toThrow(/32 recordings are open for replay, the most a workspace holds \(32\): close one first/);
    const before = await snapshot(hub);
    const again = await restarted(d, hub);
    hub = again.hub;
    expect(again.notices).toEqual([]);
    expect(await snapshot(hub)).toEqual(before);
    await hub.stop();
  });

  it('a default session name from a long host name fits the name limit and loads back', async () => {
    const d = await fresh('long-name');
    let hub = await started(d);
    const host = `${'bench-'.repeat(40)}example`;
    for (let i = 0; i < 3; i++) await hub.call('createSession', { protocol: 'katcp', linkType: 'tcp', linkConfig: { host, port: 7147 }, autoConnect: false });
    const before = await snapshot(hub);
    const names = before.sessions.map((s) => s.name);
    expect(new Set(names).size).toBe(3);
    for (const n of names) expect(n.length).toBeLessThanOrEqual(MAX_NAME_CHARS);
    expect(names[1]).toMatch(/… \(2\)$/);
    const again = await restarted(d, hub);
    hub = again.hub;
    expect(again.notices).toEqual([]);
    expect(await snapshot(hub)).toEqual(before);
    await hub.stop();
  });

  it('loads a workspace file that starts with a UTF-8 byte order mark', async () => {
    const d = await fresh('bom');
    let hub = await started(d);
    await hub.call('createSession', { protocol: 'lines', name: 'meter', autoConnect: false, ...NONE });
    const before = await snapshot(hub);
    await hub.stop();
    const file = path.join(d, WORKSPACE_FILE);
    await writeFile(file, `\uFEFF${await readFile(file, 'utf8')}`, 'utf8');
    hub = await started(d);
    expect((await hub.call('getServerStatus')).notices).toEqual([]);
    expect(await snapshot(hub)).toEqual(before);
    await hub.stop();
    expect((await readdir(d)).filter((n) => n.includes('corrupt'))).toEqual([]);
  });

  it('a workspace.json that is a folder is reported, not crashed on, and leaves no temp files', async () => {
    const d = await fresh('folder');
    await mkdir(path.join(d, WORKSPACE_FILE));
    for (let run = 0; run < 3; run++) {
      const hub = await started(d);
      const notices = (await hub.call('getServerStatus')).notices;
      expect(notices[0]).toBe(`The workspace ${path.join(d, WORKSPACE_FILE)} is a folder, not a file: Benchscope started with an empty workspace and cannot save it until that folder is moved away (it is left as it is)`);
      await hub.call('createSession', { protocol: 'lines', name: `meter ${run}`, autoConnect: false, ...NONE });
      await hub.stop();
      const saved = (await hub.call('getServerStatus')).notices;
      expect(saved.some((n) => n.startsWith(`Cannot save the workspace to ${path.join(d, WORKSPACE_FILE)}`))).toBe(true);
    }
    expect((await readdir(d)).sort()).toEqual([WORKSPACE_FILE]);
  });

  it('any state reached through the API saves and loads back equal', async () => {
    const d = await fresh('property');
    await writeSamplesFile(path.join(d, 'recordings', 'run.mcap'), [{
      sessionId: 's1', session: 'meter', protocol: 'lines', signal: 'v', unit: 'V',
      times: Array.from({ length: 50 }, (_, i) => 1.7e9 + i * 0.1), values: Array.from({ length: 50 }, (_, i) => i),
    }]);
    // Mostly what a form would send, sometimes what it would refuse.
    const text = fc.oneof(
      { weight: 6, arbitrary: fc.string({ minLength: 1, maxLength: 90 }).filter((t) => t.trim().length > 0) },
      { weight: 2, arbitrary: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 60 }).filter((t) => t.trim().length > 0) },
      { weight: 1, arbitrary: fc.string({ maxLength: 300 }) },
      { weight: 1, arbitrary: fc.constantFrom('', ' ', ' padded ', 'x'.repeat(MAX_NAME_CHARS), 'x'.repeat(MAX_NAME_CHARS + 1)) },
    );
    const link = fc.oneof(
      fc.constant(NONE),
      fc.record({ linkType: fc.constantFrom('tcp', 'udp'), linkConfig: fc.record({ host: text, port: fc.oneof({ weight: 5, arbitrary: fc.integer({ min: 1, max: 65535 }) }, fc.integer({ min: -1, max: 70000 })) }) }),
      fc.record({ linkType: fc.constant('tcp-server'), linkConfig: fc.record({ host: text, port: fc.integer({ min: 0, max: 65535 }) }, { requiredKeys: ['port'] }) }),
      fc.record({ linkType: fc.constant('serial'), linkConfig: fc.record({ portname: text, baudrate: fc.constantFrom(9600, 115200, 0), parity: fc.constantFrom('none', 'even', 'bad') }, { requiredKeys: ['portname', 'baudrate'] }) }),
      fc.record({ linkType: fc.constant('rtt'), linkConfig: fc.record({ target_device: text, jlink_interface: fc.constantFrom('swd', 'jtag') }) }),
    );
    const linesOptions = fc.record({
      format: fc.constantFrom('auto', 'csv', 'kv', 'json'), timestampColumn: fc.option(text), maxLineLength: fc.integer({ min: 16, max: 1 << 20 }),
    }, { requiredKeys: [] });
    const plot = fc.record({
      id: fc.string({ minLength: 1, maxLength: 64 }), title: text,
      signals: fc.array(fc.record({ session: text, signal: text }), { maxLength: 4 }),
      windowSeconds: fc.double({ min: 0.1, max: 86400, noNaN: true }),
    });
    type Cmd = (hub: Hub, ids: string[], replays: string[]) => Promise<unknown>;
    const pick = (xs: string[], k: number) => xs[k % Math.max(1, xs.length)] ?? 'missing';
    const cmd: fc.Arbitrary<Cmd> = fc.oneof(
      { weight: 3, arbitrary: fc.record({ protocol: fc.constantFrom(...PROTOCOLS), name: fc.option(text, { nil: undefined }), link }).map((a) => (hub: Hub) =>
        hub.call('createSession', { protocol: a.protocol, ...(a.name === undefined ? {} : { name: a.name }), ...a.link, autoConnect: false })) },
      fc.tuple(fc.nat(), text).map(([k, n]) => (hub: Hub, ids: string[]) => hub.call('renameSession', { sessionId: pick(ids, k), name: n })),
      fc.tuple(fc.nat(), linesOptions).map(([k, o]) => (hub: Hub, ids: string[]) => hub.call('setSessionOptions', { sessionId: pick(ids, k), options: o })),
      fc.nat().map((k) => (hub: Hub, ids: string[]) => hub.call('removeSession', { sessionId: pick(ids, k) })),
      fc.array(plot, { maxLength: 34, size: 'small' }).map((plots) => (hub: Hub) => hub.call('setPlots', { plots })),
      fc.double({ min: 0.001, max: 2000, noNaN: true }).map((speed) => (hub: Hub) => hub.call('openReplay', { name: 'run', speed })),
      fc.tuple(fc.nat(), fc.double({ min: 1.7e9 - 1, max: 1.7e9 + 6, noNaN: true }), fc.option(fc.double({ min: 0.01, max: 1000, noNaN: true }), { nil: undefined }))
        .map(([k, seek, speed]) => (hub: Hub, _ids: string[], replays: string[]) => hub.call('controlReplay', { replayId: pick(replays, k), seek, ...(speed === undefined ? {} : { speed }) })),
      fc.nat().map((k) => (hub: Hub, _ids: string[], replays: string[]) => hub.call('closeReplay', { replayId: pick(replays, k) })),
    );
    let run = 0;
    let accepted = 0;
    const seen = { sessions: 0, plots: 0, replays: 0 };
    await fc.assert(fc.asyncProperty(fc.array(cmd, { maxLength: 30, size: 'medium' }), async (cmds) => {
      const rd = path.join(d, `run-${run++}`);
      await mkdir(path.join(rd, 'recordings'), { recursive: true });
      await writeFile(path.join(rd, 'recordings', 'run.mcap'), await readFile(path.join(d, 'recordings', 'run.mcap')));
      let hub = await started(rd);
      try {
        for (const c of cmds) {
          const ids = (await hub.call('listSessions')).map((s) => s.sessionId);
          const replays = (await hub.call('listReplays')).map((r) => r.replayId);
          // A refused request changes nothing; only typed refusals are expected.
          const ok = await c(hub, ids, replays).then(() => true, (e) => { if (!(e instanceof ApiError) || e.code === 'UnexpectedError') throw e; return false; });
          if (ok) accepted++;
        }
        const before = await snapshot(hub);
        if (before.sessions.length) seen.sessions++;
        if (before.plots.length) seen.plots++;
        if (before.replays.length) seen.replays++;
        const again = await restarted(rd, hub);
        hub = again.hub;
        expect(again.notices).toEqual([]);
        expect(await snapshot(hub)).toEqual(before);
      } finally {
        await hub.stop();
        await rm(rd, { recursive: true, force: true });
      }
    }), { numRuns: 50 });
    // Not vacuous: most kinds of request went through, several times.
    expect(accepted).toBeGreaterThan(100);
    for (const [what, runs] of Object.entries(seen)) expect(runs, `runs ending with ${what}`).toBeGreaterThan(5);
  }, 120_000);
});
