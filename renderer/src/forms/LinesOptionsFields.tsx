// Options of the lines protocol: how a text line is split into samples.
import {
  LINES_FORMATS, LINES_FORMAT_LABELS, LINES_HEADER_MODES, LINES_SEPARATORS, LINES_TIMESTAMP_UNITS,
} from '../../../shared/api/lines-options';
import { SelectField, TextField, choicesOf } from './fields';
import type { FieldErrors } from './link-draft';
import type { LinesOptionsDraft } from './lines-options-draft';

const SEPARATOR_LABELS: Record<(typeof LINES_SEPARATORS)[number], string> = {
  auto: 'Auto', ',': 'Comma ,', ';': 'Semicolon ;', '\t': 'Tab', ' ': 'Space',
};
const HEADER_LABELS: Record<(typeof LINES_HEADER_MODES)[number], string> = {
  auto: 'Auto (detect)', present: 'First line is a header', absent: 'No header (field1…N)',
};

export function LinesOptionsFields({ idPrefix, draft, onChange, errors }: {
  idPrefix: string;
  draft: LinesOptionsDraft;
  onChange(draft: LinesOptionsDraft): void;
  errors: FieldErrors;
}) {
  const p = `${idPrefix}-lines`;
  const field = <K extends keyof LinesOptionsDraft>(k: K) => ({
    value: draft[k],
    onChange: (v: string) => onChange({ ...draft, [k]: v }),
    error: errors[k],
  });
  return (
    <>
      <div className="field-row">
        <SelectField id={`${p}-format`} label="Format" choices={LINES_FORMATS.map((f) => ({ value: f, label: LINES_FORMAT_LABELS[f] }))} {...field('format')} />
        <SelectField id={`${p}-separator`} label="Separator" choices={LINES_SEPARATORS.map((s) => ({ value: s, label: SEPARATOR_LABELS[s] }))} {...field('separator')} />
        <SelectField id={`${p}-header`} label="Header" choices={LINES_HEADER_MODES.map((h) => ({ value: h, label: HEADER_LABELS[h] }))} {...field('header')} />
      </div>
      <div className="field-row">
        <TextField id={`${p}-timestamp-column`} label="Timestamp column" placeholder="receive time"
          hint="name or 1-based index; empty = receive time" className="grow" {...field('timestampColumn')} />
        <SelectField id={`${p}-timestamp-unit`} label="Timestamp unit" choices={choicesOf(LINES_TIMESTAMP_UNITS)} {...field('timestampUnit')} />
        <TextField id={`${p}-max-line-length`} label="Max line length" inputMode="numeric" className="narrow" {...field('maxLineLength')} />
        <TextField id={`${p}-max-signals`} label="Max signals" inputMode="numeric" className="narrow" {...field('maxSignals')} />
      </div>
    </>
  );
}
