// Bundles the Electron main process and the sandboxed preload (CommonJS).
import { build } from 'esbuild';

const common = { bundle: true, platform: 'node', target: 'node20', format: 'cjs', sourcemap: true, logLevel: 'warning' };
await build({ ...common, entryPoints: ['app/electron/main.ts'], outfile: 'dist/electron/main.cjs', external: ['electron', 'serialport', '@serialport/*', 'ws', 'bufferutil', 'utf-8-validate'] });
await build({ ...common, entryPoints: ['app/electron/preload.ts'], outfile: 'dist/electron/preload.cjs', external: ['electron'] });
