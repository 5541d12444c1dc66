// What the renderer knows of each protocol: its label, the link a new session
// starts from, its options form, and an optional panel for the selected
// session. A protocol adds one entry here and its own files beside this one.
import { lazy, type ComponentType } from 'react';
import type { ProtocolName, SessionStatus } from '../../../shared/api/contract';
import type { LinkSpec } from '../../../shared/api/link-config';
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
    label: 'Text lines (CSV, key=value, JSON)',
    defaultLink: { type: 'tcp', config: { host: '127.0.0.1', port: 5760 } },
    initialDraft: linesOptionsDraft,
    validate: validateLinesOptions,
    OptionsFields: LinesOptionsFields,
    Panel: LinesPanel,
  }),
  dcs: protocol<DcsOptionsDraft>({
    label: 'DCS: be the DCSS for a hardware server (DHS) under test',
    defaultLink: { type: 'tcp-server', config: { host: '127.0.0.1', port: 14242 } },
    initialDraft: dcsOptionsDraft,
    validate: validateDcsOptions,
    OptionsFields: DcsOptionsFields,
    Panel: DcsPanel,
  }),
  katcp: protocol<KatcpOptionsDraft>({
    label: 'KATCP device server (telescope subsystems)',
    defaultLink: { type: 'tcp', config: { host: '127.0.0.1', port: 7147 } },
    initialDraft: katcpOptionsDraft,
    validate: validateKatcpOptions,
    OptionsFields: KatcpOptionsFields,
    Panel: KatcpPanel,
  }),
  scrutiny: protocol<ScrutinyOptionsDraft>({
    label: 'Scrutiny (scrutiny-embedded firmware)',
    defaultLink: { type: 'udp', config: { host: '127.0.0.1', port: 8765 } },
    initialDraft: scrutinyOptionsDraft,
    validate: validateScrutinyOptions,
    OptionsFields: ScrutinyOptionsFields,
    Panel: ScrutinyPanel,
  }),
  hexrot: protocol<HexrotOptionsDraft>({
    label: 'Hexapod/rotator controller (binary structures)',
    defaultLink: { type: 'tcp', config: { host: '127.0.0.1', port: 6210 } },
    initialDraft: hexrotOptionsDraft,
    validate: validateHexrotOptions,
    OptionsFields: HexrotOptionsFields,
    Panel: HexrotPanel,
  }),
};
