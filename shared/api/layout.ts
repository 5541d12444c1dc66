// The workbench layout: which panels are open, how they are docked, and the
// plots they show. The dock part is the docking library's own serialised form
// (dockview's SerializedDockview), checked here only as far as Benchscope
// relies on it: every panel is one of our kinds with the parameters that kind
// needs, and every group names panels that exist. The library checks the rest
// when it loads the layout, and a failure there is reported the same way.
import { z } from 'zod';
import { MAX_NAME_CHARS, MAX_PLOTS } from './limits';

export const PlotConfig = z.object({
  id: z.string().min(1).max(64),
  title: z.string().max(200),
  /** Signals by session name and signal name, so a plot survives a restart. */
  signals: z.array(z.object({ session: z.string().max(200), signal: z.string().max(200) })).max(64),
  windowSeconds: z.number().min(0.1).max(86400),
});
export type PlotConfig = z.infer<typeof PlotConfig>;

/** Every kind of panel the workbench can dock, with the parameters it is opened with. */
export const PANEL_KINDS = ['sessions', 'session', 'stats', 'workbench', 'console', 'can', 'plot', 'replays', 'signals'] as const;
export type PanelKind = (typeof PANEL_KINDS)[number];

/** Panels about one session name it (not its id), so a layout file works on another bench. */
const SessionRef = z.object({ session: z.string().min(1).max(MAX_NAME_CHARS) }).strict();
const NoParams = z.object({}).strict();
export const PANEL_PARAMS = {
  sessions: NoParams,
  /** Follows the session selected in the list. */
  session: NoParams,
  stats: NoParams,
  workbench: SessionRef,
  console: SessionRef,
  can: SessionRef,
  plot: z.object({ plot: z.string().min(1).max(64) }).strict(),
  replays: NoParams,
  /** Every signal, searched; dragged or picked onto a plot. */
  signals: NoParams,
} satisfies Record<PanelKind, z.ZodType>;
export type PanelParams<K extends PanelKind> = z.infer<(typeof PANEL_PARAMS)[K]>;

export const MAX_LAYOUT_PANELS = 400;
export const MAX_SAVED_LAYOUTS = 50;
export const LAYOUT_FILE_FORMAT = 'benchscope-layout';
export const LAYOUT_FILE_VERSION = 1;

const PanelState = z.looseObject({
  id: z.string().min(1).max(200),
  contentComponent: z.enum(PANEL_KINDS),
  title: z.string().max(400).optional(),
  params: z.record(z.string(), z.unknown()).optional(),
});

const GroupState = z.looseObject({
  id: z.string().min(1).max(200),
  views: z.array(z.string().max(200)).max(MAX_LAYOUT_PANELS),
  activeView: z.string().max(200).optional(),
});

interface GridNode { type: 'leaf' | 'branch'; data: unknown; size?: number; visible?: boolean }
const GridNode: z.ZodType<GridNode> = z.looseObject({
  type: z.enum(['leaf', 'branch']),
  size: z.number().finite().min(0).optional(),
  visible: z.boolean().optional(),
  data: z.unknown(),
}).superRefine((node, ctx) => {
  const inner = node.type === 'leaf' ? GroupState.safeParse(node.data) : z.array(GridNode).max(MAX_LAYOUT_PANELS).safeParse(node.data);
  if (!inner.success) for (const issue of inner.error.issues) ctx.addIssue({ ...issue, path: ['data', ...issue.path] } as never);
});

const Grid = z.looseObject({
  root: GridNode,
  width: z.number().finite().min(0),
  height: z.number().finite().min(0),
  orientation: z.enum(['HORIZONTAL', 'VERTICAL']),
});

const Floating = z.looseObject({ data: GroupState.optional(), position: z.record(z.string(), z.unknown()) });

export const DockLayout = z.looseObject({
  grid: Grid,
  panels: z.record(z.string().max(200), PanelState),
  activeGroup: z.string().max(200).optional(),
  floatingGroups: z.array(Floating).max(MAX_LAYOUT_PANELS).optional(),
  popoutGroups: z.array(z.looseObject({ data: GroupState.optional() })).max(MAX_LAYOUT_PANELS).optional(),
}).superRefine((dock, ctx) => {
  const ids = Object.keys(dock.panels);
  if (ids.length > MAX_LAYOUT_PANELS) ctx.addIssue({ code: 'custom', path: ['panels'], message: `at most ${MAX_LAYOUT_PANELS} panels (found ${ids.length})` });
  for (const [key, panel] of Object.entries(dock.panels)) {
    if (panel.id !== key) ctx.addIssue({ code: 'custom', path: ['panels', key, 'id'], message: `is "${panel.id}", not the panel's key "${key}"` });
    const schema = PANEL_PARAMS[panel.contentComponent] as z.ZodType | undefined;
    if (!schema) continue;
    const params = schema.safeParse(panel.params ?? {});
    if (!params.success) {
      const first = params.error.issues[0]!;
      ctx.addIssue({ code: 'custom', path: ['panels', key, 'params', ...first.path.map(String)], message: `${first.message} (a ${panel.contentComponent} panel)` });
    }
  }
  // Every group's tabs must be panels of the layout.
  const groups: { path: (string | number)[]; group: z.infer<typeof GroupState> }[] = [];
  // The grid's own problems are already reported: only well-formed groups are looked into.
  const walk = (node: GridNode, path: (string | number)[]) => {
    if (node.type === 'leaf') {
      if (GroupState.safeParse(node.data).success) groups.push({ path: [...path, 'data'], group: node.data as z.infer<typeof GroupState> });
    } else if (Array.isArray(node.data)) {
      node.data.forEach((child: GridNode, i) => { if (child && typeof child === 'object') walk(child, [...path, 'data', i]); });
    }
  };
  walk(dock.grid.root, ['grid', 'root']);
  dock.floatingGroups?.forEach((f, i) => { if (f.data) groups.push({ path: ['floatingGroups', i, 'data'], group: f.data }); });
  dock.popoutGroups?.forEach((f, i) => { if (f.data) groups.push({ path: ['popoutGroups', i, 'data'], group: f.data as z.infer<typeof GroupState> }); });
  for (const { path, group } of groups) {
    group.views.forEach((v, i) => {
      if (!(v in dock.panels)) ctx.addIssue({ code: 'custom', path: [...path, 'views', i], message: `names panel "${v}", which the layout does not have` });
    });
  }
});
export type DockLayout = z.infer<typeof DockLayout>;

/** A layout as saved: the dock and the plots its plot panels show. */
export const Layout = z.object({
  dock: DockLayout,
  plots: z.array(PlotConfig).max(MAX_PLOTS),
}).strict();
export type Layout = z.infer<typeof Layout>;

export const NamedLayout = Layout.extend({ name: z.string().trim().min(1, 'A layout needs a name').max(MAX_NAME_CHARS) }).strict();
export type NamedLayout = z.infer<typeof NamedLayout>;

/** What the workspace keeps: the layout on screen, the sessions it has opened panels for, and the saved ones. */
export const LayoutState = z.object({
  current: DockLayout.nullable(),
  /** Sessions whose panels were opened once: a session the user closed the panels of is not given them again. */
  seen: z.array(z.string().max(MAX_NAME_CHARS)).max(1000),
  saved: z.array(NamedLayout).max(MAX_SAVED_LAYOUTS),
}).strict().superRefine((s, ctx) => {
  const names = new Set<string>();
  s.saved.forEach((l, i) => {
    if (names.has(l.name)) ctx.addIssue({ code: 'custom', path: ['saved', i, 'name'], message: `"${l.name}" is saved twice` });
    names.add(l.name);
  });
});
export type LayoutState = z.infer<typeof LayoutState>;

export const EMPTY_LAYOUT_STATE: LayoutState = { current: null, seen: [], saved: [] };

/** The file a layout is exported to and imported from. */
export const LayoutFile = NamedLayout.extend({
  format: z.literal(LAYOUT_FILE_FORMAT, { error: `not a Benchscope layout file (its "format" must be "${LAYOUT_FILE_FORMAT}")` }),
  version: z.literal(LAYOUT_FILE_VERSION, { error: `a layout file of version ${LAYOUT_FILE_VERSION} is expected` }),
}).strict();
export type LayoutFile = z.infer<typeof LayoutFile>;

/** Reads a layout file's text: the layout, or what is wrong with it (the first problem, with where it is). */
export function parseLayoutFile(text: string): { ok: true; layout: NamedLayout } | { ok: false; error: string } {
  let json: unknown;
  try {
    json = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (e) {
    return { ok: false, error: `not JSON (${(e as Error).message})` };
  }
  const parsed = LayoutFile.safeParse(json);
  if (!parsed.success) {
    const first = parsed.error.issues[0]!;
    return { ok: false, error: `${first.path.length ? `${first.path.join('.')}: ` : ''}${first.message}` };
  }
  const { format: _format, version: _version, ...layout } = parsed.data;
  return { ok: true, layout };
}

export function layoutFileText(layout: NamedLayout): string {
  const file: LayoutFile = { format: LAYOUT_FILE_FORMAT, version: LAYOUT_FILE_VERSION, ...layout };
  return `${JSON.stringify(file, null, 2)}\n`;
}

export const LayoutRequestSchemas = {
  getLayouts: z.object({}).strict(),
  /** The whole layout state at once: the page saves it as the user docks, names, deletes and imports. */
  setLayouts: z.object({ state: LayoutState }).strict(),
} as const;

export interface LayoutResultTypes {
  getLayouts: LayoutState;
  setLayouts: null;
}
