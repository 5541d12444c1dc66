// The DCS configuration of a new session, in forms (see DcsConfigEditor).
import type { OptionsFieldsProps } from '../registry';
import { DcsConfigEditor } from './DcsConfigEditor';
import './dcs.css';
import type { DcsOptionsDraft } from './options';

export function DcsOptionsFields({ idPrefix, draft, onChange, errors }: OptionsFieldsProps<DcsOptionsDraft>) {
  return (
    <div className="field grow">
      <span className="field-hint">Hardware servers allowed to connect and their devices. The default is the emulator's "simdhs" (npm run emulate -- dcs).</span>
      <DcsConfigEditor idPrefix={`${idPrefix}-dcs`} value={draft.config} errors={errors} onChange={(config) => onChange({ config })} />
    </div>
  );
}
