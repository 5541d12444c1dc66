import { describe, expect, it } from 'vitest';
import { nameErrors, plotsAfterRenames, signalRows, withName } from '../../renderer/src/protocols/lines/signal-edits';

describe('lines signal edits', () => {
  it('traces shown names back to the device fields', () => {
    expect(signalRows(['V', 'amps'], { volts: 'V' })).toEqual([{ field: 'volts', shown: 'V' }, { field: 'amps', shown: 'amps' }]);
  });

  it('keeps a rename entry only while the name differs from the field', () => {
    expect(withName({}, 'volts', 'V')).toEqual({ volts: 'V' });
    expect(withName({ volts: 'V' }, 'volts', 'volts')).toEqual({});
  });

  it('refuses empty and duplicate names, removed fields excepted', () => {
    const rows = [{ field: 'a', shown: 'a' }, { field: 'b', shown: 'b' }, { field: 'c', shown: 'c' }];
    expect(nameErrors(rows, { b: 'a', c: ' ' }, [])).toEqual({ b: '"a" is already the name of another signal', c: 'A signal needs a name' });
    expect(nameErrors(rows, { b: 'a' }, ['a'])).toEqual({});
  });

  it('moves plots of this session to the new names, not those of another session', () => {
    const plots = [{ id: 'p1', title: 'P', windowSeconds: 10, signals: [{ session: 'PSU', signal: 'volts' }, { session: 'Other', signal: 'volts' }] }];
    expect(plotsAfterRenames(plots, 'PSU', new Map([['volts', 'V']]))[0]!.signals).toEqual([{ session: 'PSU', signal: 'V' }, { session: 'Other', signal: 'volts' }]);
  });
});
