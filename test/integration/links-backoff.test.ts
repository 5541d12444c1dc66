import { describe, expect, it } from 'vitest';
import { Backoff } from '../../main/links/backoff';
import { sleep } from './links-support';

describe('Backoff', () => {
  it('starts at 250 ms and doubles up to a 5 s cap by default', () => {
    const backoff = new Backoff();
    const delays = Array.from({ length: 8 }, () => backoff.schedule(() => {}));
    backoff.cancel();
    expect(delays).toEqual([250, 500, 1000, 2000, 4000, 5000, 5000, 5000]);
  });

  it('runs the retry after the delay, replaces a pending one, and starts over after reset()', async () => {
    const backoff = new Backoff({ initialMs: 10, maxMs: 30 });
    let runs = 0;
    const started = Date.now();
    backoff.schedule(() => runs++);
    expect(runs).toBe(0);
    await sleep(40);
    expect(runs).toBe(1);
    expect(Date.now() - started).toBeGreaterThanOrEqual(9);
    expect(backoff.schedule(() => runs++)).toBe(20);
    backoff.reset();
    expect(backoff.schedule(() => runs++)).toBe(10);
    await sleep(40);
    expect(runs).toBe(2);
  });

  it('cancel() drops the pending retry', async () => {
    const backoff = new Backoff({ initialMs: 5 });
    let runs = 0;
    backoff.schedule(() => runs++);
    backoff.cancel();
    await sleep(30);
    expect(runs).toBe(0);
  });
});
