// CSV lines: fields split by a fixed or detected separator, named by a header line (the
// first line that is not all numbers, or a later line of text fields only).
//
// Hot-path invariants (the decode+store budget depends on them):
// - No object or string per field: fields are found and parsed in place, numbers read from
//   bytes, and each column reaches its signal id through a cache keyed by column.
// - The per-field scratch is allocated once, in the constructor, sized from maxLineLength.
// - A line is all or nothing: a line with a text field among numbers yields no samples.

import type { LinesOptions } from '../../../shared/api/lines-options';
import { COMMA, QUOTE, SEMI, SP, TAB } from './ascii';
import type { LinesCounters, LinesSink } from './codec';
import { DecimalScanner } from './decimal';
import type { DeviceTime } from './device-time';
import type { LineErrors } from './line-errors';
import type { SignalIds } from './signal-ids';

const EMPTY = 0;
const NUMBER = 1;
const TEXT = 2;

const SEPARATOR_CODES = { ',': COMMA, ';': SEMI, '\t': TAB, ' ': SP } as const;

export class CsvLines {
  private readonly num = new DecimalScanner();
  private readonly fixedSep: number;
  private readonly kind: Uint8Array;
  private readonly fieldStart: Int32Array;
  private readonly fieldEnd: Int32Array;
  private readonly fieldValue: Float64Array;
  /** The signal id per column, -1 until resolved. */
  private readonly colIds: Int32Array;
  private headerNames: string[] | null = null;
  /** A header or a data line has been accepted: later headers need at least two all-text fields. */
  private started = false;
  private seen = false;
  private tsColumn = -1;

  constructor(
    private readonly opts: LinesOptions,
    private readonly sink: LinesSink,
    private readonly counters: LinesCounters,
    private readonly ids: SignalIds,
    private readonly time: DeviceTime,
    private readonly errors: LineErrors,
  ) {
    const max = opts.maxLineLength;
    this.fixedSep = opts.separator === 'auto' ? 0 : SEPARATOR_CODES[opts.separator];
    // A line of L bytes has at most L + 1 fields.
    this.kind = new Uint8Array(max + 2);
    this.fieldStart = new Int32Array(max + 2);
    this.fieldEnd = new Int32Array(max + 2);
    this.fieldValue = new Float64Array(max + 2);
    this.colIds = new Int32Array(max + 2).fill(-1);
    this.resolveTimestampColumn();
  }

  /**
   * The timestamp column named in the options while no CSV header naming it has come (the
   * device printed its header before the port opened): null when nothing is awaited.
   */
  get awaitedHeader(): string | null {
    return this.seen && this.awaitingNamedColumn() ? this.opts.timestampColumn : null;
  }

  /** Carries the header and what has been seen over from the CSV state that new options replace. */
  continueFrom(previous: CsvLines): void {
    if (this.opts.header !== 'absent') this.headerNames = previous.headerNames;
    this.started = previous.started;
    this.seen = previous.seen;
    this.resolveTimestampColumn();
  }

  /** The line b[s..e), trimmed and not a comment: a header or data. */
  decode(b: Uint8Array, s: number, e: number, t: number): boolean {
    return this.line(b, s, e, t, this.separatorFor(b, s, e));
  }

  /** The fixed separator, or the first of `,` `;` tab space that the line contains, in that order. */
  private separatorFor(b: Uint8Array, s: number, e: number): number {
    if (this.fixedSep !== 0) return this.fixedSep;
    let seen = 0;
    for (let k = s; k < e; k++) {
      const c = b[k];
      if (c === COMMA) return COMMA;
      if (c === SEMI) seen |= 1;
      else if (c === TAB) seen |= 2;
      else if (c === SP) seen |= 4;
    }
    return seen & 1 ? SEMI : seen & 2 ? TAB : seen & 4 ? SP : COMMA;
  }

  private line(b: Uint8Array, s: number, e: number, t: number, sep: number): boolean {
    const num = this.num;
    const kind = this.kind;
    const fieldStart = this.fieldStart;
    const fieldEnd = this.fieldEnd;
    const fieldValue = this.fieldValue;
    // Blanks around fields are trimmed; a tab is a blank unless it separates fields.
    const tabIsBlank = sep !== TAB;
    let count = 0;
    let texts = 0;
    let k = s;
    for (;;) {
      while (k < e && (b[k] === SP || (b[k] === TAB && tabIsBlank))) k++;
      const start = k;
      let v = num.scan(b, k, e);
      const stop = num.end;
      let q = stop;
      while (q < e && b[q] !== sep && (b[q] === SP || (b[q] === TAB && tabIsBlank))) q++;
      fieldStart[count] = start;
      if (stop > start && (q === e || b[q] === sep)) {
        kind[count] = NUMBER;
        fieldValue[count] = v;
        fieldEnd[count] = stop;
      } else {
        while (q < e && b[q] !== sep) q++;
        let end = q;
        while (end > start && (b[end - 1] === SP || b[end - 1] === TAB)) end--;
        fieldEnd[count] = end;
        if (end === start) {
          kind[count] = EMPTY;
        } else {
          v = num.parseField(b, start, end);
          if (num.ok) {
            kind[count] = NUMBER;
            fieldValue[count] = v;
          } else {
            kind[count] = TEXT;
            texts++;
          }
        }
      }
      count++;
      if (q >= e) break;
      k = q + 1;
    }

    this.seen = true;
    const header = this.opts.header;
    const awaiting = this.awaitingNamedColumn();
    if (header !== 'absent' && (texts > 0 || (header === 'present' && !this.started))) {
      // The first line that is not all numbers names the columns; later, a line of text fields only
      // (at least two, so a one-word message does not rename a column) is a new header. While a
      // timestamp column named in the options has not been seen, a numeric line is not its header
      // and a line naming it is, whenever it comes.
      if ((awaiting && this.fieldsInclude(b, count, this.time.name!)) || (!this.started && !(awaiting && texts === 0))
        || (texts === count && count >= 2)) return this.header(b, count);
    }
    if (texts > 0) {
      let bad = 0;
      while (kind[bad] !== TEXT) bad++;
      return this.errors.fail(`field "${this.columnName(bad)}" is not a number: ${this.errors.excerpt(b, fieldStart[bad]!, fieldEnd[bad]!)}`);
    }
    this.started = true;

    let at = t;
    if (this.opts.timestampColumn !== null) {
      const tc = this.tsColumn;
      if (tc < 0) {
        const want = this.opts.timestampColumn;
        return this.errors.fail(this.headerNames === null
          ? `waiting for a header line naming the timestamp column "${want}" (the device may have printed it before the port opened)`
          : `timestamp column "${want}" is not in the header (${this.headerNames.join(', ')}): waiting for a header line naming it`);
      }
      if (tc >= count || kind[tc] !== NUMBER) return this.errors.fail(`no timestamp in column ${tc + 1} ("${this.columnName(tc)}")`);
      at = this.time.toEpoch(fieldValue[tc]!, t);
      if (Number.isNaN(at)) return this.errors.fail(`timestamp in column ${tc + 1} is not a finite number`);
    }
    const colIds = this.colIds;
    const sink = this.sink;
    let samples = 0;
    for (let col = 0; col < count; col++) {
      if (kind[col] !== NUMBER || col === this.tsColumn) continue;
      let id = colIds[col]!;
      if (id === -1) id = colIds[col] = this.ids.byName(this.columnName(col));
      if (id < 0) continue;
      sink.sample(id, at, fieldValue[col]!);
      samples++;
    }
    this.counters.samples += samples;
    return true;
  }

  private header(b: Uint8Array, count: number): boolean {
    const names: string[] = [];
    for (let col = 0; col < count; col++) {
      let s = this.fieldStart[col]!;
      let e = this.fieldEnd[col]!;
      if (e - s >= 2 && b[s] === QUOTE && b[e - 1] === QUOTE) {
        s++;
        e--;
      }
      if (s === e) {
        names.push(`field${col + 1}`);
        continue;
      }
      const name = this.ids.nameOf(b, s, e);
      if (name === null) return this.errors.fail(`header field ${col + 1} is not a usable name: ${this.errors.excerpt(b, s, e)}`);
      names.push(name);
    }
    this.headerNames = names;
    this.colIds.fill(-1);
    this.started = true;
    this.counters.headers++;
    this.resolveTimestampColumn();
    return true;
  }

  private awaitingNamedColumn(): boolean {
    return this.time.name !== null && this.time.columnIndex < 0 && this.tsColumn < 0;
  }

  /** Whether one of the line's fields (quotes stripped) is exactly `name`. */
  private fieldsInclude(b: Uint8Array, count: number, name: Uint8Array): boolean {
    for (let col = 0; col < count; col++) {
      let s = this.fieldStart[col]!;
      let e = this.fieldEnd[col]!;
      if (e - s >= 2 && b[s] === QUOTE && b[e - 1] === QUOTE) {
        s++;
        e--;
      }
      if (e - s !== name.length) continue;
      let k = 0;
      while (k < name.length && b[s + k] === name[k]) k++;
      if (k === name.length) return true;
    }
    return false;
  }

  private columnName(col: number): string {
    return this.headerNames?.[col] ?? `field${col + 1}`;
  }

  private resolveTimestampColumn(): void {
    const want = this.opts.timestampColumn;
    const byName = want === null ? -1 : (this.headerNames?.indexOf(want) ?? -1);
    this.tsColumn = byName >= 0 ? byName : this.time.columnIndex;
  }
}
