// UDP, TCP client and TCP server links: an address and a port.
import type { HostPortDraft } from './link-draft';
import { TextField } from './fields';
import type { SubFormProps } from './sub-form';

export function NetLinkFields({ idPrefix, draft, onChange, errors, listen, twoPorts = false }: SubFormProps<HostPortDraft> & { listen: boolean; twoPorts?: boolean }) {
  return (
    <div className="field-row">
      <TextField
        id={`${idPrefix}-host`}
        label={listen ? 'Listen address' : 'Host'}
        value={draft.host}
        onChange={(host) => onChange({ ...draft, host })}
        error={errors.host}
        placeholder={listen ? '127.0.0.1 or 0.0.0.0' : '192.168.0.10'}
        className="grow"
      />
      <TextField
        id={`${idPrefix}-port`}
        label={twoPorts ? 'Telemetry port' : 'Port'}
        value={draft.port}
        onChange={(port) => onChange({ ...draft, port })}
        error={errors.port}
        inputMode="numeric"
        hint={twoPorts ? 'commands on the next port; 0 = free ports' : listen ? '0 = any free port' : undefined}
        className="narrow"
      />
    </div>
  );
}
