// The SDK never drops a telemetry frame in silence: one it cannot decode (cut short on
// the way, or not a frame at all) is counted and reported, and the frames around it
// still reach the subscriber.
import { afterEach, describe, expect, it } from 'vitest';
import { Hub } from '../../main/hub/hub';
import { encodeTelemetryFrame } from '../../shared/api/telemetry-frame';
import { BenchscopeClient, type MessagePipe } from '../../shared/client';

let hub: Hub | null = null;
afterEach(async () => { await hub?.stop(); hub = null; });

/** The in-process door as a client pipe; `inject` delivers bytes as if the transport had carried them. */
function inProcessPipe(h: Hub): MessagePipe & { inject(data: ArrayBuffer): void } {
  let handlers: Parameters<MessagePipe['setHandlers']>[0] | null = null;
  const conn = h.connect({
    sendText: (t) => handlers?.onMessage(t),
    sendBinary: (b) => handlers?.onMessage(b.slice(0)),
    isBusy: () => false,
  });
  return {
    send: (t) => conn.receive(t),
    close: () => { conn.close(); handlers?.onClose('closed'); },
    setHandlers: (h2) => { handlers = h2; },
    inject: (data) => handlers?.onMessage(data),
  };
}

describe('SDK telemetry frames it cannot decode', () => {
  it('counts and reports a truncated frame and garbage, and keeps delivering good frames', async () => {
    hub = new Hub({ userDataDir: null, demoOnFirstStart: false });
    await hub.start();
    const pipe = inProcessPipe(hub);
    const client = await new BenchscopeClient().attach(pipe);
    const reported: string[] = [];
    client.onTelemetryError((e) => reported.push(e));
    const got: number[] = [];
    await client.subscribe([7], (blocks) => { for (const b of blocks) got.push(...b.values); });

    const good = encodeTelemetryFrame(0, [{ id: 7, times: new Float64Array([1, 2]), values: new Float64Array([10, 20]) }]);
    pipe.inject(good);
    pipe.inject(good.slice(0, good.byteLength - 5));
    pipe.inject(new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]).buffer);
    pipe.inject(encodeTelemetryFrame(0, [{ id: 7, times: new Float64Array([3]), values: new Float64Array([30]) }]));

    expect(got).toEqual([10, 20, 30]);
    expect(reported).toHaveLength(2);
    expect(reported[0]).toMatch(/\(\d+ bytes\)$/);
    const stats = client.getLocalStats();
    expect(stats.telemetryBadFrames).toBe(2);
    expect(stats.telemetryFrames).toBe(2);
    expect(stats.lastTelemetryError).toBe(reported[1]);
    client.disconnect();
  });
});
