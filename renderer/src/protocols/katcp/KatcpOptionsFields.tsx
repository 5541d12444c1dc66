// Options of a KATCP session: liveness check, request timeout, strategies set at every connection.
import { TextField } from '../../forms/fields';
import type { OptionsFieldsProps } from '../registry';
import type { KatcpOptionsDraft } from './options';

export function KatcpOptionsFields({ idPrefix, draft, onChange, errors }: OptionsFieldsProps<KatcpOptionsDraft>) {
  const p = `${idPrefix}-katcp`;
  const field = <K extends keyof KatcpOptionsDraft>(k: K) => ({
    value: draft[k],
    onChange: (v: string) => onChange({ ...draft, [k]: v }),
    error: errors[k],
  });
  return (
    <>
      <div className="field-row">
        <TextField id={`${p}-watchdog`} label="Watchdog every (s)" inputMode="decimal" className="narrow" hint="0 turns ?watchdog off" {...field('watchdogS')} />
        <TextField id={`${p}-timeout`} label="Request timeout (s)" inputMode="decimal" className="narrow" {...field('requestTimeoutS')} />
      </div>
      <div className="field grow">
        <label htmlFor={`${p}-sampling`}>Sampling at connect</label>
        <textarea
          id={`${p}-sampling`}
          className="mono"
          rows={3}
          spellCheck={false}
          placeholder={'/antenna/ period 0.1\nrx.temperature event'}
          value={draft.sampling}
          onChange={(e) => onChange({ ...draft, sampling: e.target.value })}
          aria-invalid={errors.sampling ? true : undefined}
          aria-describedby={`${p}-sampling-note`}
        />
        {errors.sampling
          ? <span id={`${p}-sampling-note`} role="alert" className="field-error">{errors.sampling}</span>
          : <span id={`${p}-sampling-note`} className="field-hint">One rule a line: sensor name or /regex/, strategy, parameters (seconds)</span>}
      </div>
    </>
  );
}
