// Options of a Scrutiny session: polling rate, RPV polling, request timeout, memory byte order.
import { CheckField, SelectField, TextField } from '../../forms/fields';
import type { OptionsFieldsProps } from '../registry';
import { SCRUTINY_ENDIANNESS, type ScrutinyOptionsDraft } from './options';

export function ScrutinyOptionsFields({ idPrefix, draft, onChange, errors }: OptionsFieldsProps<ScrutinyOptionsDraft>) {
  const p = `${idPrefix}-scrutiny`;
  const text = (k: 'pollHz' | 'requestTimeoutMs') => ({
    value: draft[k],
    onChange: (v: string) => onChange({ ...draft, [k]: v }),
    error: errors[k],
  });
  return (
    <>
    <div className="field-row">
      <TextField id={`${p}-poll`} label="Poll rate (cycles/s)" hint="Empty: as fast as the device answers" inputMode="decimal" className="narrow" {...text('pollHz')} />
      <TextField id={`${p}-timeout`} label="Request timeout (ms)" inputMode="numeric" className="narrow" {...text('requestTimeoutMs')} />
      <SelectField
        id={`${p}-endianness`} label="Memory byte order" choices={SCRUTINY_ENDIANNESS}
        value={draft.memoryEndianness} onChange={(v) => onChange({ ...draft, memoryEndianness: v })} error={errors.memoryEndianness}
      />
      <CheckField id={`${p}-rpvs`} label="Poll RPVs" checked={draft.pollRpvs} onChange={(v) => onChange({ ...draft, pollRpvs: v })} />
    </div>
    <TextField
      id={`${p}-watch`} label="Watch at connect" hint="Paths of the firmware description, comma separated"
      value={draft.watchPaths} onChange={(v) => onChange({ ...draft, watchPaths: v })} error={errors.watchPaths}
    />
    </>
  );
}
