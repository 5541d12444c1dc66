import type { FieldErrors } from './link-draft';

/** What every link sub-form receives: its part of the draft and the errors by field path. */
export interface SubFormProps<D> {
  idPrefix: string;
  draft: D;
  onChange(draft: D): void;
  errors: FieldErrors;
}
