// Options of the generic `lines` protocol (a device printing text lines of CSV,
// key=value pairs or JSON objects). One schema serves the hub (validation), the
// forms (defaults and inline errors) and the decoder.
import { z } from 'zod';

export const LINES_FORMATS = ['auto', 'csv', 'kv', 'json'] as const;
export const LINES_SEPARATORS = ['auto', ',', ';', '\t', ' '] as const;
export const LINES_HEADER_MODES = ['auto', 'present', 'absent'] as const;
export const LINES_TIMESTAMP_UNITS = ['s', 'ms', 'us'] as const;

export const LINES_FORMAT_LABELS: Record<(typeof LINES_FORMATS)[number], string> = {
  auto: 'Auto (per line)',
  csv: 'CSV',
  kv: 'key=value pairs',
  json: 'JSON object per line',
};

export const LinesOptionsSchema = z.object({
  /** auto decides per line: `{` starts JSON, `name=value` / `name:value` pairs are kv, anything else CSV. */
  format: z.enum(LINES_FORMATS, { error: 'Format must be auto, csv, kv or json' }).default('auto'),
  /** auto: per line, the first of `,` `;` tab space that the line contains, in that order. */
  separator: z.enum(LINES_SEPARATORS, { error: 'Separator must be auto, comma, semicolon, tab or space' }).default('auto'),
  /** auto: the first CSV line whose fields are not all numeric names the columns; absent: columns are field1..N. */
  header: z.enum(LINES_HEADER_MODES, { error: 'Header must be auto, present or absent' }).default('auto'),
  /**
   * A column name, or a 1-based column index written as a string, whose value is the
   * sample time instead of the receive time. Values below 1e8 s (before 1973) are taken
   * as time since device start and anchored to the receive time of the first one.
   */
  timestampColumn: z.string().trim().min(1, 'Timestamp column cannot be empty (use none)')
    .max(128, 'Timestamp column name is too long').nullable().default(null),
  timestampUnit: z.enum(LINES_TIMESTAMP_UNITS, { error: 'Timestamp unit must be s, ms or us' }).default('s'),
  /** Longer lines are counted, reported and skipped up to the next newline. */
  maxLineLength: z.number({ error: 'Maximum line length must be a number' }).int('Maximum line length must be a whole number')
    .min(16, 'Maximum line length is at least 16 bytes').max(1 << 20, 'Maximum line length is at most 1 MiB').default(4096),
  /** Guards the store against a device inventing a new field name on every line. */
  maxSignals: z.number({ error: 'Maximum signal count must be a number' }).int('Maximum signal count must be a whole number')
    .min(1, 'Maximum signal count is at least 1').max(4096, 'Maximum signal count is at most 4096').default(256),
  /** Signals shown under another name: the device's field name to the name shown (history is kept across a rename). */
  rename: z.record(
    z.string().min(1).max(128),
    z.string().trim().min(1, 'A signal name cannot be empty').max(128, 'A signal name is at most 128 characters'),
  ).refine((r) => Object.keys(r).length <= 4096, 'At most 4096 renamed signals')
    .refine((r) => new Set(Object.values(r)).size === Object.values(r).length, 'Two signals cannot be renamed to the same name')
    .default({}),
  /** The device's field names that are not made into signals (removed by the user). */
  remove: z.array(z.string().min(1).max(128)).max(4096, 'At most 4096 removed signals').default([]),
}).strict();

export type LinesOptions = z.infer<typeof LinesOptionsSchema>;
export type LinesOptionsInput = z.input<typeof LinesOptionsSchema>;
