// The lines protocol's options as the New session form and a running session's
// options panel hold them.
import {
  LinesOptionsSchema, type LinesOptions,
} from '../../../shared/api/lines-options';
import { fieldErrors, parseNumber, type FieldErrors } from './link-draft';

export interface LinesOptionsDraft {
  format: string;
  separator: string;
  header: string;
  /** Empty: samples are stamped with their receive time. */
  timestampColumn: string;
  timestampUnit: string;
  maxLineLength: string;
  maxSignals: string;
  /** Renamed and removed signals: edited in the signal list, not in these fields, and kept as they are. */
  rename: Record<string, string>;
  remove: string[];
}

export function linesOptionsDraft(options: unknown = {}): LinesOptionsDraft {
  const parsed = LinesOptionsSchema.safeParse(options);
  const d = parsed.success ? parsed.data : LinesOptionsSchema.parse({});
  return {
    format: d.format,
    separator: d.separator,
    header: d.header,
    timestampColumn: d.timestampColumn ?? '',
    timestampUnit: d.timestampUnit,
    maxLineLength: String(d.maxLineLength),
    maxSignals: String(d.maxSignals),
    rename: d.rename,
    remove: d.remove,
  };
}

export function validateLinesOptions(d: LinesOptionsDraft): { ok: true; options: LinesOptions } | { ok: false; errors: FieldErrors } {
  const parsed = LinesOptionsSchema.safeParse({
    format: d.format,
    separator: d.separator,
    header: d.header,
    timestampColumn: d.timestampColumn.trim() === '' ? null : d.timestampColumn,
    timestampUnit: d.timestampUnit,
    maxLineLength: parseNumber(d.maxLineLength),
    maxSignals: parseNumber(d.maxSignals),
    rename: d.rename,
    remove: d.remove,
  });
  return parsed.success ? { ok: true, options: parsed.data } : { ok: false, errors: fieldErrors(parsed.error.issues) };
}
