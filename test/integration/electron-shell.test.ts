// The Electron shell cannot run here (no runtime), but it must build, its
// preload must be loadable in a sandbox (CommonJS, requiring nothing but
// electron), and its window must keep the security settings DESIGN.md names.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(__dirname, '../..');

describe('electron shell', () => {
  it('bundles main and a sandbox-loadable preload', () => {
    execFileSync(process.execPath, ['scripts/build-electron.mjs'], { cwd: ROOT, stdio: 'pipe' });
    const preload = readFileSync(path.join(ROOT, 'dist/electron/preload.cjs'), 'utf8');
    const required = [...preload.matchAll(/require\(["']([^"']+)["']\)/g)].map((m) => m[1]);
    expect(required.length).toBeGreaterThan(0);
    expect(new Set(required)).toEqual(new Set(['electron']));
    expect(preload).toContain('exposeInMainWorld');
    const main = readFileSync(path.join(ROOT, 'dist/electron/main.cjs'), 'utf8');
    expect(main).toMatch(/contextIsolation:\s*true/);
    expect(main).toMatch(/sandbox:\s*true/);
    expect(main).toMatch(/nodeIntegration:\s*false/);
    expect(main).toContain('setWindowOpenHandler');
    expect(main).toContain('will-navigate');
    expect(main).not.toMatch(/unsafe-eval/);
  }, 60_000);

  it('the renderer page carries a CSP without unsafe-eval', () => {
    const html = readFileSync(path.join(ROOT, 'renderer/index.html'), 'utf8');
    const csp = /http-equiv="Content-Security-Policy"\s+content="([^"]+)"/.exec(html)?.[1] ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-eval');
  });
});
