// The link type select and the sub-form of the chosen type.
import { LINK_TYPES, LINK_TYPE_LABELS, type LinkType } from '../../../shared/api/link-config';
import { CanLinkFields } from './CanLinkFields';
import { SelectField } from './fields';
import type { FieldErrors, LinkDraft } from './link-draft';
import { NetLinkFields } from './NetLinkFields';
import { RttLinkFields } from './RttLinkFields';
import { SerialLinkFields, type SerialPortList } from './SerialLinkFields';

export interface LinkFieldsProps {
  idPrefix: string;
  draft: LinkDraft;
  onChange(draft: LinkDraft): void;
  errors: FieldErrors;
  portList: SerialPortList;
  autoFocus?: boolean;
}

export function LinkFields({ idPrefix, draft, onChange, errors, portList, autoFocus }: LinkFieldsProps) {
  const sub = { idPrefix, errors };
  return (
    <div className="link-fields">
      <SelectField
        id={`${idPrefix}-link-type`}
        label="Link type"
        value={draft.type}
        choices={LINK_TYPES.map((t) => ({ value: t, label: LINK_TYPE_LABELS[t] }))}
        onChange={(type) => onChange({ ...draft, type: type as LinkType })}
        autoFocus={autoFocus}
      />
      {draft.type === 'udp' || draft.type === 'tcp' || draft.type === 'tcp-server' || draft.type === 'hexrot-legacy-server' ? (
        <NetLinkFields {...sub} listen={draft.type === 'tcp-server' || draft.type === 'hexrot-legacy-server'} twoPorts={draft.type === 'hexrot-legacy-server'} draft={draft[draft.type]}
          onChange={(d) => onChange({ ...draft, [draft.type]: d })} />
      ) : null}
      {draft.type === 'serial' ? (
        <SerialLinkFields {...sub} draft={draft.serial} onChange={(serial) => onChange({ ...draft, serial })} portList={portList} />
      ) : null}
      {draft.type === 'rtt' ? <RttLinkFields {...sub} draft={draft.rtt} onChange={(rtt) => onChange({ ...draft, rtt })} /> : null}
      {draft.type === 'can' ? <CanLinkFields {...sub} draft={draft.can} onChange={(can) => onChange({ ...draft, can })} /> : null}
      {draft.type === 'none' ? <p className="muted">No link: the session stays disconnected.</p> : null}
    </div>
  );
}
