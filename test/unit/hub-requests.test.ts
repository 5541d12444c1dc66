// Every request is validated at the hub whatever the door: bad ones get a
// typed error reply and bump invalidRequestCount; nothing throws out of the hub.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Hub} from '../../main/hub/hub';
import { type HandlerTable, MAX_REQUEST_BYTES, METHODS } from '../../shared/api/contract';
import { ApiError } from '../../shared/api/errors';

describe('hub request validation (in-process door)', () => {
  const hub = new Hub({ userDataDir: null, demoOnFirstStart: false });
  const replies: { id: number | null; ok: boolean; error?: { code: string; message: string; issues?: { path: string }[] } }[] = [];
  let conn: ReturnType<Hub['connect']>;

  beforeAll(async () => {
    await hub.start();
    conn = hub.connect({
      sendText: (text) => { const m = JSON.parse(text); if (!('event' in m)) replies.push(m); },
      sendBinary: () => undefined,
      isBusy: () => false,
    });
  });
  afterAll(async () => { conn.close(); await hub.stop(); });

  async function send(text: string) {
    const before = replies.length;
    conn.receive(text);
    for (let i = 0; i < 50 && replies.length === before; i++) await new Promise((r) => setTimeout(r, 2));
    return replies[replies.length - 1];
  }

  it('refuses each kind of bad request with InvalidRequest and counts it', async () => {
    const cases: [string, RegExp][] = [
      ['{', /Not JSON/],
      ['[]', /request is/],
      ['null', /request is/],
      [JSON.stringify({ id: 'x', method: 'ping' }), /request is/],
      [JSON.stringify({ id: 1 }), /request is/],
      [JSON.stringify({ id: 1, method: 'launchMissiles' }), /Unknown method "launchMissiles"/],
      [JSON.stringify({ id: 1, method: 'createSession', params: { protocol: 'lines' } }), /linkType/],
      [JSON.stringify({ id: 1, method: 'createSession', params: { protocol: 'nope', linkType: 'tcp', linkConfig: {} } }), /Protocol must be one of/],
      [JSON.stringify({ id: 1, method: 'createSession', params: { protocol: 'lines', linkType: 'serial', linkConfig: { portname: '/dev/x', baudrate: -5 } } }), /linkConfig\.baudrate/],
      [JSON.stringify({ id: 1, method: 'createSession', params: { protocol: 'lines', linkType: 'tcp', linkConfig: { host: 'h', port: 1 }, options: { format: 'xml' } } }), /options\.format/],
      [JSON.stringify({ id: 1, method: 'subscribe', params: { signalIds: [-1] } }), /signalIds/],
      [JSON.stringify({ id: 1, method: 'requestDemoMode', params: { enable: 'yes' } }), /enable/],
      [JSON.stringify({ id: 1, method: 'getServerStats', params: 'all' }), /Invalid parameters/],
      [JSON.stringify({ id: 1, method: 'sessionAction', params: { sessionId: 'none', action: 'x' } }), /No session/],
      [JSON.stringify({ id: 1, method: 'ping', params: { pad: 'x'.repeat(MAX_REQUEST_BYTES) } }), /too large/],
    ];
    const before = hub.serverStats().invalidRequestCount;
    for (const [text, message] of cases) {
      const r = await send(text);
      expect(r.ok, text.slice(0, 80)).toBe(false);
      expect(r.error!.code, text.slice(0, 80)).toBe('InvalidRequest');
      expect(r.error!.message, text.slice(0, 80)).toMatch(message);
    }
    expect(hub.serverStats().invalidRequestCount - before).toBe(cases.length);
    expect(hub.serverStats().unexpectedErrorCount).toBe(0);
  });

  it('answers every method of the contract from its handler table, and the compiler refuses a table that misses one', async () => {
    for (const method of METHODS) {
      const err = await hub.call(method, {}).then(() => null, (e: ApiError) => e);
      expect(err?.message ?? '', method).not.toMatch(/Unknown method/);
      expect(err?.code, method).not.toBe('UnexpectedError');
    }
    // @ts-expect-error a table without ping
    void ({ getPlots: () => [] } satisfies HandlerTable<'getPlots' | 'ping'>);
    // @ts-expect-error ping answers { time: number }
    void ({ ping: () => ({ time: 'now' }) } satisfies HandlerTable<'ping'>);
  });

  it('a binary frame from a client is refused and counted', async () => {
    const before = hub.serverStats().invalidRequestCount;
    const n = replies.length;
    conn.receiveBinary(12);
    expect(replies.length).toBe(n + 1);
    expect(replies[n].error!.code).toBe('InvalidRequest');
    expect(hub.serverStats().invalidRequestCount).toBe(before + 1);
  });

  it('maps hub errors to issue paths a form can show', async () => {
    const err = await hub.call('createSession', { protocol: 'lines', linkType: 'udp', linkConfig: { host: '', port: 0 } }).catch((e) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err.code).toBe('InvalidRequest');
    expect(err.issues.map((i: { path: string }) => i.path).sort()).toEqual(['linkConfig.host', 'linkConfig.port']);
  });

  it('any text at all gets exactly one reply and never an unexpected error', async () => {
    await fc.assert(fc.asyncProperty(
      fc.oneof(fc.string({ maxLength: 200 }), fc.json(), fc.record({ id: fc.nat(), method: fc.constantFrom('ping', 'createSession', 'subscribe', 'sendText', 'setPlots'), params: fc.jsonValue() }).map((o) => JSON.stringify(o))),
      async (text) => {
        const before = replies.length;
        conn.receive(text);
        for (let i = 0; i < 50 && replies.length === before; i++) await new Promise((r) => setTimeout(r, 1));
        expect(replies.length).toBe(before + 1);
      },
    ), { numRuns: 200 });
    expect(hub.serverStats().unexpectedErrorCount).toBe(0);
  });
});
