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
    // Permissions refused when asked and when checked; IPC only from our window's top frame.
    expect(main).toContain('setPermissionRequestHandler');
    expect(main).toMatch(/setPermissionCheckHandler\(\(\) => false\)/);
    expect(main).toMatch(/frame === contents\.mainFrame/);
  }, 60_000);

  it('packages with the fuses that keep the binary from being run as something else', () => {
    // The block's "  key: true|false" lines (the file is plain YAML of that shape).
    const yml = readFileSync(path.join(ROOT, 'electron-builder.yml'), 'utf8');
    const block = /^electronFuses:\n((?: {2}\w+: (?:true|false)\n?)+)/m.exec(yml)?.[1] ?? '';
    const config = { electronFuses: Object.fromEntries([...block.matchAll(/^ {2}(\w+): (true|false)$/gm)].map((m) => [m[1]!, m[2] === 'true'])) };
    expect(config.electronFuses).toMatchObject({
      runAsNode: false,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      onlyLoadAppFromAsar: true,
      enableEmbeddedAsarIntegrityValidation: true,
    });
    // Every key is one of electron-builder's electronFuses options (a misspelt fuse would be silently ignored).
    const known = ['runAsNode', 'enableCookieEncryption', 'enableNodeOptionsEnvironmentVariable', 'enableNodeCliInspectArguments',
      'enableEmbeddedAsarIntegrityValidation', 'onlyLoadAppFromAsar', 'loadBrowserProcessSpecificV8Snapshot', 'grantFileProtocolExtraPrivileges', 'resetAdHocDarwinSignature'];
    for (const k of Object.keys(config.electronFuses)) expect(known).toContain(k);
  });

  it('the renderer page carries a CSP without unsafe-eval', () => {
    const html = readFileSync(path.join(ROOT, 'renderer/index.html'), 'utf8');
    const csp = /http-equiv="Content-Security-Policy"\s+content="([^"]+)"/.exec(html)?.[1] ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-eval');
    // Connections only to the page's own origin (the host's address), never any ws: server.
    expect(csp).toMatch(/connect-src 'self'(;|$)/);
    expect(csp).not.toMatch(/ws:|wss:/);
  });
});
