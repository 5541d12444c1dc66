// What the renderer knows of each protocol: its label and the link a new
// session starts from (both from its manifest), its options form, and an
// optional panel for the selected session. A protocol adds one entry here and its own files beside this one.
import { lazy, type ComponentType } from 'react';
import type { ProtocolName, SessionStatus } from '../../../shared/api/contract';
import type { LinkSpec } from '../../../shared/api/link-config';
import { PROTOCOL_MANIFESTS } from '../../../shared/api/manifests';
import type { FieldErrors } from '../forms/link-draft';
import { linesOptionsDraft, validateLinesOptions, type LinesOptionsDraft } from '../forms/lines-options-draft';
import { LinesOptionsFields } from '../forms/LinesOptionsFields';
import { DcsOptionsFields } from './dcs/DcsOptionsFields';
import { dcsOptionsDraft, validateDcsOptions, type DcsOptionsDraft } from './dcs/options';
import { KatcpOptionsFields } from './katcp/KatcpOptionsFields';
import { katcpOptionsDraft, validateKatcpOptions, type KatcpOptionsDraft } from './katcp/options';
import { scrutinyOptionsDraft, validateScrutinyOptions, type ScrutinyOptionsDraft } from './scrutiny/options';
import { ScrutinyOptionsFields } from './scrutiny/ScrutinyOptionsFields';
import { HexrotOptionsFields } from './hexrot/HexrotOptionsFields';
import { hexrotOptionsDraft, validateHexrotOptions, type HexrotOptionsDraft } from './hexrot/options';

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

// Protocol panels load when first shown: the window opens without them (the
// Scrutiny workbench alone is a large part of the bundle).
const DcsPanel = lazy(() => import('./dcs/DcsPanel').then((m) => ({ default: m.DcsPanel })));
const KatcpPanel = lazy(() => import('./katcp/KatcpPanel').then((m) => ({ default: m.KatcpPanel })));
const ScrutinyPanel = lazy(() => import('./scrutiny/ScrutinyPanel').then((m) => ({ default: m.ScrutinyPanel })));
const LinesPanel = lazy(() => import('./lines/LinesPanel').then((m) => ({ default: m.LinesPanel })));
const HexrotPanel = lazy(() => import('./hexrot/HexrotPanel').then((m) => ({ default: m.HexrotPanel })));

function protocol<D>(p: RendererProtocol<D>): RendererProtocol<unknown> {
  return p as unknown as RendererProtocol<unknown>;
}

export const RENDERER_PROTOCOLS: Record<ProtocolName, RendererProtocol<unknown>> = {
  lines: protocol<LinesOptionsDraft>({
    label: PROTOCOL_MANIFESTS.lines.title,
    defaultLink: PROTOCOL_MANIFESTS.lines.defaultLink,
    initialDraft: linesOptionsDraft,
    validate: validateLinesOptions,
    OptionsFields: LinesOptionsFields,
    Panel: LinesPanel,
  }),
  dcs: protocol<DcsOptionsDraft>({
    label: PROTOCOL_MANIFESTS.dcs.title,
    defaultLink: PROTOCOL_MANIFESTS.dcs.defaultLink,
    initialDraft: dcsOptionsDraft,
    validate: validateDcsOptions,
    OptionsFields: DcsOptionsFields,
    Panel: DcsPanel,
  }),
  katcp: protocol<KatcpOptionsDraft>({
    label: PROTOCOL_MANIFESTS.katcp.title,
    defaultLink: PROTOCOL_MANIFESTS.katcp.defaultLink,
    initialDraft: katcpOptionsDraft,
    validate: validateKatcpOptions,
    OptionsFields: KatcpOptionsFields,
    Panel: KatcpPanel,
  }),
  scrutiny: protocol<ScrutinyOptionsDraft>({
    label: PROTOCOL_MANIFESTS.scrutiny.title,
    defaultLink: PROTOCOL_MANIFESTS.scrutiny.defaultLink,
    initialDraft: scrutinyOptionsDraft,
    validate: validateScrutinyOptions,
    OptionsFields: ScrutinyOptionsFields,
    Panel: ScrutinyPanel,
  }),
  hexrot: protocol<HexrotOptionsDraft>({
    label: PROTOCOL_MANIFESTS.hexrot.title,
    defaultLink: PROTOCOL_MANIFESTS.hexrot.defaultLink,
    initialDraft: hexrotOptionsDraft,
    validate: validateHexrotOptions,
    OptionsFields: HexrotOptionsFields,
    Panel: HexrotPanel,
  }),
};
