// The workspace file: sessions, their links and options, the plots, the layouts, demo mode.
// Written atomically (temp file + rename), validated on load; a corrupt file
// is moved aside and reported, never silently replaced. Its limits are the API's
// (shared/api/limits.ts): whatever a client can make, the next start loads back.
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { PlotConfig, PROTOCOLS } from '../../shared/api/contract';
import { LayoutState } from '../../shared/api/layout';
import { LinkSpec } from '../../shared/api/link-config';
import { MAX_ID_CHARS, MAX_NAME_CHARS, MAX_PATH_CHARS, MAX_PLOTS, MAX_REPLAYS, MAX_SESSIONS } from '../../shared/api/limits';

export const WORKSPACE_FILE = 'workspace.json';

export const WorkspaceSchema = z.object({
  version: z.literal(1),
  demoMode: z.boolean(),
  sessions: z.array(z.object({
    id: z.string().min(1).max(MAX_ID_CHARS),
    name: z.string().min(1).max(MAX_NAME_CHARS),
    protocol: z.enum(PROTOCOLS),
    link: LinkSpec,
    options: z.record(z.string(), z.unknown()),
    autoConnect: z.boolean(),
  })).max(MAX_SESSIONS),
  plots: z.array(PlotConfig).max(MAX_PLOTS),
  /** Recordings open for replay, opened again (paused where they were) at the next start. */
  replays: z.array(z.object({
    recording: z.string().min(1).max(MAX_NAME_CHARS),
    path: z.string().min(1).max(MAX_PATH_CHARS),
    position: z.number().finite(),
    speed: z.number().min(0.01).max(1000),
  })).max(MAX_REPLAYS).optional(),
  /** The workbench's docking layout and the named ones (absent in files from before layouts). */
  layouts: LayoutState.optional(),
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
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { workspace: EMPTY_WORKSPACE, fresh: true, notice: null };
    if (code === 'EISDIR') return { workspace: EMPTY_WORKSPACE, fresh: false, notice: `The workspace ${file} is a folder, not a file: Benchscope started with an empty workspace and cannot save it until that folder is moved away (it is left as it is)` };
    return { workspace: EMPTY_WORKSPACE, fresh: false, notice: `Cannot read the workspace ${file}: ${(e as Error).message}; starting with an empty one (the file is left as it is)` };
  }
  let reason: string;
  try {
    // A file saved by an editor that writes a UTF-8 byte order mark is still ours.
    const parsed = WorkspaceSchema.safeParse(JSON.parse(text.replace(/^\uFEFF/, '')));
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
        // No temp file is left behind (one per failed start would pile up beside the workspace).
        await fs.rm(tmp, { force: true }).catch(() => undefined);
        this.lastError = `Cannot save the workspace to ${file}: ${(e as Error).message}`;
      }
    });
    return this.chain;
  }
}
