// DESIGN.md's dependency rule, checked on every import of every source file:
// renderer -> shared, main -> shared, app -> main + shared; nothing imports app;
// main never imports electron or react; shared imports nothing Node-only or DOM-only.
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

  it('the checker sees a violation when there is one', () => {
    const file = path.join(ROOT, 'main', 'x.ts');
    expect(layerOf(file, '../app/host/server')).toBe('app');
    expect(NODE_ONLY.test('node:fs')).toBe(true);
    expect(importsOf(path.join(ROOT, 'main', 'hub', 'hub.ts'))).toContain('../../shared/api/contract');
  });
});
