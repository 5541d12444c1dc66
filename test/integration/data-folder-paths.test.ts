// Every request parameter that names a file or folder stays inside the user
// data folder: absolute paths elsewhere, ../ escapes and links pointing out are
// refused with the reason; relative paths land inside it.
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, symlink } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHost, type RunningHost } from '../../app/host/server';

describe('file parameters confined to the user data folder', () => {
  let host: RunningHost;
  let dir: string;
  let outside: string;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'benchscope-confine-'));
    outside = await mkdtemp(path.join(os.tmpdir(), 'benchscope-outside-'));
    host = await startHost({ port: 0, userDataDir: dir, demoOnFirstStart: false });
    const { sessionId } = await host.hub.call('createSession', { protocol: 'lines', name: 'PSU', linkType: 'tcp', linkConfig: { host: '127.0.0.1', port: 9 }, autoConnect: false });
    const volts = host.hub.store.declare(sessionId, 'volts');
    await host.hub.call('startRecording', { name: 'run' });
    for (let i = 0; i < 20; i++) host.hub.store.append(volts, 1000 + i / 10, i);
    await new Promise((r) => setTimeout(r, 300));
    await host.hub.call('stopRecording', {});
  });

  afterAll(async () => {
    await host?.close();
    await rm(dir, { recursive: true, force: true });
    await rm(outside, { recursive: true, force: true });
  });

  const refused = async (method: string, params: object) => {
    const e = await host.hub.call(method as never, params).then(() => null, (err: Error & { code?: string }) => err);
    expect(e, `${method} ${JSON.stringify(params)} was accepted`).not.toBeNull();
    expect(e!.code).toBe('InvalidRequest');
    return e!.message;
  };

  it('refuses paths outside, with the reason', async () => {
    const target = path.join(outside, 'stolen.csv');
    expect(await refused('exportRecordingCsv', { name: 'run', path: target })).toMatch(/CSV path ".*stolen\.csv" is outside the user data folder/);
    expect(await refused('exportRecordingCsv', { name: 'run', path: '../../stolen.csv' })).toMatch(/outside the user data folder/);
    expect(await refused('startRecording', { folder: outside })).toMatch(/Folder ".*" is outside the user data folder/);
    expect(await refused('deleteRecording', { name: 'run', folder: '/' })).toMatch(/outside the user data folder/);
    expect(await refused('listRecordings', { folder: '/etc' })).toMatch(/outside the user data folder/);
    expect(await refused('renameRecording', { name: 'run', newName: 'x', folder: outside })).toMatch(/outside the user data folder/);
    expect(await refused('openReplay', { name: 'run', folder: outside })).toMatch(/outside the user data folder/);
    expect(await refused('exportAcquisitionMcap', { id: 'nope', folder: outside })).toMatch(/outside the user data folder/);
    expect(await refused('exportAcquisitionCsv', { id: 'nope', path: target })).toMatch(/outside the user data folder/);
    expect(existsSync(target)).toBe(false);
    // Nothing was started, renamed or removed on the way.
    expect((await host.hub.call('listRecordings', {})).map((r) => r.name)).toEqual(['run']);
  });

  it('refuses a link inside the folder that points out of it', async () => {
    await symlink(outside, path.join(dir, 'escape'));
    expect(await refused('exportRecordingCsv', { name: 'run', path: 'escape/stolen.csv' })).toMatch(/leads outside the user data folder/);
    expect(await refused('startRecording', { folder: path.join(dir, 'escape', 'deeper') })).toMatch(/leads outside/);
    expect(existsSync(path.join(outside, 'stolen.csv'))).toBe(false);
  });

  it('writes a relative path inside the folder', async () => {
    await mkdir(path.join(dir, 'exports'), { recursive: true });
    const r = await host.hub.call('exportRecordingCsv', { name: 'run', path: 'exports/run.csv' });
    expect(r.path).toBe(path.join(dir, 'exports', 'run.csv'));
    expect((await readFile(r.path, 'utf8')).split('\n')[0]).toBe('time,PSU/volts');
    const abs = await host.hub.call('exportRecordingCsv', { name: 'run', path: path.join(dir, 'exports', 'again.csv') });
    expect(abs.rows).toBe(20);
  });
});
