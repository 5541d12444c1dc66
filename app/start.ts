// `npm start`: the desktop window when an Electron runtime is installed,
// otherwise the same UI from the headless host (one line says why).
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { runHostCli } from './host/cli';
import { REPO_ROOT } from './host/server';

function electronBinary(): string | null {
  try {
    const pkgDir = path.dirname(createRequire(import.meta.url).resolve('electron/package.json'));
    const rel = readFileSync(path.join(pkgDir, 'path.txt'), 'utf8').trim();
    const bin = path.join(pkgDir, 'dist', rel);
    return existsSync(bin) ? bin : null;
  } catch {
    return null;
  }
}

const bin = electronBinary();
if (bin) {
  const build = spawn(process.execPath, [path.join(REPO_ROOT, 'scripts', 'build-electron.mjs')], { stdio: 'inherit' });
  build.on('exit', (code) => {
    if (code !== 0) process.exit(code ?? 1);
    const child = spawn(bin, [REPO_ROOT], { stdio: 'inherit' });
    child.on('exit', (c) => process.exit(c ?? 0));
  });
} else {
  void runHostCli(process.argv.slice(2), 'No Electron runtime installed (its download at install time was skipped or failed): serving the same UI from the headless host instead.');
}
