// The "New session" dialog: a name, the protocol and its options, the link.
// Create sends createSession with autoConnect; Escape or Cancel closes.
import { useEffect, useRef, useState, type KeyboardEvent } from 'react';
import { PROTOCOLS, RequestSchemas, type ProtocolName } from '../../../shared/api/contract';
import { describeLink, type LinkSpec } from '../../../shared/api/link-config';
import { RENDERER_PROTOCOLS } from '../protocols/registry';
import { SelectField, TextField } from './fields';
import { focusFirstInvalid } from './form-focus';
import { draftFromSpec, fieldErrors, fieldsUnder, splitHubError, validateLinkDraft, type FieldErrors, type LinkDraft } from './link-draft';
import { LinkFields } from './LinkFields';
import type { SerialPortList } from './SerialLinkFields';

export interface NewSessionRequest {
  protocol: ProtocolName;
  name?: string;
  linkType: LinkSpec['type'];
  linkConfig: Record<string, unknown>;
  options: Record<string, unknown>;
  autoConnect: true;
}

const ID = 'new-session';

export function NewSessionDialog({ portList, onCreate, onClose }: {
  portList: SerialPortList;
  /** Resolves once the hub created the session; a rejection is shown in the dialog. */
  onCreate(request: NewSessionRequest): Promise<unknown>;
  onClose(): void;
}) {
  const [name, setName] = useState('');
  const [protocol, setProtocol] = useState<ProtocolName>('lines');
  const proto = RENDERER_PROTOCOLS[protocol];
  const [options, setOptions] = useState<unknown>(() => proto.initialDraft());
  const [link, setLink] = useState<LinkDraft>(() => draftFromSpec(proto.defaultLink));
  const [errors, setErrors] = useState<FieldErrors>({});
  const [attempted, setAttempted] = useState(false);
  const [banner, setBanner] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const dialogRef = useRef<HTMLDivElement>(null);

  /** All problems, keyed "name", "options.<field>", "linkConfig.<field>" as the hub reports them. */
  const validate = (n: string, o: unknown, l: LinkDraft) => {
    const all: FieldErrors = {};
    const nameCheck = RequestSchemas.createSession.shape.name.safeParse(n.trim() === '' ? undefined : n);
    if (!nameCheck.success) Object.assign(all, fieldErrors(nameCheck.error.issues.map((i) => ({ ...i, path: ['name'] }))));
    const opt = proto.validate(o);
    if (!opt.ok) for (const [k, m] of Object.entries(opt.errors)) all[`options.${k}`] = m;
    const lnk = validateLinkDraft(l);
    if (!lnk.ok) for (const [k, m] of Object.entries(lnk.errors)) all[`linkConfig.${k}`] = m;
    return { errors: all, options: opt.ok ? opt.options : null, link: lnk.ok ? lnk.spec : null };
  };

  const revalidate = (n: string, o: unknown, l: LinkDraft) => {
    if (attempted) setErrors(validate(n, o, l).errors);
  };

  const submit = async () => {
    setAttempted(true);
    const v = validate(name, options, link);
    setErrors(v.errors);
    if (!v.options || !v.link || Object.keys(v.errors).length) {
      focusFirstInvalid(dialogRef.current);
      return;
    }
    setBanner(null);
    setBusy(true);
    try {
      await onCreate({
        protocol,
        ...(name.trim() ? { name: name.trim() } : {}),
        linkType: v.link.type,
        linkConfig: v.link.config as Record<string, unknown>,
        options: v.options,
        autoConnect: true,
      });
      onClose();
    } catch (e) {
      const { fields, other } = splitHubError(e, ['name', 'options.', 'linkConfig.']);
      setErrors(fields);
      setBanner(other ? `Session not created (${describeLink(v.link)}): ${other}` : null);
      focusFirstInvalid(dialogRef.current);
    } finally {
      setBusy(false);
    }
  };

  // Keeps Tab inside the dialog while it is open.
  const onKeyDown = (e: KeyboardEvent) => {
    if (e.key === 'Escape') {
      e.preventDefault();
      onClose();
      return;
    }
    if (e.key !== 'Tab' || !dialogRef.current) return;
    const focusables = dialogRef.current.querySelectorAll<HTMLElement>('input, select, button:not([disabled]), textarea');
    if (!focusables.length) return;
    const first = focusables[0];
    const last = focusables[focusables.length - 1];
    if (e.shiftKey && document.activeElement === first) { e.preventDefault(); last.focus(); }
    else if (!e.shiftKey && document.activeElement === last) { e.preventDefault(); first.focus(); }
  };

  useEffect(() => {
    const previous = document.activeElement as HTMLElement | null;
    return () => previous?.focus?.();
  }, []);

  return (
    <div className="modal-backdrop" onMouseDown={(e) => { if (e.target === e.currentTarget) onClose(); }}>
      <div ref={dialogRef} className="modal" role="dialog" aria-modal="true" aria-labelledby={`${ID}-title`} onKeyDown={onKeyDown}>
        <form noValidate onSubmit={(e) => { e.preventDefault(); void submit(); }}>
          <h2 id={`${ID}-title`}>New session</h2>
          {banner ? <div className="banner banner-error" role="alert">{banner}</div> : null}
          <div className="field-row">
            <TextField id={`${ID}-name`} label="Name" value={name} placeholder="named by the hub if empty" autoFocus className="grow"
              onChange={(n) => { setName(n); revalidate(n, options, link); }} error={errors.name} />
            <SelectField id={`${ID}-protocol`} label="Protocol" value={protocol}
              choices={PROTOCOLS.map((p) => ({ value: p, label: RENDERER_PROTOCOLS[p].label }))}
              onChange={(p) => {
                const next = RENDERER_PROTOCOLS[p as ProtocolName];
                setProtocol(p as ProtocolName);
                setOptions(next.initialDraft());
                setLink(draftFromSpec(next.defaultLink));
                setErrors({});
              }} />
          </div>
          <fieldset className="subform">
            <legend>Protocol options</legend>
            <proto.OptionsFields idPrefix={ID} draft={options} errors={fieldsUnder(errors, 'options.')}
              onChange={(o) => { setOptions(o); revalidate(name, o, link); }} />
          </fieldset>
          <fieldset className="subform">
            <legend>Link</legend>
            <LinkFields idPrefix={ID} draft={link} errors={fieldsUnder(errors, 'linkConfig.')} portList={portList}
              onChange={(l) => { setLink(l); revalidate(name, options, l); }} />
          </fieldset>
          <div className="button-row">
            <button type="submit" className="btn btn-primary" disabled={busy}>Create</button>
            <button type="button" className="btn" onClick={onClose}>Cancel</button>
          </div>
        </form>
      </div>
    </div>
  );
}
