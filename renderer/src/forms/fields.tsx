// Labelled form controls with their inline error: the message sits beside
// the control in an element with role="alert", referenced by the control's
// aria-describedby, and the control carries aria-invalid.
import type { ReactNode } from 'react';

interface FieldProps {
  id: string;
  label: string;
  error?: string;
  hint?: ReactNode;
  className?: string;
}

function describedBy(id: string, error?: string, hint?: ReactNode): string | undefined {
  const ids = [hint ? `${id}-hint` : null, error ? `${id}-error` : null].filter(Boolean);
  return ids.length ? ids.join(' ') : undefined;
}

function Notes({ id, error, hint }: { id: string; error?: string; hint?: ReactNode }) {
  return (
    <>
      {hint ? <span id={`${id}-hint`} className="field-hint">{hint}</span> : null}
      {error ? <span id={`${id}-error`} role="alert" className="field-error">{error}</span> : null}
    </>
  );
}

export function TextField(props: FieldProps & {
  value: string;
  onChange(value: string): void;
  placeholder?: string;
  inputMode?: 'text' | 'numeric' | 'decimal';
  autoFocus?: boolean;
  spellCheck?: boolean;
}) {
  const { id, label, error, hint, value, onChange, className, ...rest } = props;
  return (
    <div className={`field ${className ?? ''}`}>
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        type="text"
        value={value}
        onChange={(e) => onChange(e.target.value)}
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy(id, error, hint)}
        autoComplete="off"
        spellCheck={rest.spellCheck ?? false}
        {...rest}
      />
      <Notes id={id} error={error} hint={hint} />
    </div>
  );
}

export interface Choice {
  value: string;
  label: string;
}

export function SelectField(props: FieldProps & {
  value: string;
  choices: readonly Choice[];
  onChange(value: string): void;
  autoFocus?: boolean;
}) {
  const { id, label, error, hint, value, choices, onChange, className, autoFocus } = props;
  return (
    <div className={`field ${className ?? ''}`}>
      <label htmlFor={id}>{label}</label>
      <select
        id={id}
        value={value}
        onChange={(e) => onChange(e.target.value)}
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy(id, error, hint)}
        autoFocus={autoFocus}
      >
        {choices.map((c) => <option key={c.value} value={c.value}>{c.label}</option>)}
      </select>
      <Notes id={id} error={error} hint={hint} />
    </div>
  );
}

export function CheckField(props: FieldProps & { checked: boolean; onChange(checked: boolean): void }) {
  const { id, label, error, hint, checked, onChange, className } = props;
  return (
    <div className={`field field-check ${className ?? ''}`}>
      <input
        id={id}
        type="checkbox"
        checked={checked}
        onChange={(e) => onChange(e.target.checked)}
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy(id, error, hint)}
      />
      <label htmlFor={id}>{label}</label>
      <Notes id={id} error={error} hint={hint} />
    </div>
  );
}

export const choicesOf = (values: readonly (string | number)[], label: (v: string) => string = (v) => v): Choice[] =>
  values.map((v) => ({ value: String(v), label: label(String(v)) }));
