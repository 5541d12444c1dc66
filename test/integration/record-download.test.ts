// A recording downloaded as CSV from the headless host, as a browser does it:
// GET /recordings/<name>.csv with the token, streamed; refused without the token,
// for an unknown name, and for a name that tries to leave the recordings folder.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHost, type RunningHost } from '../../app/host/server';

describe('recording CSV download', () => {
  let host: RunningHost;
  let dir: string;
  const get = (p: string) => fetch(`http://127.0.0.1:${host.port}${p}`);

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'benchscope-download-'));
    host = await startHost({ port: 0, userDataDir: dir, demoOnFirstStart: false });
    const { sessionId } = await host.hub.call('createSession', { protocol: 'lines', name: 'PSU', linkType: 'tcp', linkConfig: { host: '127.0.0.1', port: 9 }, autoConnect: false });
    const volts = host.hub.store.declare(sessionId, 'volts');
    await host.hub.call('startRecording', { name: 'bench run' });
    for (let i = 0; i < 50; i++) host.hub.store.append(volts, 2000 + i / 10, i);
    await new Promise((r) => setTimeout(r, 300));
    await host.hub.call('stopRecording', {});
  });

  afterAll(async () => {
    await host?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('streams the whole recording as CSV with a file name for the browser', async () => {
    const res = await get(`/recordings/${encodeURIComponent('bench run')}.csv?token=${host.token}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(res.headers.get('content-disposition')).toBe('attachment; filename="bench run.csv"');
    const lines = (await res.text()).trim().split('\n');
    expect(lines[0]).toBe('time,PSU/volts');
    expect(lines.length).toBe(51);
    expect(lines[1]).toBe('2000.000000,0');
    expect(lines[50]).toBe('2004.900000,49');
  });

  it('refuses without the token, for an unknown recording, and for a name leaving the folder', async () => {
    expect((await get('/recordings/bench%20run.csv?token=wrong')).status).toBe(401);
    expect((await get('/recordings/bench%20run.csv')).status).toBe(401);
    const missing = await get(`/recordings/nope.csv?token=${host.token}`);
    expect(missing.status).toBe(404);
    expect(await missing.text()).toMatch(/No recording "nope"/);
    expect((await get(`/recordings/..%2F..%2Fetc%2Fpasswd.csv?token=${host.token}`)).status).toBe(400);
  });
});
