// A field's name to the id of its signal: registered through the sink once per new name,
// renamed or removed as the options say, and refused past the signal limit.
//
// Hot-path invariant: a known name reaches its id from its bytes (SignalNameTable), with no
// string made; strings are made only for new names.

import type { LinesOptions } from '../../../shared/api/lines-options';
import type { LinesSink } from './codec';
import type { LineErrors } from './line-errors';
import { NAME_NOT_FOUND, SignalNameTable } from './signal-names';

/** Signal id stand-ins: a name past the signal limit, a name that cannot be a signal name, a name the user removed. */
const REFUSED = -2;
export const INVALID_NAME = -3;
const REMOVED = -4;

const MAX_NAME_BYTES = 128;

export class SignalIds {
  private readonly names = new SignalNameTable();
  private signalCount = 0;
  private limitReported = false;
  private readonly renamed: Map<string, string>;
  private readonly removed: Set<string>;
  private readonly maxSignals: number;
  private readonly utf8 = new TextDecoder('utf-8', { fatal: true });
  private readonly encoder = new TextEncoder();

  constructor(opts: LinesOptions, private readonly sink: LinesSink, private readonly errors: LineErrors) {
    this.renamed = new Map(Object.entries(opts.rename));
    this.removed = new Set(opts.remove);
    this.maxSignals = opts.maxSignals;
  }

  byName(name: string): number {
    const bytes = this.encoder.encode(name);
    return this.byBytes(bytes, 0, bytes.length);
  }

  /** The signal id of the name b[s..e): cached, else registered through the sink (once per name); negative when there is none. */
  byBytes(b: Uint8Array, s: number, e: number): number {
    const known = this.names.find(b, s, e);
    if (known !== NAME_NOT_FOUND) return known;
    const name = this.nameOf(b, s, e);
    if (name === null) return INVALID_NAME;
    const max = this.maxSignals;
    if (this.removed.has(name)) {
      if (this.names.size < 4 * max) this.names.add(b, s, e, REMOVED);
      return REMOVED;
    }
    if (this.signalCount >= max) {
      if (!this.limitReported) {
        this.limitReported = true;
        this.errors.lastError = `line ${this.errors.lineNo}: ${max} signals already, new names such as "${name.slice(0, 40)}" are ignored`;
      }
      // Remember refusals too, but not without bound: a device may invent a name per line.
      if (this.names.size < 4 * max) this.names.add(b, s, e, REFUSED);
      return REFUSED;
    }
    const id = this.sink.signal(this.renamed.get(name) ?? name);
    this.signalCount++;
    this.names.add(b, s, e, id);
    return id;
  }

  /** The name b[s..e) if it can name a signal: valid UTF-8, no control characters, 1 to 128 bytes. */
  nameOf(b: Uint8Array, s: number, e: number): string | null {
    if (e <= s || e - s > MAX_NAME_BYTES) return null;
    for (let k = s; k < e; k++) if (b[k]! < 0x20 || b[k] === 0x7f) return null;
    try {
      return this.utf8.decode(b.subarray(s, e));
    } catch {
      return null;
    }
  }
}
