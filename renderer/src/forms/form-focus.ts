/** Moves focus to the first control marked invalid inside a form, so Enter-to-submit lands on the problem. */
export function focusFirstInvalid(form: HTMLElement | null): void {
  requestAnimationFrame(() => form?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus());
}
