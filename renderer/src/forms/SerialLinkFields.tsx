// Serial port link: the port is picked from the ports the hub lists or typed
// as a path (a pty, a udev symlink), so both controls edit the same value.
import type { SerialPortInfo } from '../../../shared/api/contract';
import { BAUD_RATES, DATA_BITS, PARITIES, STOP_BITS } from '../../../shared/api/link-config';
import { SelectField, TextField, choicesOf, type Choice } from './fields';
import { CUSTOM_BAUD, type SerialDraft } from './link-draft';
import type { SubFormProps } from './sub-form';

export interface SerialPortList {
  ports: SerialPortInfo[];
  error: string | null;
  loading: boolean;
  refresh?: () => void;
}

function portLabel(p: SerialPortInfo): string {
  const what = p.friendlyName ?? [p.manufacturer, p.serialNumber && `S/N ${p.serialNumber}`].filter(Boolean).join(', ');
  return what ? `${p.path} (${what})` : p.path;
}

const TYPED = '';

export function SerialLinkFields({ idPrefix, draft, onChange, errors, portList }: SubFormProps<SerialDraft> & { portList: SerialPortList }) {
  const listed = portList.ports.some((p) => p.path === draft.portname);
  const portChoices: Choice[] = [
    { value: TYPED, label: portList.ports.length ? 'Other: type the path' : 'No ports found: type the path' },
    ...portList.ports.map((p) => ({ value: p.path, label: portLabel(p) })),
  ];
  const baudChoices: Choice[] = [...choicesOf(BAUD_RATES), { value: CUSTOM_BAUD, label: 'Custom…' }];
  const custom = draft.baudChoice === CUSTOM_BAUD;
  const listHint = portList.error ? `Port list unavailable: ${portList.error}` : portList.loading ? 'Listing ports…' : undefined;
  return (
    <>
      <div className="field-row">
        <SelectField
          id={`${idPrefix}-serial-port`}
          label="Serial port"
          value={listed ? draft.portname : TYPED}
          choices={portChoices}
          onChange={(v) => { if (v !== TYPED) onChange({ ...draft, portname: v }); }}
          hint={listHint}
          className="grow"
        />
        <button
          type="button"
          className="btn btn-icon field-button"
          onClick={portList.refresh}
          disabled={!portList.refresh || portList.loading}
          aria-label="Refresh serial ports"
          title="Refresh serial ports"
        >⟳</button>
        <TextField
          id={`${idPrefix}-portname`}
          label="Port path"
          value={draft.portname}
          onChange={(portname) => onChange({ ...draft, portname })}
          error={errors.portname}
          placeholder="/dev/ttyUSB0, COM3"
          className="grow"
        />
      </div>
      <div className="field-row">
        <SelectField
          id={`${idPrefix}-baudrate`}
          label="Baud rate"
          value={draft.baudChoice}
          choices={baudChoices}
          onChange={(baudChoice) => onChange({ ...draft, baudChoice })}
          error={custom ? undefined : errors.baudrate}
        />
        {custom ? (
          <TextField
            id={`${idPrefix}-custom-baudrate`}
            label="Custom baud rate"
            value={draft.customBaud}
            onChange={(customBaud) => onChange({ ...draft, customBaud })}
            error={errors.baudrate}
            inputMode="numeric"
            className="narrow"
          />
        ) : null}
        <SelectField
          id={`${idPrefix}-databits`}
          label="Data bits"
          value={draft.databits}
          choices={choicesOf(DATA_BITS)}
          onChange={(databits) => onChange({ ...draft, databits })}
          error={errors.databits}
        />
        <SelectField
          id={`${idPrefix}-parity`}
          label="Parity"
          value={draft.parity}
          choices={choicesOf(PARITIES, (v) => v[0].toUpperCase() + v.slice(1))}
          onChange={(parity) => onChange({ ...draft, parity })}
          error={errors.parity}
        />
        <SelectField
          id={`${idPrefix}-stopbits`}
          label="Stop bits"
          value={draft.stopbits}
          choices={choicesOf(STOP_BITS)}
          onChange={(stopbits) => onChange({ ...draft, stopbits })}
          error={errors.stopbits}
        />
        <TextField
          id={`${idPrefix}-start-delay`}
          label="Start delay (s)"
          value={draft.start_delay}
          onChange={(start_delay) => onChange({ ...draft, start_delay })}
          error={errors.start_delay}
          inputMode="decimal"
          hint="wait after opening"
          className="narrow"
        />
      </div>
    </>
  );
}
