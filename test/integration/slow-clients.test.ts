// Every queue toward a client is bounded. A device floods a lines session (console
// lines, samples, status changes); a client that watches its console and signals and
// then never reads must not grow the host: its status events coalesce, its console
// lines and other events are dropped past a bound and counted, and the telemetry
// samples it missed stay counted in the server stats after it leaves.
// Both doors: the WebSocket door over a real socket, and the Electron door
// (app/electron/ipc-door.ts) over a real MessageChannel, whose renderer acknowledges
// what it read, or stops doing so.
import net from 'node:net';
import { MessageChannel, type MessagePort } from 'node:worker_threads';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { IpcDoors, type DoorPort } from '../../app/electron/ipc-door';
import { startHost, type RunningHost } from '../../app/host/server';
import { Hub } from '../../main/hub/hub';
import { MAX_WAITING_BYTES } from '../../main/hub/client-outbox';

/** A device printing numeric CSV lines as fast as the socket takes them. */
async function flooder(): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((s) => {
    sockets.add(s);
    s.on('error', () => undefined);
    s.on('close', () => sockets.delete(s));
    let i = 0;
    const pump = () => {
      while (!s.destroyed) {
        let chunk = '';
        for (let k = 0; k < 500; k++, i++) chunk += `${i},${i % 97},${i * 0.5},${-i}\n`;
        if (!s.write(chunk)) { s.once('drain', pump); return; }
      }
    };
    pump();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as net.AddressInfo).port,
    close: async () => { for (const s of sockets) s.destroy(); await new Promise((r) => server.close(r)); },
  };
}

const until = async (what: string, ok: () => boolean | Promise<boolean>, ms = 20_000) => {
  const t0 = Date.now();
  while (!(await ok())) {
    if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
};

async function floodedSession(hub: Hub, port: number): Promise<string> {
  const { sessionId } = await hub.call('createSession', { protocol: 'lines', name: 'flood', linkType: 'tcp', linkConfig: { host: '127.0.0.1', port } });
  await until('the flood session to have signals', async () => (await hub.call('listSignals', { sessionId })).length > 0);
  return sessionId;
}

describe('a client that never reads', () => {
  let device: Awaited<ReturnType<typeof flooder>>;
  beforeAll(async () => { device = await flooder(); });
  afterAll(async () => { await device.close(); });

  it('WebSocket door: status coalesced, events dropped and counted, dropped samples kept after it leaves', async () => {
    const host: RunningHost = await startHost({ port: 0, demoOnFirstStart: false, storeCapacity: 4096, statusMs: 100, token: 'slow-clients-test-token-0123456789' });
    try {
      const sessionId = await floodedSession(host.hub, device.port);
      const ids = (await host.hub.call('listSignals', { sessionId })).map((s) => s.id);
      const ws = new WebSocket(`ws://127.0.0.1:${host.port}/api?token=${host.token}`);
      const replies = new Set<number>();
      ws.on('message', (data, binary) => { if (!binary) { const m = JSON.parse(data.toString()); if (typeof m.id === 'number') replies.add(m.id); } });
      await new Promise((r) => ws.once('open', r));
      ws.send(JSON.stringify({ id: 1, method: 'subscribeConsole', params: { sessionId } }));
      ws.send(JSON.stringify({ id: 2, method: 'subscribe', params: { signalIds: ids } }));
      await until('both replies', () => replies.size === 2);
      (ws as unknown as { _socket: net.Socket })._socket.pause();
      const stats = () => host.hub.serverStats();
      await until('status events coalesced and events dropped for it', () => stats().clientEventsCoalesced > 5 && stats().clientEventsDropped > 0);
      await until('telemetry dropped for it', () => stats().telemetryDroppedSamples > 0);
      ws.terminate();
      await until('it to be gone', () => stats().clientCount === 0);
      const dropped = stats().telemetryDroppedSamples;
      expect(dropped, 'the dropped-sample total survives the client').toBeGreaterThan(0);
      await new Promise((r) => setTimeout(r, 200));
      expect(stats().telemetryDroppedSamples).toBe(dropped);
    } finally {
      await host.close();
    }
  }, 60_000);

  describe('Electron door', () => {
    let hub: Hub;
    let sessionId: string;
    beforeAll(async () => {
      hub = new Hub({ userDataDir: null, demoOnFirstStart: false, storeCapacity: 4096, statusMs: 100 });
      await hub.start();
      sessionId = await floodedSession(hub, device.port);
    });
    afterAll(async () => { await hub.stop(); });

    /** The main process's end of a real MessageChannel, as the door sees it, counting what it posts. */
    function mainEnd(port: MessagePort): DoorPort & { posted: number; closed: boolean } {
      const end = {
        posted: 0,
        closed: false,
        postMessage: (m: unknown) => { end.posted += typeof m === 'string' ? m.length : (m as ArrayBuffer).byteLength; port.postMessage(m); },
        onMessage: (h: (d: unknown) => void) => { port.on('message', h); },
        onClose: (h: () => void) => { port.on('close', h); },
        start: () => port.start(),
        close: () => { end.closed = true; port.close(); },
      };
      return end;
    }

    it('holds back past its bound while the renderer does not acknowledge, and carries on when it does', async () => {
      const bound = 256 * 1024;
      const doors = new IpcDoors(hub, bound);
      const { port1, port2 } = new MessageChannel();
      const main = mainEnd(port1);
      doors.open(1, main);
      const ids = (await hub.call('listSignals', { sessionId })).map((s) => s.id);
      // The renderer sends its requests, then reads nothing and acknowledges nothing.
      port2.postMessage(JSON.stringify({ id: 1, method: 'subscribeConsole', params: { sessionId } }));
      port2.postMessage(JSON.stringify({ id: 2, method: 'subscribe', params: { signalIds: ids } }));
      const before = hub.serverStats();
      await until('its bound to be reached', () => main.posted > bound);
      const atBound = main.posted;
      await until('status events coalesced and console lines dropped', () => {
        const now = hub.serverStats();
        return now.clientEventsCoalesced > before.clientEventsCoalesced + 5 && now.clientEventsDropped > before.clientEventsDropped;
      });
      // Nothing more went out while it stalled, however long that was.
      expect(main.posted).toBe(atBound);
      expect(atBound).toBeLessThan(bound + MAX_WAITING_BYTES);
      // Now the renderer reads and acknowledges: the latest status comes through, then more.
      let received = 0;
      let status: { time: number } | null = null;
      port2.on('message', (m: unknown) => {
        received += typeof m === 'string' ? m.length : (m as ArrayBuffer).byteLength;
        if (typeof m === 'string' && m.startsWith('{"event":"status"')) status = JSON.parse(m).data;
        setImmediate(() => port2.postMessage(received));
      });
      const resumed = Date.now() / 1000;
      await until('a fresh status', () => status !== null && status.time >= resumed - 0.5);
      const at = main.posted;
      await until('telemetry and events to flow again', () => main.posted > at + bound);
      doors.close(1);
      port2.close();
    }, 60_000);

    it('a window gets one hub connection however often it asks', async () => {
      const doors = new IpcDoors(hub);
      const base = hub.serverStats().clientCount;
      const ends = Array.from({ length: 6 }, () => mainEnd(new MessageChannel().port1));
      for (const end of ends) doors.open(7, end);
      expect(hub.serverStats().clientCount).toBe(base + 1);
      expect(ends.slice(0, -1).every((e) => e.closed), 'each earlier port closed').toBe(true);
      expect(ends.at(-1)!.closed).toBe(false);
      doors.open(8, mainEnd(new MessageChannel().port1));
      expect(hub.serverStats().clientCount).toBe(base + 2);
      doors.close(7);
      doors.close(8);
      expect(hub.serverStats().clientCount).toBe(base);
    });
  });
});
