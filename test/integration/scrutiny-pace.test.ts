// Scrutiny at the device's pace: the next read goes out as soon as the previous
// answer is in (no timer between them), never two requests in flight even with
// heartbeats, status polls and actions beside the polling, a silent device seen
// within its heartbeat timeout, and no watched value starved by a long, changing
// watch list on small buffers.
import { waitUntil } from '../support/wait';
import { runAction } from '../support/actions';
import { afterEach, describe, expect, it } from 'vitest';
import { EMU_BASE } from '../../main/protocols/scrutiny/emulator-memory';
import { scrutinyHarness, type ScrutinyHarness } from './scrutiny-harness';

const open: ScrutinyHarness[] = [];
afterEach(async () => {
  for (const h of open.splice(0)) await h.close();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const total = (h: ScrutinyHarness, name: string) => {
  const s = h.store.list().find((x) => x.name === name);
  return s ? h.store.total(s.id) : 0;
};

describe('scrutiny polling at the device pace', () => {
  it('sends each read as soon as the previous answer is in', async () => {
    // The RPVs fit one request: one request per cycle, so a timer between cycles (at least 1 ms) would cap them at 1000/s.
    const h = await scrutinyHarness({}, {});
    open.push(h);
    await waitUntil('ready', () => h.session.ready);
    await sleep(200);
    const c0 = h.session.pollCycles;
    const t0 = performance.now();
    await sleep(1000);
    const rate = (h.session.pollCycles - c0) / ((performance.now() - t0) / 1000);
    expect(rate).toBeGreaterThan(1500);
    expect(total(h, '/rpv/x1000')).toBeGreaterThan(1500);
  });

  it('keeps a device that answers one request per 10 ms busy, never with two requests in flight', async () => {
    const h = await scrutinyHarness({ requestPeriodMs: 10, heartbeatTimeoutUs: 1_000_000 }, { requestTimeoutMs: 500 });
    open.push(h);
    await waitUntil('ready', () => h.session.ready, 5000);
    await runAction('scrutiny', h.session, 'watch', { variables: Array.from({ length: 20 }, (_, i) => ({ path: `/v${i}`, address: EMU_BASE + 40 * i, type: 'uint32' })) });
    const answered0 = h.emu.device.counters.answered;
    const t0 = performance.now();
    // Actions and datalogger status polls beside the polling and the heartbeats (every 750 ms).
    const actions = (async () => {
      for (let i = 0; i < 10; i++) {
        await runAction('scrutiny', h.session, 'readMemory', { address: EMU_BASE, length: 16 });
        await runAction('scrutiny', h.session, 'dlStatus', {}).catch(() => undefined);
      }
    })();
    await sleep(2000);
    await actions;
    const perSecond = (h.emu.device.counters.answered - answered0) / ((performance.now() - t0) / 1000);
    expect(h.emu.device.counters.overlapping).toBe(0);
    expect(h.emu.device.counters.heartbeats).toBeGreaterThan(1);
    // The device's ceiling is 100 answers a second.
    expect(perSecond).toBeGreaterThan(85);
    expect(h.session.ready).toBe(true);
    expect(total(h, '/v19')).toBeGreaterThan(20);
  });

  it('detects a device that stops answering mid-poll within its heartbeat timeout', async () => {
    // A request timeout of 1 s, three in a row, would take 3 s: the polling reads time out sooner so that the silence is seen in time.
    const h = await scrutinyHarness({ heartbeatTimeoutUs: 1_500_000 }, { requestTimeoutMs: 1000 });
    open.push(h);
    await waitUntil('ready', () => h.session.ready);
    await waitUntil('polling', () => total(h, '/rpv/x1000') > 100);
    h.emu.device.mute = true;
    const t0 = performance.now();
    await waitUntil('lost', () => !h.session.ready, 3000);
    const took = performance.now() - t0;
    expect(took).toBeLessThan(1500);
    expect(h.session.lastError).toMatch(/session with the device lost/);
  });

  it('keeps every one of 500 watched values arriving on 64-byte buffers while the watch list changes', async () => {
    const h = await scrutinyHarness({ rxBufferSize: 64, txBufferSize: 64 }, {});
    open.push(h);
    await waitUntil('ready', () => h.session.ready);
    // 500 bytes 6 apart: merged into blocks of 58 bytes, about 60 reads a cycle, below the forbidden region at +0xc00.
    const vars = Array.from({ length: 500 }, (_, i) => ({ path: `/w${i}`, address: EMU_BASE + 6 * i, type: 'uint8' }));
    await runAction('scrutiny', h.session, 'watch', { variables: vars });
    // One more variable watched and unwatched every millisecond or so: each change replans the reads.
    let churning = true;
    const churn = (async () => {
      for (let k = 0; churning; k++) {
        if (k % 2 === 0) await runAction('scrutiny', h.session, 'watch', { variables: [{ path: '/churn', address: EMU_BASE + 0xd00, type: 'uint8' }] });
        else await runAction('scrutiny', h.session, 'unwatch', { paths: ['/churn'] });
        await sleep(1);
      }
    })();
    await sleep(300);
    const before = vars.map((v) => total(h, v.path));
    await sleep(1500);
    churning = false;
    await churn;
    const got = vars.map((v, i) => total(h, v.path) - before[i]!);
    const starved = vars.filter((_v, i) => got[i]! < 3).map((v) => v.path);
    expect(starved).toEqual([]);
    expect(total(h, '/rpv/x1000')).toBeGreaterThan(3);
  });
});
