// The Scrutiny action table lives in shared/ (no codec there), so the two checks it
// repeats from the codec are held to the codec's answers here: which type names a
// request may give, and which hex strings are bytes.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fromHex } from '../../main/protocols/scrutiny/hex';
import { isNumericType, typeFromName } from '../../main/protocols/scrutiny/value-types';
import { isHexBytes, SCRUTINY_NUMERIC_TYPE, ScrutinyActionTable } from '../../shared/api/scrutiny';

describe('Scrutiny action table', () => {
  it('accepts exactly the type names the codec reads as numeric', () => {
    const names: string[] = [];
    for (const kind of ['sint', 'int', 'uint', 'float', 'bool', 'cfloat', 'char', 'Uint', ''])
      for (const bits of ['8', '16', '32', '64', '128', '256', '7', '']) names.push(kind + bits, ` ${kind}${bits}`, `${kind}${bits}x`);
    for (const name of names) {
      const t = typeFromName(name);
      expect(SCRUTINY_NUMERIC_TYPE.test(name), name).toBe(t !== null && isNumericType(t));
    }
  });

  it('takes a string as hex bytes exactly when the codec decodes it', () => {
    fc.assert(fc.property(fc.string({ unit: fc.constantFrom('0', '7', 'a', 'F', 'g', ' ', ':', '\n', 'x'), maxLength: 40 }), (s) => {
      expect(isHexBytes(s)).toBe(fromHex(s) !== null);
    }), { numRuns: 2000 });
  });

  it('refuses a write of an unknown type with the path of the problem', () => {
    const r = ScrutinyActionTable.writeVariable.args.safeParse({ address: 16, type: 'float16', value: 1 });
    expect(r.success).toBe(false);
    expect(r.error!.issues.map((i) => i.path.join('.'))).toEqual(['type']);
  });
});
