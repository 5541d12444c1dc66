// SEGGER RTT over a J-Link probe.
import { JLINK_INTERFACES } from '../../../shared/api/link-config';
import { SelectField, TextField, choicesOf } from './fields';
import type { LinkDraft } from './link-draft';
import type { SubFormProps } from './sub-form';

export function RttLinkFields({ idPrefix, draft, onChange, errors }: SubFormProps<LinkDraft['rtt']>) {
  return (
    <div className="field-row">
      <TextField
        id={`${idPrefix}-target-device`}
        label="Target device"
        value={draft.target_device}
        onChange={(target_device) => onChange({ ...draft, target_device })}
        error={errors.target_device}
        placeholder="STM32F407VG"
        className="grow"
      />
      <SelectField
        id={`${idPrefix}-jlink-interface`}
        label="J-Link interface"
        value={draft.jlink_interface}
        choices={choicesOf(JLINK_INTERFACES, (v) => v.toUpperCase())}
        onChange={(jlink_interface) => onChange({ ...draft, jlink_interface })}
        error={errors.jlink_interface}
      />
    </div>
  );
}
