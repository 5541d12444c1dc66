// A DCSS on a real TCP port for the DCS tests: every accepted connection is handed
// to the session's DCSS core with its real peer address and a real close, as a
// listening link that reports its peers would do.
import net from 'node:net';
import type { AdapterContext } from '../../main/protocols/adapter';
import { DcsOptionsSchema, type DcsOptionsInput } from '../../main/protocols/dcs/config';
import type { DhsConnection } from '../../main/protocols/dcs/connection';
import { DcsSession } from '../../main/protocols/dcs/session';

export interface RecordedEvent { kind: string; data: any } // eslint-disable-line @typescript-eslint/no-explicit-any

export interface DcssBench {
  port: number;
  session: DcsSession;
  events: RecordedEvent[];
  console: { dir: string; text: string }[];
  samples: Map<string, number[]>;
  /** State names of step signals, by signal name. */
  states: Map<string, string[]>;
  marks: { t: number; label: string; severity?: string; signal?: string }[];
  /** Resolves with the first event of this kind (after `from` events) matching `pred`. */
  nextEvent(kind: string, pred?: (data: any) => boolean, timeoutMs?: number): Promise<any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  close(): Promise<void>;
}

export async function startDcssBench(options: DcsOptionsInput = {}): Promise<DcssBench> {
  const events: RecordedEvent[] = [];
  const consoleLines: { dir: string; text: string }[] = [];
  const names: string[] = [];
  const samples = new Map<string, number[]>();
  const states = new Map<string, string[]>();
  const marks: DcssBench['marks'] = [];
  const listeners = new Set<() => void>();
  const ctx: AdapterContext = {
    sessionId: 'test',
    linkKind: 'stream',
    signal: (name, _unit, opts) => {
      if (opts?.states) states.set(name, opts.states);
      let id = names.indexOf(name);
      if (id < 0) {
        id = names.push(name) - 1;
        samples.set(name, []);
      }
      return id;
    },
    sample: (id, _t, v) => samples.get(names[id]!)!.push(v),
    write: () => false,
    consoleWanted: () => true,
    console: (dir, text) => consoleLines.push({ dir, text }),
    event: (kind, data) => {
      events.push({ kind, data });
      for (const l of [...listeners]) l();
    },
    statusChanged: () => {},
    mark: (m) => marks.push(m),
  };
  const session = new DcsSession(ctx, DcsOptionsSchema.parse(options));
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.setNoDelay(true);
    const conn: DhsConnection = session.dcss.attach({
      address: socket.remoteAddress ?? null,
      label: `${socket.remoteAddress}:${socket.remotePort}`,
      write: (bytes) => socket.write(bytes),
      close: () => socket.destroy(),
    }, Date.now() / 1000);
    socket.on('data', (chunk: Buffer) => conn.push(chunk, Date.now() / 1000));
    socket.on('error', () => {});
    socket.on('close', () => {
      sockets.delete(socket);
      conn.detach('the connection closed', Date.now() / 1000);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    session,
    events,
    console: consoleLines,
    samples,
    states,
    marks,
    nextEvent(kind, pred = () => true, timeoutMs = 3000) {
      const start = events.length;
      return new Promise((resolve, reject) => {
        const check = (): boolean => {
          const hit = events.slice(start).find((e) => e.kind === kind && pred(e.data));
          if (!hit) return false;
          listeners.delete(listener);
          clearTimeout(timer);
          resolve(hit.data);
          return true;
        };
        const listener = (): void => void check();
        const timer = setTimeout(() => {
          listeners.delete(listener);
          reject(new Error(`no "${kind}" event within ${timeoutMs} ms; events: ${events.slice(start).map((e) => e.kind).join(', ')}`));
        }, timeoutMs);
        listeners.add(listener);
      });
    },
    async close() {
      session.dispose();
      for (const s of sockets) s.destroy();
      await new Promise((r) => server.close(r));
    },
  };
}


/** A hand-driven DHS: a real socket, the texts DCSS sent it (decoded), and raw writes. */
export interface RawDhs {
  socket: net.Socket;
  received: { text: string; version: 1 | 2 }[];
  /** Resolves with the first received text matching (searching from the start). */
  waitFor(pred: (text: string) => boolean, timeoutMs?: number): Promise<string>;
  closed: Promise<void>;
  send(bytes: Uint8Array): void;
  end(): Promise<void>;
}

export async function connectRawDhs(port: number): Promise<RawDhs> {
  const { DcsDecoder } = await import('../../main/protocols/dcs/codec');
  const socket = net.connect({ host: '127.0.0.1', port });
  socket.setNoDelay(true);
  const received: { text: string; version: 1 | 2 }[] = [];
  const listeners = new Set<() => void>();
  const decoder = new DcsDecoder({ mode: 'auto', source: 'DCSS' }, {
    message: (b, s, e, _t, version) => {
      received.push({ text: new TextDecoder().decode(b.subarray(s, e)), version });
      for (const l of [...listeners]) l();
    },
  });
  socket.on('data', (c: Buffer) => decoder.push(c, 0));
  socket.on('error', () => {});
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('error', reject);
  });
  return {
    socket,
    received,
    closed,
    waitFor(pred, timeoutMs = 3000) {
      return new Promise((resolve, reject) => {
        const check = (): boolean => {
          const hit = received.find((r) => pred(r.text));
          if (!hit) return false;
          listeners.delete(check);
          clearTimeout(timer);
          resolve(hit.text);
          return true;
        };
        const timer = setTimeout(() => {
          listeners.delete(check);
          reject(new Error(`not received within ${timeoutMs} ms; received: ${received.map((r) => r.text).join(' | ')}`));
        }, timeoutMs);
        if (!check()) listeners.add(check);
      });
    },
    send(bytes) {
      socket.write(bytes);
    },
    async end() {
      if (socket.destroyed) return;
      socket.destroy();
      await closed;
    },
  };
}
