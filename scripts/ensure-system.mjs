// The programs outside npm that `npm test` needs: Debian's Chromium (the
// end-to-end tests drive it) and socat (pseudo-terminal pairs for the serial
// tests). Missing ones are installed with apt on Debian or Ubuntu as root;
// anywhere else this stops at once with the one command to run.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';

/** program on PATH -> Debian package that provides it */
const NEEDED = [
  { program: 'chromium', alternatives: ['chromium', 'chromium-browser'], pkg: 'chromium', why: 'the end-to-end tests run in it' },
  { program: 'socat', alternatives: ['socat'], pkg: 'socat', why: 'pseudo-terminal pairs for the serial tests' },
];

function onPath(name) {
  return spawnSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' }).status === 0;
}

function isDebianLike() {
  if (!existsSync('/etc/os-release')) return false;
  const text = readFileSync('/etc/os-release', 'utf8');
  return /^(ID|ID_LIKE)=.*\b(debian|ubuntu)\b/m.test(text) && onPath('apt-get');
}

export function missingPrograms() {
  const chromiumSet = process.env.CHROMIUM_PATH && existsSync(process.env.CHROMIUM_PATH);
  return NEEDED.filter((n) => !(n.program === 'chromium' && chromiumSet) && !n.alternatives.some(onPath));
}

function run(cmd, args) {
  const r = spawnSync(cmd, args, { stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  return r.status === 0;
}

export function ensureSystem() {
  const missing = missingPrograms();
  if (missing.length === 0) return;
  const pkgs = missing.map((m) => m.pkg);
  const command = `sudo apt-get update && sudo apt-get install -y ${pkgs.join(' ')}`;
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (!isDebianLike() || !isRoot) {
    console.error(`The tests need ${missing.map((m) => `${m.program} (${m.why})`).join(' and ')}, which ${missing.length > 1 ? 'are' : 'is'} not installed.`);
    console.error(isDebianLike() ? `Install ${missing.length > 1 ? 'them' : 'it'} with:\n  ${command}` : `Install ${pkgs.join(' and ')} with your system's package manager (on Debian or Ubuntu: ${command}); for another Chromium, set CHROMIUM_PATH.`);
    process.exit(1);
  }
  console.log(`Installing ${missing.map((m) => `${m.pkg} (${m.why})`).join(', ')} with apt-get…`);
  if (!run('apt-get', ['update', '-qq']) || !run('apt-get', ['install', '-y', '-qq', ...pkgs])) {
    console.error(`apt-get could not install ${pkgs.join(' ')}: see above. Try: ${command}`);
    process.exit(1);
  }
  const still = missingPrograms();
  if (still.length > 0) {
    console.error(`${still.map((m) => m.program).join(' and ')} still not found after installing: see above.`);
    process.exit(1);
  }
}
