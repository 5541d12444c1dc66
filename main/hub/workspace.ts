// The workspace file: sessions, their links and options, the plots, demo mode.
// Written atomically (temp file + rename), validated on load; a corrupt file
// is moved aside and reported, never silently replaced.
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { PlotConfig, PROTOCOLS } from '../../shared/api/contract';
import { LinkSpec } from '../../shared/api/link-config';

export const WORKSPACE_FILE = 'workspace.json';

export const WorkspaceSchema = z.object({
  version: z.literal(1),
  demoMode: z.boolean(),
  sessions: z.array(z.object({
    id: z.string().min(1).max(64),
    name: z.string().min(1).max(100),
    protocol: z.enum(PROTOCOLS),
    link: LinkSpec,
    options: z.record(z.string(), z.unknown()),
    autoConnect: z.boolean(),
  })).max(256),
  plots: z.array(PlotConfig).max(32),
  /** Recordings open for replay, opened again (paused where they were) at the next start. */
  replays: z.array(z.object({
    recording: z.string().min(1).max(100),
    path: z.string().min(1).max(4096),
    position: z.number().finite(),
    speed: z.number().min(0.01).max(1000),
  })).max(32).optional(),
});
export type Workspace = z.infer<typeof WorkspaceSchema>;

export const EMPTY_WORKSPACE: Workspace = { version: 1, demoMode: true, sessions: [], plots: [] };

export interface LoadedWorkspace {
  workspace: Workspace;
  /** True when no file existed: a first start. */
  fresh: boolean;
  notice: string | null;
}

export async function loadWorkspace(dir: string): Promise<LoadedWorkspace> {
  const file = path.join(dir, WORKSPACE_FILE);
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { workspace: EMPTY_WORKSPACE, fresh: true, notice: null };
    return { workspace: EMPTY_WORKSPACE, fresh: false, notice: `Cannot read the workspace ${file}: ${(e as Error).message}; starting with an empty one (the file is left as it is)` };
  }
  let reason: string;
  try {
    const parsed = WorkspaceSchema.safeParse(JSON.parse(text));
    if (parsed.success) return { workspace: parsed.data, fresh: false, notice: null };
    const first = parsed.error.issues[0];
    reason = `${first.path.join('.') || '(top)'}: ${first.message}`;
  } catch (e) {
    reason = `not valid JSON (${(e as Error).message})`;
  }
  const aside = `${file}.corrupt-${new Date().toISOString().replace(/[:.]/g, '-')}`;
  try {
    await fs.rename(file, aside);
    return { workspace: EMPTY_WORKSPACE, fresh: false, notice: `The workspace file was corrupt (${reason}); it was moved to ${aside} and Benchscope started with the demo bench` };
  } catch (e) {
    return { workspace: EMPTY_WORKSPACE, fresh: false, notice: `The workspace file ${file} is corrupt (${reason}) and could not be moved aside: ${(e as Error).message}` };
  }
}

/** Serialises concurrent saves: the last one wins and no two renames race. */
export class WorkspaceWriter {
  private chain: Promise<void> = Promise.resolve();
  private seq = 0;
  lastError: string | null = null;

  constructor(private readonly dir: string) {}

  save(ws: Workspace): Promise<void> {
    const text = JSON.stringify(ws, null, 2);
    const seq = ++this.seq;
    this.chain = this.chain.then(async () => {
      if (seq !== this.seq) return; // a newer save is queued
      const file = path.join(this.dir, WORKSPACE_FILE);
      const tmp = `${file}.${process.pid}.tmp`;
      try {
        await fs.mkdir(this.dir, { recursive: true });
        await fs.writeFile(tmp, text, 'utf8');
        await fs.rename(tmp, file);
        this.lastError = null;
      } catch (e) {
        this.lastError = `Cannot save the workspace to ${file}: ${(e as Error).message}`;
      }
    });
    return this.chain;
  }
}
