// The layout file and the workspace's layout state: a layout made by the dock reads
// back; anything else is refused with the first problem and where it is.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LayoutState, layoutFileText, MAX_LAYOUT_PANELS, parseLayoutFile, type NamedLayout } from '../../shared/api/layout';

function layout(): NamedLayout {
  return {
    name: 'Bench A',
    plots: [{ id: 'p1', title: 'Waves', windowSeconds: 10, signals: [{ session: 'Gen', signal: 'sine1' }] }],
    dock: {
      grid: {
        root: { type: 'branch', size: 800, data: [
          { type: 'leaf', size: 250, data: { id: '1', views: ['sessions'], activeView: 'sessions' } },
          { type: 'branch', size: 950, data: [
            { type: 'leaf', size: 500, data: { id: '2', views: ['workbench:Gen', 'plot:p1'], activeView: 'plot:p1' } },
            { type: 'leaf', size: 300, data: { id: '3', views: ['console:Gen'] } },
          ] },
        ] },
        width: 1200, height: 800, orientation: 'HORIZONTAL',
      },
      panels: {
        sessions: { id: 'sessions', contentComponent: 'sessions', title: 'Sessions', params: {} },
        'workbench:Gen': { id: 'workbench:Gen', contentComponent: 'workbench', title: 'Gen', params: { session: 'Gen' } },
        'plot:p1': { id: 'plot:p1', contentComponent: 'plot', title: 'Waves', params: { plot: 'p1' } },
        'console:Gen': { id: 'console:Gen', contentComponent: 'console', title: 'Console · Gen', params: { session: 'Gen' } },
      },
      activeGroup: '2',
    },
  };
}

const errorOf = (text: string) => {
  const r = parseLayoutFile(text);
  return r.ok ? null : r.error;
};
const edited = (edit: (file: // eslint-disable-next-line @typescript-eslint/no-explicit-any -- a file edited freely, to break it
  any) => void) => {
  const file = JSON.parse(layoutFileText(layout()));
  edit(file);
  return JSON.stringify(file);
};

describe('layout files', () => {
  it('reads back what it wrote, library fields included', () => {
    const text = layoutFileText(layout());
    expect(JSON.parse(text)).toMatchObject({ format: 'benchscope-layout', version: 1, name: 'Bench A' });
    const r = parseLayoutFile(text);
    expect(r.ok && r.layout).toEqual(layout());
    // A byte order mark (an editor's) is not an error.
    expect(parseLayoutFile(`\uFEFF${text}`).ok).toBe(true);
  });

  it('refuses what is not a layout file, saying what is wrong and where', () => {
    expect(errorOf('')).toMatch(/^not JSON/);
    expect(errorOf(layoutFileText(layout()).slice(0, 200))).toMatch(/^not JSON/);
    expect(errorOf('[1,2]')).toMatch(/expected object/);
    expect(errorOf(edited((f) => { f.format = 'dockview'; }))).toBe('format: not a Benchscope layout file (its "format" must be "benchscope-layout")');
    expect(errorOf(edited((f) => { f.version = 2; }))).toBe('version: a layout file of version 1 is expected');
    expect(errorOf(edited((f) => { f.name = '  '; }))).toBe('name: A layout needs a name');
    expect(errorOf(edited((f) => { f.dock.panels['plot:p1'].contentComponent = 'script'; }))).toMatch(/^dock\.panels\.plot:p1\.contentComponent: /);
    expect(errorOf(edited((f) => { delete f.dock.panels['console:Gen'].params.session; }))).toMatch(/^dock\.panels\.console:Gen\.params\.session: .*\(a console panel\)$/);
    expect(errorOf(edited((f) => { f.dock.panels['console:Gen'].params.extra = 1; }))).toMatch(/^dock\.panels\.console:Gen\.params: .*extra.*\(a console panel\)$/);
    expect(errorOf(edited((f) => { f.dock.panels['console:Gen'].id = 'console:Other'; }))).toBe('dock.panels.console:Gen.id: is "console:Other", not the panel\'s key "console:Gen"');
    expect(errorOf(edited((f) => { f.dock.grid.root.data[1].data[1].data.views.push('console:Nobody'); })))
      .toBe('dock.grid.root.data.1.data.1.data.views.1: names panel "console:Nobody", which the layout does not have');
    expect(errorOf(edited((f) => { f.dock.grid.root.data[0].type = 'tree'; }))).toMatch(/^dock\.grid\.root/);
    expect(errorOf(edited((f) => { f.dock.grid.root.data[0].data = 'x'; }))).toMatch(/^dock\.grid\.root\.data\.0\.data/);
    expect(errorOf(edited((f) => { f.dock.grid.orientation = 'DIAGONAL'; }))).toMatch(/^dock\.grid\.orientation/);
    expect(errorOf(edited((f) => { f.plots[0].windowSeconds = -1; }))).toMatch(/^plots\.0\.windowSeconds/);
  });

  it('refuses an oversized layout', () => {
    const text = edited((f) => {
      for (let i = 0; i <= MAX_LAYOUT_PANELS; i++) f.dock.panels[`console:S${i}`] = { id: `console:S${i}`, contentComponent: 'console', params: { session: `S${i}` } };
    });
    expect(errorOf(text)).toBe(`dock.panels: at most ${MAX_LAYOUT_PANELS} panels (found ${MAX_LAYOUT_PANELS + 5})`);
  });

  it('never throws on garbage, and refuses it', () => {
    fc.assert(fc.property(fc.jsonValue(), (v) => {
      expect(parseLayoutFile(JSON.stringify(v)).ok).toBe(false);
    }), { numRuns: 300 });
    fc.assert(fc.property(fc.string(), (s) => { expect(() => parseLayoutFile(s)).not.toThrow(); }), { numRuns: 300 });
    // Any cut of a good file is refused, never half-read.
    const text = layoutFileText(layout());
    for (let n = 0; n < text.trimEnd().length; n += 7) expect(parseLayoutFile(text.slice(0, n)).ok).toBe(false);
  });

  it('keeps one saved layout per name in the workspace state', () => {
    const state = { current: layout().dock, seen: ['Gen'], saved: [layout(), layout()] };
    const r = LayoutState.safeParse(state);
    expect(r.success).toBe(false);
    expect(r.error!.issues[0]).toMatchObject({ path: ['saved', 1, 'name'], message: '"Bench A" is saved twice' });
    expect(LayoutState.safeParse({ ...state, saved: [layout()] }).success).toBe(true);
  });
});
