// CAN link: ids and frame options common to every interface, then the
// interface's own block (channel, bitrates), swapped with the interface.
import { CAN_INTERFACES, SLCAN_BITRATES, type CanInterface } from '../../../shared/api/link-config';
import { useEffect } from 'react';
import { useCanInterfaceStatus, usePreferredCanInterface } from '../can/interface-status';
import { CheckField, SelectField, TextField } from './fields';
import { CAN_INTERFACE_LABELS, type CanDraft, type CanSubDrafts } from './link-draft';
import type { SubFormProps } from './sub-form';

const ID_HINT = 'hex (0x123) or decimal';

export function CanLinkFields({ idPrefix, draft, onChange, errors }: SubFormProps<CanDraft>) {
  const p = `${idPrefix}-can`;
  const sub = draft.sub;
  const setSub = <I extends CanInterface>(iface: I, patch: Partial<CanSubDrafts[I]>) =>
    onChange({ ...draft, sub: { ...sub, [iface]: { ...sub[iface], ...patch } } });
  const e = (field: string) => errors[`subconfig.${field}`];
  const bitrateField = (iface: 'vector' | 'kvaser' | 'pcan' | 'etas', field: 'bitrate' | 'data_bitrate') => (
    <TextField
      id={`${p}-${iface}-${field}`}
      label={field === 'bitrate' ? 'Bitrate (bit/s)' : 'Data bitrate (bit/s)'}
      value={(sub[iface] as Record<string, string>)[field]}
      onChange={(v) => setSub(iface, { [field]: v })}
      error={e(field)}
      inputMode="numeric"
      className="narrow"
    />
  );

  // A form still on its default interface moves to one this machine can use (SLCAN where SocketCAN is missing).
  const preferred = usePreferredCanInterface();
  useEffect(() => {
    if (preferred && !draft.interfaceChosen && draft.interface !== preferred) onChange({ ...draft, interface: preferred });
  }, [preferred, draft, onChange]);

  const availability = useCanInterfaceStatus(draft.interface, draft.interface === 'socketcan' ? sub.socketcan.channel : undefined);

  return (
    <>
      <div className="field-row">
        <SelectField
          id={`${p}-interface`}
          label="CAN interface"
          value={draft.interface}
          choices={CAN_INTERFACES.map((i) => ({ value: i, label: CAN_INTERFACE_LABELS[i] }))}
          onChange={(v) => onChange({ ...draft, interface: v as CanInterface, interfaceChosen: true })}
          error={errors.interface}
        />
        <TextField id={`${p}-txid`} label="TX id" value={draft.txid} onChange={(txid) => onChange({ ...draft, txid })}
          error={errors.txid} hint={ID_HINT} className="narrow" />
        <TextField id={`${p}-rxid`} label="RX id" value={draft.rxid} onChange={(rxid) => onChange({ ...draft, rxid })}
          error={errors.rxid} hint={ID_HINT} className="narrow" />
      </div>
      <div className="field-row">
        <CheckField id={`${p}-extended-id`} label="Extended id (29-bit)" checked={draft.extended_id}
          onChange={(extended_id) => onChange({ ...draft, extended_id })} error={errors.extended_id} />
        <CheckField id={`${p}-fd`} label="CAN FD" checked={draft.fd}
          onChange={(fd) => onChange({ ...draft, fd })} error={errors.fd} />
        <CheckField id={`${p}-bitrate-switch`} label="Bitrate switch" checked={draft.bitrate_switch}
          onChange={(bitrate_switch) => onChange({ ...draft, bitrate_switch })} error={errors.bitrate_switch} />
      </div>
      <fieldset className="subform" data-testid={`can-subform-${draft.interface}`}>
        <legend>{CAN_INTERFACE_LABELS[draft.interface]}</legend>
        {availability && !availability.available ? (
          <p className="field-error" role="status" data-testid="can-unavailable">{availability.reason}</p>
        ) : null}
        <div className="field-row">
          {draft.interface === 'socketcan' ? (
            <TextField id={`${p}-socketcan-channel`} label="Channel" value={sub.socketcan.channel}
              onChange={(channel) => setSub('socketcan', { channel })} error={e('channel')} placeholder="can0" />
          ) : null}
          {draft.interface === 'slcan' ? (
            <>
              <TextField id={`${p}-slcan-portname`} label="Serial port" value={sub.slcan.portname}
                onChange={(portname) => setSub('slcan', { portname })} error={e('portname')} placeholder="/dev/ttyACM0" className="grow" />
              <TextField id={`${p}-slcan-baudrate`} label="Serial baud rate" value={sub.slcan.baudrate}
                onChange={(baudrate) => setSub('slcan', { baudrate })} error={e('baudrate')} inputMode="numeric" className="narrow" />
              <SelectField id={`${p}-slcan-bitrate`} label="CAN bitrate" value={sub.slcan.bitrate}
                choices={SLCAN_BITRATES.map((b) => ({ value: String(b), label: `${b / 1000} kbit/s` }))}
                onChange={(bitrate) => setSub('slcan', { bitrate })} error={e('bitrate')} />
              <TextField id={`${p}-slcan-data-bitrate`} label="FD data bitrate (bit/s)" value={sub.slcan.data_bitrate}
                onChange={(data_bitrate) => setSub('slcan', { data_bitrate })} error={e('data_bitrate')} inputMode="numeric"
                hint="empty for classic CAN" className="narrow" />
              <CheckField id={`${p}-slcan-timestamps`} label="Adapter timestamps" checked={sub.slcan.timestamps}
                onChange={(timestamps) => setSub('slcan', { timestamps })} error={e('timestamps')} />
            </>
          ) : null}
          {draft.interface === 'virtual' ? (
            <>
              <TextField id={`${p}-virtual-bus`} label="Bus name" value={sub.virtual.bus}
                onChange={(bus) => setSub('virtual', { bus })} error={e('bus')} placeholder="bench" />
              <TextField id={`${p}-virtual-bitrate`} label="Bitrate (bit/s)" value={sub.virtual.bitrate}
                onChange={(bitrate) => setSub('virtual', { bitrate })} error={e('bitrate')} inputMode="numeric"
                hint="for the bus load estimate" className="narrow" />
            </>
          ) : null}
          {draft.interface === 'vector' ? (
            <>
              <TextField id={`${p}-vector-channel`} label="Channel" value={sub.vector.channel}
                onChange={(channel) => setSub('vector', { channel })} error={e('channel')} hint="index or name" className="narrow" />
              {bitrateField('vector', 'bitrate')}
              {bitrateField('vector', 'data_bitrate')}
            </>
          ) : null}
          {draft.interface === 'kvaser' ? (
            <>
              <TextField id={`${p}-kvaser-channel`} label="Channel" value={sub.kvaser.channel}
                onChange={(channel) => setSub('kvaser', { channel })} error={e('channel')} inputMode="numeric" className="narrow" />
              {bitrateField('kvaser', 'bitrate')}
              {bitrateField('kvaser', 'data_bitrate')}
              <CheckField id={`${p}-kvaser-fd-non-iso`} label="FD non-ISO" checked={sub.kvaser.fd_non_iso}
                onChange={(fd_non_iso) => setSub('kvaser', { fd_non_iso })} error={e('fd_non_iso')} />
            </>
          ) : null}
          {draft.interface === 'pcan' ? (
            <>
              <TextField id={`${p}-pcan-channel`} label="Channel" value={sub.pcan.channel}
                onChange={(channel) => setSub('pcan', { channel })} error={e('channel')} placeholder="PCAN_USBBUS1" />
              {bitrateField('pcan', 'bitrate')}
            </>
          ) : null}
          {draft.interface === 'etas' ? (
            <>
              <TextField id={`${p}-etas-channel`} label="Channel" value={sub.etas.channel}
                onChange={(channel) => setSub('etas', { channel })} error={e('channel')} className="grow" />
              {bitrateField('etas', 'bitrate')}
              {bitrateField('etas', 'data_bitrate')}
            </>
          ) : null}
        </div>
      </fieldset>
    </>
  );
}
