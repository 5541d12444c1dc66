// Options of a hexrot session: generation, layout (built in or pasted), command timeout.
import { SelectField, TextField } from '../../forms/fields';
import type { OptionsFieldsProps } from '../registry';
import { LayoutEditor } from './LayoutEditor';
import { HEXROT_GENERATIONS, HEXROT_LAYOUT_CHOICES, HEXROT_LEGACY_HEADERS, type HexrotOptionsDraft } from './options';

export function HexrotOptionsFields({ idPrefix, draft, onChange, errors }: OptionsFieldsProps<HexrotOptionsDraft>) {
  const p = `${idPrefix}-hexrot`;
  const field = <K extends keyof HexrotOptionsDraft>(k: K) => ({
    value: draft[k],
    onChange: (v: string) => onChange({ ...draft, [k]: v }),
    error: errors[k],
  });
  return (
    <>
      <div className="field-row">
        <SelectField id={`${p}-generation`} label="Generation" choices={HEXROT_GENERATIONS} {...field('generation')} />
        <SelectField id={`${p}-layout`} label="Layout" choices={HEXROT_LAYOUT_CHOICES} {...field('layoutChoice')} />
        {draft.generation === 'legacy'
          ? <SelectField id={`${p}-legacy-header`} label="Header" choices={HEXROT_LEGACY_HEADERS} {...field('legacyHeader')} />
          : <TextField id={`${p}-timeout`} label="Command timeout (s)" inputMode="decimal" className="narrow" {...field('commandTimeoutS')} />}
      </div>
      {draft.layoutChoice === 'custom' ? (
        <>
          <TextField id={`${p}-layout-name`} label="Layout name" placeholder="custom layout" {...field('layoutName')} />
          <div className="field grow">
            <label htmlFor={`${p}-layout-text`}>Layout text</label>
            <LayoutEditor
              id={`${p}-layout-text`}
              value={draft.layoutText}
              onChange={(layoutText) => onChange({ ...draft, layoutText })}
              error={errors.layoutText ?? errors.layout}
              describedBy={`${p}-layout-text-${errors.layoutText || errors.layout ? 'error' : 'hint'}`}
            />
            {errors.layoutText || errors.layout
              ? <span id={`${p}-layout-text-error`} role="alert" className="field-error">{errors.layoutText ?? errors.layout}</span>
              : <span id={`${p}-layout-text-hint`} className="field-hint">Packed structures as C structs (double, uint32_t, c_double, c_uint…) or ctypes classes with _fields_, little-endian unless "#pragma endian big"; "#pragma config|telemetry Struct frameId"; "#pragma command NAME code "param1 meaning" …"; "#pragma unit field mm"; "#pragma enum field NAME=value …"</span>}
          </div>
        </>
      ) : null}
    </>
  );
}
