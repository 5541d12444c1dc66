import { describe, expect, it } from 'vitest';
import { KatcpOptionsSchema } from '../../shared/api/katcp-options';
import { checkStrategy, paramsFromWire, wireParams } from '../../main/protocols/katcp/sensor-types';
import { katcpOptionsDraft, validateKatcpOptions } from '../../renderer/src/protocols/katcp/options';

describe('KATCP options form', () => {
  it('turns the default draft into options the engine accepts', () => {
    const r = validateKatcpOptions(katcpOptionsDraft());
    expect(r.ok).toBe(true);
    if (r.ok) expect(KatcpOptionsSchema.parse(r.options)).toMatchObject({ watchdogS: 5, requestTimeoutS: 10, sampling: [] });
  });

  it('reads one sampling rule a line and says which line is wrong', () => {
    const ok = validateKatcpOptions({ watchdogS: '0', requestTimeoutS: '2', sampling: '/antenna/ period 0.1\n\nrx.temperature event-rate 0.1 5\n' });
    expect(ok).toEqual({ ok: true, options: { watchdogS: 0, requestTimeoutS: 2, sampling: [
      { sensors: '/antenna/', strategy: 'period', params: [0.1] },
      { sensors: 'rx.temperature', strategy: 'event-rate', params: [0.1, 5] },
    ] } });
    const bad = validateKatcpOptions({ watchdogS: '-1', requestTimeoutS: 'x', sampling: 'a event\nb period' });
    expect(bad.ok).toBe(false);
    if (!bad.ok) {
      expect(bad.errors.watchdogS).toMatch(/0 \(off\) to 3600/);
      expect(bad.errors.requestTimeoutS).toMatch(/0\.1 to 600/);
      expect(bad.errors.sampling).toMatch(/Line 2: period takes 1 number/);
    }
  });

  it('the engine refuses options the form would not produce', () => {
    expect(KatcpOptionsSchema.safeParse({ sampling: [{ sensors: 'x', strategy: 'often' }] }).success).toBe(false);
    expect(KatcpOptionsSchema.safeParse({ watchdogS: -1 }).success).toBe(false);
    expect(KatcpOptionsSchema.safeParse({ maxLineLength: 10 }).success).toBe(false);
    expect(KatcpOptionsSchema.safeParse({ extra: 1 }).success).toBe(false);
  });
});

describe('KATCP strategy rules', () => {
  it('converts v4 periods to and from milliseconds, and leaves v5 in seconds', () => {
    expect(wireParams('period', [0.25], 4)).toEqual(['250']);
    expect(wireParams('period', [0.0001], 4)).toEqual(['1']);
    expect(wireParams('period', [0.25], 5)).toEqual(['0.25']);
    expect(paramsFromWire('period', ['250'], 4)).toEqual([0.25]);
    expect(wireParams('differential', [2], 4)).toEqual(['2']);
  });

  it('checks parameter counts, signs and orders per strategy', () => {
    expect(checkStrategy('event-rate', [0.1, 0], 'float', 5)).toEqual({ ok: true, strategy: 'event-rate', params: [0.1, 0] });
    expect(checkStrategy('differential-rate', ['1', '0.1', '2'], 'integer', 5)).toEqual({ ok: true, strategy: 'differential-rate', params: [1, 0.1, 2] });
    expect(checkStrategy('differential-rate', [0, 0.1, 2], 'integer', 5)).toMatchObject({ ok: false, reason: expect.stringMatching(/difference/) });
    expect(checkStrategy('event-rate', [-1, 2], 'float', 5)).toMatchObject({ ok: false, reason: expect.stringMatching(/negative/) });
    expect(checkStrategy('event', [1], 'float', 5)).toMatchObject({ ok: false, reason: expect.stringMatching(/no parameters/) });
    expect(checkStrategy('differential', [1], 'boolean', 5)).toMatchObject({ ok: false });
    expect(checkStrategy('differential-rate', [1, 0, 0], 'float', 4)).toMatchObject({ ok: false, reason: expect.stringMatching(/v4/) });
    expect(checkStrategy('period', [''], 'float', 5)).toMatchObject({ ok: false, reason: expect.stringMatching(/number/) });
  });
});
