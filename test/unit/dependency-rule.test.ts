// DESIGN.md's dependency rule, checked on every import of every source file:
// renderer -> shared, main -> shared, app -> main + shared; nothing imports app;
// main never imports electron or react; shared imports nothing Node-only or DOM-only.
// Inside main/, folders stand in an order and import only those before them (or themselves).
// The per-layer tsconfigs (npm run typecheck) fence the globals each layer may use.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(__dirname, '../..');
const IMPORT = /(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|require\(\s*['"]([^'"]+)['"]\s*\)/g;
const NODE_ONLY = /^(node:|fs$|net$|dgram$|path$|os$|child_process$|http$|crypto$|serialport|ws$|@serialport\/)/;

function sources(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = path.join(dir, name);
    if (statSync(p).isDirectory()) out.push(...sources(p));
    else if (/\.(ts|tsx)$/.test(name)) out.push(p);
  }
  return out;
}

function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(IMPORT)].map((m) => m[1] ?? m[2] ?? m[3]);
}

function layerOf(file: string, spec: string): string | null {
  if (!spec.startsWith('.')) return null;
  const target = path.relative(ROOT, path.resolve(path.dirname(file), spec));
  return target.split(path.sep)[0];
}

/** main/'s folders, lowest first: file formats, transports, protocols, the sample store, triggered captures, recording, the hub. */
const MAIN_ORDER = ['files', 'links', 'protocols', 'telemetry', 'datalog', 'record', 'hub'];

function mainFolderOf(relative: string): string | null {
  const parts = relative.split(path.sep);
  return parts[0] === 'main' && parts.length > 2 ? parts[1] : null;
}

const RULES: Record<string, { layers: string[]; packages?: RegExp }> = {
  shared: { layers: ['shared'], packages: NODE_ONLY },
  main: { layers: ['main', 'shared'], packages: /^(electron|react|react-dom)$/ },
  renderer: { layers: ['renderer', 'shared'], packages: NODE_ONLY },
};

describe('dependency rule', () => {
  for (const [layer, rule] of Object.entries(RULES)) {
    it(`${layer}/ imports only ${rule.layers.join(' and ')}`, () => {
      const violations: string[] = [];
      const files = sources(path.join(ROOT, layer));
      expect(files.length).toBeGreaterThan(0);
      for (const file of files) {
        for (const spec of importsOf(file)) {
          const target = layerOf(file, spec);
          if (target !== null && !rule.layers.includes(target)) violations.push(`${path.relative(ROOT, file)} imports ${spec}`);
          if (target === null && rule.packages?.test(spec)) violations.push(`${path.relative(ROOT, file)} imports package ${spec}`);
        }
      }
      expect(violations).toEqual([]);
    });
  }

  it('nothing outside app/ imports app/, and only app/electron imports electron', () => {
    const violations: string[] = [];
    for (const layer of ['main', 'shared', 'renderer', 'app']) {
      for (const file of sources(path.join(ROOT, layer))) {
        const inElectron = path.relative(ROOT, file).startsWith(path.join('app', 'electron'));
        for (const spec of importsOf(file)) {
          if (layer !== 'app' && layerOf(file, spec) === 'app') violations.push(`${path.relative(ROOT, file)} imports ${spec}`);
          if (spec === 'electron' && !inElectron) violations.push(`${path.relative(ROOT, file)} imports electron`);
        }
      }
    }
    expect(violations).toEqual([]);
  });

  it(`main/ folders import only folders before them: ${MAIN_ORDER.join(' < ')}`, () => {
    const violations: string[] = [];
    const folders = readdirSync(path.join(ROOT, 'main')).filter((n) => statSync(path.join(ROOT, 'main', n)).isDirectory());
    expect(folders.filter((f) => !MAIN_ORDER.includes(f))).toEqual([]);
    for (const file of sources(path.join(ROOT, 'main'))) {
      const from = mainFolderOf(path.relative(ROOT, file));
      for (const spec of importsOf(file)) {
        if (!spec.startsWith('.')) continue;
        const to = mainFolderOf(path.relative(ROOT, path.resolve(path.dirname(file), spec)));
        if (from !== null && to !== null && MAIN_ORDER.indexOf(to) > MAIN_ORDER.indexOf(from)) violations.push(`${path.relative(ROOT, file)} (${from}) imports ${spec} (${to})`);
      }
    }
    expect(violations).toEqual([]);
  });

  it('each layer is type-checked with only the globals it may use', () => {
    const config = (layer: string) => JSON.parse(readFileSync(path.join(ROOT, layer, 'tsconfig.json'), 'utf8').replace(/^\s*\/\/.*$/gm, '')) as { compilerOptions: { lib: string[]; types: string[] } };
    const hasDom = (layer: string) => config(layer).compilerOptions.lib.some((l) => /^dom/i.test(l));
    const hasNode = (layer: string) => config(layer).compilerOptions.types.includes('node');
    expect([hasDom('shared'), hasNode('shared')]).toEqual([false, false]);
    expect([hasDom('renderer'), hasNode('renderer')]).toEqual([true, false]);
    expect([hasDom('main'), hasNode('main')]).toEqual([false, true]);
    const typecheck = (JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts.typecheck;
    for (const layer of ['shared', 'renderer', 'main']) expect(typecheck).toContain(`${layer}/tsconfig.json`);
  });

  it('the checker sees a violation when there is one', () => {
    expect(mainFolderOf(path.join('main', 'record', 'recorder.ts'))).toBe('record');
    expect(MAIN_ORDER.indexOf('record')).toBeGreaterThan(MAIN_ORDER.indexOf('datalog'));
    const file = path.join(ROOT, 'main', 'x.ts');
    expect(layerOf(file, '../app/host/server')).toBe('app');
    expect(NODE_ONLY.test('node:fs')).toBe(true);
    expect(importsOf(path.join(ROOT, 'main', 'hub', 'hub.ts'))).toContain('../../shared/api/contract');
  });
});
