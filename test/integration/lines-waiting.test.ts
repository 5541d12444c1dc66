// A lines session whose link is open but whose device has said nothing understandable
// says what it waits for, in words, instead of a bare "Connecting".
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Hub } from '../../main/hub/hub';
import type { SessionStatus } from '../../shared/api/contract';

/** A device on a real TCP socket: what it writes is up to the test. */
async function device(): Promise<{ port: number; write(text: string): void; close(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((s) => { sockets.add(s); s.on('close', () => sockets.delete(s)); s.on('error', () => undefined); });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as net.AddressInfo).port,
    write: (text) => { for (const s of sockets) s.write(text); },
    close: () => new Promise((r) => { for (const s of sockets) s.destroy(); server.close(() => r()); }),
  };
}

async function until(hub: Hub, sessionId: string, what: string, ok: (s: SessionStatus) => boolean): Promise<SessionStatus> {
  const deadline = Date.now() + 5000;
  for (;;) {
    const s = hub.status().sessions.find((x) => x.sessionId === sessionId)!;
    if (ok(s)) return s;
    if (Date.now() > deadline) throw new Error(`${what}: still ${s.deviceCommState}, waitingFor ${JSON.stringify(s.waitingFor)}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('lines session: open link without a valid line', () => {
  const hub = new Hub({ userDataDir: null, demoOnFirstStart: false });
  let dev: Awaited<ReturnType<typeof device>>;

  beforeAll(async () => {
    await hub.start();
    dev = await device();
  });

  afterAll(async () => {
    await hub.stop();
    await dev.close();
  });

  it('says nothing came, then that no line ended, then how many lines were not understood and why, then is ready', async () => {
    const { sessionId } = await hub.call('createSession', {
      protocol: 'lines', linkType: 'tcp', linkConfig: { host: '127.0.0.1', port: dev.port }, options: { format: 'json' },
    });
    let s = await until(hub, sessionId, 'link open', (x) => x.deviceLink.operational);
    expect(s.deviceCommState).toBe('Connecting');
    expect(s.waitingFor).toBe('link open, nothing received yet');

    dev.write('{"a": 1');
    s = await until(hub, sessionId, 'partial line', (x) => x.waitingFor !== 'link open, nothing received yet');
    expect(s.waitingFor).toBe('link open, 7 bytes received but no end of line (LF) yet');

    let garbage = '\n';
    for (let i = 0; i < 240; i++) garbage += `a=${i}\n`;
    dev.write(garbage);
    s = await until(hub, sessionId, '241 bad lines', (x) => /^link open, 241 lines/.test(x.waitingFor ?? ''));
    expect(s.waitingFor).toBe('link open, 241 lines not understood: line 241: expected a JSON object, got "a=239"');
    expect(s.deviceCommState).toBe('Connecting');

    dev.write('{"a": 2}\n');
    s = await until(hub, sessionId, 'ready', (x) => x.deviceCommState === 'ConnectedReady');
    expect(s.waitingFor).toBeNull();
  });

  it('a link that is not open says nothing of waiting: its link error says why', async () => {
    const closed = await device();
    const port = closed.port;
    await closed.close();
    const { sessionId } = await hub.call('createSession', { protocol: 'lines', linkType: 'tcp', linkConfig: { host: '127.0.0.1', port } });
    const s = await until(hub, sessionId, 'refused', (x) => x.deviceLink.lastError !== null);
    expect(s.deviceLink.operational).toBe(false);
    expect(s.waitingFor).toBeNull();
  });
});
