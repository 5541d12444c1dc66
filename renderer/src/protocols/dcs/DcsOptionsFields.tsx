// The DCS configuration of a session: hardware servers and their devices, as JSON.
import type { OptionsFieldsProps } from '../registry';
import { DCS_CONFIGURATION_EXAMPLE, type DcsOptionsDraft } from './options';

export function DcsOptionsFields({ idPrefix, draft, onChange, errors }: OptionsFieldsProps<DcsOptionsDraft>) {
  const id = `${idPrefix}-dcs-configuration`;
  return (
    <div className="field grow">
      <label htmlFor={id}>DCS configuration (hardware servers and their devices)</label>
      <textarea
        id={id}
        className="mono"
        rows={8}
        spellCheck={false}
        placeholder={DCS_CONFIGURATION_EXAMPLE}
        value={draft.configuration}
        onChange={(e) => onChange({ configuration: e.target.value })}
        aria-invalid={errors.configuration ? true : undefined}
        aria-describedby={`${id}-note`}
      />
      {errors.configuration
        ? <span id={`${id}-note`} role="alert" className="field-error">{errors.configuration}</span>
        : <span id={`${id}-note`} className="field-hint">Empty: hardware server "simdhs" with the emulator's devices (npm run emulate -- dcs). Address * accepts any.</span>}
    </div>
  );
}
