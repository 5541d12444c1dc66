// A link configuration form on its own: the selected session's Link panel.
// Enter applies, Escape reverts to the link as it was; bad values are shown
// beside their field and never sent.
import { useRef, useState, type KeyboardEvent, type ReactNode } from 'react';
import { describeLink, type LinkSpec } from '../../../shared/api/link-config';
import { focusFirstInvalid } from './form-focus';
import { draftFromSpec, fieldsUnder, splitHubError, validateLinkDraft, type FieldErrors, type LinkDraft } from './link-draft';
import { LinkFields } from './LinkFields';
import type { SerialPortList } from './SerialLinkFields';

export interface LinkFormProps {
  idPrefix: string;
  initial?: LinkSpec;
  submitLabel: string;
  onSubmit(spec: LinkSpec): Promise<void> | void;
  portList: SerialPortList;
  /** Names what failed in the error banner, e.g. `Link of "PSU" not applied`. */
  failureLabel?: string;
  /** More buttons beside the submit button (Connect, Remove…). */
  children?: ReactNode;
}

export function LinkForm({ idPrefix, initial, submitLabel, onSubmit, portList, failureLabel = 'Link not applied', children }: LinkFormProps) {
  const [draft, setDraft] = useState<LinkDraft>(() => draftFromSpec(initial));
  const [errors, setErrors] = useState<FieldErrors>({});
  const [attempted, setAttempted] = useState(false);
  const [banner, setBanner] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const formRef = useRef<HTMLFormElement>(null);

  const change = (next: LinkDraft) => {
    setDraft(next);
    if (attempted) {
      const v = validateLinkDraft(next);
      setErrors(v.ok ? {} : v.errors);
    }
  };

  const submit = async () => {
    setAttempted(true);
    const v = validateLinkDraft(draft);
    if (!v.ok) {
      setErrors(v.errors);
      focusFirstInvalid(formRef.current);
      return;
    }
    setErrors({});
    setBanner(null);
    setBusy(true);
    try {
      await onSubmit(v.spec);
    } catch (e) {
      const { fields, other } = splitHubError(e, ['linkConfig.']);
      setErrors(fieldsUnder(fields, 'linkConfig.'));
      setBanner(other ? `${failureLabel} (${describeLink(v.spec)}): ${other}` : null);
      focusFirstInvalid(formRef.current);
    } finally {
      setBusy(false);
    }
  };

  const revert = () => {
    setDraft(draftFromSpec(initial));
    setErrors({});
    setAttempted(false);
    setBanner(null);
  };

  const onKeyDown = (e: KeyboardEvent) => {
    if (e.key === 'Escape') {
      e.preventDefault();
      revert();
    }
  };

  return (
    <form
      ref={formRef}
      className="link-form"
      noValidate
      onSubmit={(e) => { e.preventDefault(); void submit(); }}
      onKeyDown={onKeyDown}
      aria-label="Link configuration"
    >
      {banner ? <div className="banner banner-error" role="alert">{banner}</div> : null}
      <LinkFields idPrefix={idPrefix} draft={draft} onChange={change} errors={errors} portList={portList} />
      <div className="button-row">
        <button type="submit" className="btn btn-primary" disabled={busy}>{submitLabel}</button>
        <button type="button" className="btn" onClick={revert} disabled={busy} title="Escape">Revert</button>
        {children}
      </div>
    </form>
  );
}
