// The datalogger's configuration (DataLogControl.Configure): trigger condition and
// operands, the logged signals, and their encoding in the request payload.

import { parse, PayloadError, PayloadWriter, type Parsed } from './payload';

export type DlOperand =
  | { kind: 'literal'; value: number }
  | { kind: 'var'; type: number; address: number }
  | { kind: 'varbit'; type: number; address: number; bitOffset: number; bitSize: number }
  | { kind: 'rpv'; id: number };
export type DlSignal = { kind: 'memory'; address: number; size: number } | { kind: 'rpv'; id: number } | { kind: 'time' };

export const DL_CONDITIONS = ['alwaysTrue', 'eq', 'neq', 'lt', 'lte', 'gt', 'gte', 'changeMoreThan', 'isWithin'] as const;
export type DlCondition = (typeof DL_CONDITIONS)[number];
/** Operands each condition takes. */
export const DL_CONDITION_OPERANDS: Record<DlCondition, number> = {
  alwaysTrue: 0, eq: 2, neq: 2, lt: 2, lte: 2, gt: 2, gte: 2, changeMoreThan: 2, isWithin: 3,
};

export interface DlConfig {
  loopId: number;
  configId: number;
  decimation: number;
  probeLocation: number;
  timeout100ns: number;
  condition: number;
  holdTime100ns: number;
  operands: DlOperand[];
  signals: DlSignal[];
}

export function encodeDlConfig(c: DlConfig, addressSize: number): Uint8Array {
  const w = new PayloadWriter(64);
  w.u8(c.loopId).u16(c.configId).u16(c.decimation).u8(c.probeLocation).u32(c.timeout100ns).u8(c.condition).u32(c.holdTime100ns);
  w.u8(c.operands.length);
  for (const o of c.operands) {
    if (o.kind === 'literal') w.u8(0).f32(o.value);
    else if (o.kind === 'var') w.u8(1).u8(o.type).addr(o.address, addressSize);
    else if (o.kind === 'varbit') w.u8(2).u8(o.type).addr(o.address, addressSize).u8(o.bitOffset).u8(o.bitSize);
    else w.u8(3).u16(o.id);
  }
  w.u8(c.signals.length);
  for (const s of c.signals) {
    if (s.kind === 'memory') w.u8(0).addr(s.address, addressSize).u8(s.size);
    else if (s.kind === 'rpv') w.u8(1).u16(s.id);
    else w.u8(2);
  }
  return w.done();
}

export function decodeDlConfig(p: Uint8Array, addressSize: number): Parsed<DlConfig> {
  return parse('DataLogControl.Configure request', p, (r) => {
    const c: DlConfig = {
      loopId: r.u8(), configId: r.u16(), decimation: r.u16(), probeLocation: r.u8(), timeout100ns: r.u32(),
      condition: r.u8(), holdTime100ns: r.u32(), operands: [], signals: [],
    };
    const nOps = r.u8();
    if (nOps > 3) throw new PayloadError(`${nOps} operands (at most 3 expected)`);
    for (let i = 0; i < nOps; i++) {
      const k = r.u8();
      if (k === 0) c.operands.push({ kind: 'literal', value: r.f32() });
      else if (k === 1) c.operands.push({ kind: 'var', type: r.u8(), address: r.addr(addressSize) });
      else if (k === 2) c.operands.push({ kind: 'varbit', type: r.u8(), address: r.addr(addressSize), bitOffset: r.u8(), bitSize: r.u8() });
      else if (k === 3) c.operands.push({ kind: 'rpv', id: r.u16() });
      else throw new PayloadError(`operand kind ${k} (0..3 expected)`);
    }
    const nSig = r.u8();
    for (let i = 0; i < nSig; i++) {
      const k = r.u8();
      if (k === 0) c.signals.push({ kind: 'memory', address: r.addr(addressSize), size: r.u8() });
      else if (k === 1) c.signals.push({ kind: 'rpv', id: r.u16() });
      else if (k === 2) c.signals.push({ kind: 'time' });
      else throw new PayloadError(`signal kind ${k} (0..2 expected)`);
    }
    return c;
  });
}
