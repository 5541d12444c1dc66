// Helpers for the CAN tests: a socat pty pair, and links with a short backoff.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { vi, expect } from 'vitest';
import { LinkSpec, type LinkConfigOf } from '../../shared/api/link-config';

export interface PtyPair { host: string; device: string; close(): void }

/** Two connected pseudo-terminals: the host (Benchscope) opens one, the emulated adapter the other. */
export async function ptyPair(prefix = 'benchscope-can-'): Promise<PtyPair> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  const host = path.join(dir, 'host');
  const device = path.join(dir, 'device');
  const socat: ChildProcess = spawn('socat', ['-d', '-d', `pty,raw,echo=0,link=${host}`, `pty,raw,echo=0,link=${device}`], { stdio: 'ignore' });
  await vi.waitFor(() => expect(fs.existsSync(host) && fs.existsSync(device)).toBe(true), { timeout: 5000, interval: 10 });
  return {
    host,
    device,
    close: () => {
      socat.kill();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A CAN link configuration, validated by the same schema as the hub's. */
export function canConfig(c: Record<string, unknown>): LinkConfigOf<'can'> {
  const spec = LinkSpec.parse({ type: 'can', config: { txid: 0x100, rxid: 0x200, extended_id: false, fd: false, bitrate_switch: false, ...c } });
  return spec.config as LinkConfigOf<'can'>;
}
