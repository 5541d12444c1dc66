// The datalogger's GetStatus costs a slow firmware a whole loop per request: the
// session asks often only while the state can change by itself (armed, triggered),
// and at most once a second while idle. Counted at the emulated device.
import { waitUntil } from '../support/wait';
import { runAction } from '../support/actions';
import { afterEach, describe, expect, it } from 'vitest';
import { scrutinyHarness, sleep, type ScrutinyHarness } from './scrutiny-harness';

const GET_STATUS = '5/5';
const open: ScrutinyHarness[] = [];
afterEach(async () => {
  for (const h of open.splice(0)) await h.close();
});

async function statusRequestsDuring(h: ScrutinyHarness, ms: number): Promise<number> {
  const n0 = h.received.get(GET_STATUS) ?? 0;
  await sleep(ms);
  return (h.received.get(GET_STATUS) ?? 0) - n0;
}

describe('datalogger status polling', () => {
  it('is at most once a second while idle, fast while armed, slow again once disarmed', async () => {
    const h = await scrutinyHarness({}, { pollHz: 0 });
    open.push(h);
    await waitUntil('ready', () => h.session.ready);
    expect(await statusRequestsDuring(h, 3000)).toBeLessThanOrEqual(4);
    // A condition the device never meets: armed until disarmed.
    await runAction('scrutiny', h.session, 'dlConfigure', {
      loopId: 0, condition: 'gt', operands: [{ kind: 'rpv', id: 0x1000 }, { kind: 'literal', value: 1e9 }], signals: [{ kind: 'time' }],
    });
    await runAction('scrutiny', h.session, 'dlArm', {});
    expect(h.session.dlState).toBe(2);
    expect(await statusRequestsDuring(h, 1000)).toBeGreaterThanOrEqual(3);
    await runAction('scrutiny', h.session, 'dlDisarm', {});
    await sleep(1100); // the fast poll in flight at the disarm ends
    expect(await statusRequestsDuring(h, 3000)).toBeLessThanOrEqual(4);
  });

  it('follows an armed acquisition to completion by itself, without an action asking', async () => {
    const h = await scrutinyHarness({}, { pollHz: 0 });
    open.push(h);
    await waitUntil('ready', () => h.session.ready);
    await runAction('scrutiny', h.session, 'dlConfigure', { loopId: 0, condition: 'alwaysTrue', probeLocation: 128, signals: [{ kind: 'time' }] });
    await runAction('scrutiny', h.session, 'dlArm', {});
    await waitUntil('completed', () => h.session.dlState === 4, 3000);
    expect(h.session.datalogging()).toEqual({ state: 'Standby', completionRatio: 1 });
  });
});
