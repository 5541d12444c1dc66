// The lines protocol's options as the New session form holds them.
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
}

export function linesOptionsDraft(): LinesOptionsDraft {
  const d = LinesOptionsSchema.parse({});
  return {
    format: d.format,
    separator: d.separator,
    header: d.header,
    timestampColumn: d.timestampColumn ?? '',
    timestampUnit: d.timestampUnit,
    maxLineLength: String(d.maxLineLength),
    maxSignals: String(d.maxSignals),
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
  });
  return parsed.success ? { ok: true, options: parsed.data } : { ok: false, errors: fieldErrors(parsed.error.issues) };
}
