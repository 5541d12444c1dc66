// key=value lines: `name=value` or `name:value` pairs separated by commas, semicolons or
// blanks; quoted and other text values are not signals.
//
// Hot-path invariant: no string per pair: names reach their signal ids from their bytes
// (SignalIds) and values are read from bytes; samples are staged until the line is good.

import { COLON, EQ, QUOTE, SP, isPairSeparator, startsLikeNumber } from './ascii';
import { DecimalScanner } from './decimal';
import type { DeviceTime } from './device-time';
import type { LineErrors } from './line-errors';
import { INVALID_NAME, type SignalIds } from './signal-ids';
import type { StagedSamples } from './staged-samples';

/** A kv line starts with a name (not a number) followed by `=` or `:`, spaces allowed before it. */
export function looksLikeKv(b: Uint8Array, s: number, e: number): boolean {
  if (s >= e || startsLikeNumber(b[s]!)) return false; // the common numeric CSV line leaves here
  let k = s;
  while (k < e) {
    const c = b[k]!;
    if (c === EQ || c === COLON) break;
    if (isPairSeparator(c)) break;
    k++;
  }
  if (k === s) return false;
  while (k < e && b[k] === SP) k++;
  return k < e && (b[k] === EQ || b[k] === COLON);
}

export class KvLines {
  private readonly num = new DecimalScanner();

  constructor(
    private readonly ids: SignalIds,
    private readonly staged: StagedSamples,
    private readonly time: DeviceTime,
    private readonly errors: LineErrors,
  ) {}

  /** The line b[s..e), trimmed and not a comment. */
  decode(b: Uint8Array, s: number, e: number, t: number): boolean {
    const num = this.num;
    const errors = this.errors;
    this.staged.clear();
    let hasTime = false;
    let time = NaN;
    let k = s;
    for (;;) {
      while (k < e && isPairSeparator(b[k]!)) k++;
      if (k >= e) break;
      const ns = k;
      while (k < e && b[k] !== EQ && b[k] !== COLON && !isPairSeparator(b[k]!)) k++;
      const ne = k;
      while (k < e && b[k] === SP) k++;
      if (ne === ns || k >= e || (b[k] !== EQ && b[k] !== COLON)) return errors.fail(`expected name=value, got ${errors.excerpt(b, ns, e)}`);
      k++;
      const afterSign = k;
      while (k < e && b[k] === SP) k++;
      // In "n= rpm=3" the value of n is empty and "rpm=3" the next pair.
      if (k > afterSign && looksLikeKv(b, k, e)) continue;
      const vs = k;
      if (k < e && b[k] === QUOTE) {
        // A quoted text value: not a signal.
        k++;
        while (k < e && b[k] !== QUOTE) k++;
        if (k >= e) return errors.fail(`unterminated quoted value of ${errors.excerpt(b, ns, ne)}`);
        k++;
        continue;
      }
      while (k < e && !isPairSeparator(b[k]!)) k++;
      if (k === vs) continue;
      const v = num.parseField(b, vs, k);
      if (!num.ok) {
        if (startsLikeNumber(b[vs]!)) return errors.fail(`field ${errors.excerpt(b, ns, ne)} is not a number: ${errors.excerpt(b, vs, k)}`);
        continue; // a text value such as state=idle: not a signal
      }
      if (this.time.isName(b, ns, ne)) {
        hasTime = true;
        time = v;
        continue;
      }
      const id = this.ids.byBytes(b, ns, ne);
      if (id === INVALID_NAME) return errors.fail(`field name ${errors.excerpt(b, ns, ne)} is not usable`);
      if (id >= 0) this.staged.add(id, v);
    }
    return this.staged.commit(t, hasTime, time);
  }
}
