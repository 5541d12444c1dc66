// What the renderer knows of each protocol: its label, the link a new session
// starts from, its options form, and an optional panel for the selected
// session. A protocol adds one entry here and its own files beside this one.
import type { ComponentType } from 'react';
import type { ProtocolName, SessionStatus } from '../../../shared/api/contract';
import type { LinkSpec } from '../../../shared/api/link-config';
import type { FieldErrors } from '../forms/link-draft';
import { linesOptionsDraft, validateLinesOptions, type LinesOptionsDraft } from '../forms/lines-options-draft';
import { LinesOptionsFields } from '../forms/LinesOptionsFields';

export interface OptionsFieldsProps<D> {
  idPrefix: string;
  draft: D;
  errors: FieldErrors;
  onChange(draft: D): void;
}

export interface RendererProtocol<D = unknown> {
  label: string;
  /** The link a New session dialog proposes for this protocol. */
  defaultLink: LinkSpec;
  initialDraft(): D;
  validate(draft: D): { ok: true; options: Record<string, unknown> } | { ok: false; errors: FieldErrors };
  OptionsFields: ComponentType<OptionsFieldsProps<D>>;
  /** Shown for the selected session of this protocol, above the plots. */
  Panel?: ComponentType<{ session: SessionStatus }>;
}

function protocol<D>(p: RendererProtocol<D>): RendererProtocol<unknown> {
  return p as unknown as RendererProtocol<unknown>;
}

export const RENDERER_PROTOCOLS: Record<ProtocolName, RendererProtocol<unknown>> = {
  lines: protocol<LinesOptionsDraft>({
    label: 'Text lines (CSV, key=value, JSON)',
    defaultLink: { type: 'tcp', config: { host: '127.0.0.1', port: 5760 } },
    initialDraft: linesOptionsDraft,
    validate: validateLinesOptions,
    OptionsFields: LinesOptionsFields,
  }),
};
