// The datalogging form's check against the device's capabilities: every field named
// when wrong, every operand kind and signal kind turned into dlConfigure arguments.
import { describe, expect, it } from 'vitest';
import type { DeviceInfo } from '../../shared/api/contract';
import { checkDlDraft, dlDraft } from '../../renderer/src/protocols/scrutiny/datalogging';
import type { VariableEntry } from '../../renderer/src/protocols/scrutiny/variables';

const info = {
  supportedFeatures: { memoryWrite: true, datalogging: true, userCommand: true, sixtyfourBits: true },
  dataloggingCapabilities: {
    encoding: 'RAW', bufferSize: 64, maxNbSignal: 3,
    samplingRates: [{ identifier: 0, name: '1 kHz', frequency: 1000 }, { identifier: 2, name: 'idle', frequency: null }],
  },
} as unknown as DeviceInfo;

const entries: VariableEntry[] = [
  { path: '/v/sine', kind: 'var', type: 'float32', address: 0x100 },
  { path: '/v/flags/phase', kind: 'var', type: 'uint32', address: 0x104, bitOffset: 8, bitSize: 8 },
  { path: '/v/*p/speed', kind: 'var', type: 'float32', address: null, pointer: { path: '/v/p', offset: 0 } },
  { path: '/v/big', kind: 'var', type: 'float64', address: 0x200 },
  { path: '/alias/x', kind: 'alias', target: '/v/sine', targetType: 'var', gain: 2, offset: 0 },
  { path: '/rpv/x1000', kind: 'rpv', type: 'float32', id: 0x1000 },
];
const lookup = (p: string) => entries.find((e) => e.path === p);

describe('datalogging form check', () => {
  it('builds dlConfigure arguments with literal, variable, bit-range and RPV operands', () => {
    const r = checkDlDraft({
      ...dlDraft(), loopId: '2', decimation: '4', triggerPositionPct: '100', timeoutS: '1.5', holdTimeS: '0.01',
      condition: 'isWithin', operands: ['/v/flags/phase', '/rpv/x1000', '2.5'], signals: ['/v/sine', '/rpv/x1000', 'time'],
    }, info, lookup);
    expect(r).toEqual({
      ok: true,
      args: {
        loopId: 2, decimation: 4, probeLocation: 255, timeoutS: 1.5, holdTimeS: 0.01, condition: 'isWithin',
        operands: [
          { kind: 'varbit', address: 0x104, type: 'uint32', bitOffset: 8, bitSize: 8 },
          { kind: 'rpv', id: 0x1000 },
          { kind: 'literal', value: 2.5 },
        ],
        signals: [
          { kind: 'memory', address: 0x100, type: 'float32', name: '/v/sine' },
          { kind: 'rpv', id: 0x1000, name: '/rpv/x1000' },
          { kind: 'time', name: 'time' },
        ],
      },
    });
    const gt = checkDlDraft({ ...dlDraft(), loopId: '0', condition: 'gt', operands: ['/v/sine', '0'] }, info, lookup);
    expect(gt.ok && gt.args.operands[0]).toEqual({ kind: 'var', address: 0x100, type: 'float32' });
    expect(gt.ok && gt.args.probeLocation).toBe(128);
  });

  it('names every wrong field against the device capabilities', () => {
    const r = checkDlDraft({
      ...dlDraft(), loopId: '7', decimation: '0', triggerPositionPct: '120', timeoutS: '-1', holdTimeS: '500',
      condition: 'changeMoreThan', operands: ['/v/*p/speed', ''], signals: ['time', '/v/sine', '/rpv/x1000', '/v/big'],
    }, info, lookup);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(Object.keys(r.errors).sort()).toEqual(['decimation', 'holdTimeS', 'loopId', 'operand0', 'operand1', 'signals', 'timeoutS', 'triggerPositionPct']);
    expect(r.errors.signals).toBe('4 signals: the device logs at most 3');
    expect(r.errors.operand0).toMatch(/pointed-to variable or an alias/);
    expect(r.errors.loopId).toMatch(/1 kHz, idle/);
  });

  it('refuses bit ranges, aliases and unknown paths as signals, an unknown RPV, and entries larger than the buffer', () => {
    const bad = (signals: string[]) => {
      const r = checkDlDraft({ ...dlDraft(), loopId: '0', signals }, info, lookup);
      return r.ok ? null : r.errors.signals;
    };
    expect(bad(['/v/flags/phase'])).toMatch(/bit range/);
    expect(bad(['/alias/x'])).toMatch(/alias/);
    expect(bad(['/nope'])).toMatch(/not a variable, an RPV or "time"/);
    expect(bad([])).toBe('Log at least one signal');
    expect(checkDlDraft({ ...dlDraft(), loopId: '0', condition: 'eq', operands: ['/rpv/x2000', '1'] }, info, lookup)).toEqual({ ok: false, errors: { operand0: 'The device has no RPV /rpv/x2000' } });
    const small = { ...info, dataloggingCapabilities: { ...info.dataloggingCapabilities!, bufferSize: 8 } } as DeviceInfo;
    const r = checkDlDraft({ ...dlDraft(), loopId: '0', signals: ['/v/big', 'time'] }, small, lookup);
    expect(r.ok ? null : r.errors.signals).toBe('One entry takes 12 bytes: more than the 8-byte buffer');
    const none = { ...info, supportedFeatures: { ...info.supportedFeatures, datalogging: false } } as DeviceInfo;
    expect(checkDlDraft(dlDraft(), none, lookup)).toEqual({ ok: false, errors: { form: 'The device does not support datalogging' } });
  });
});
