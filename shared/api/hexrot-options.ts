// Options of a hexrot session. The layout is a built-in name ("simple"), the
// text of a layout file, or its saved JSON form; a layout with an error is
// refused here, at the hub, with its line, column and reason.
import { z } from 'zod';
import { LayoutError, LayoutJson, resolveLayout } from './hexrot-layout';

export const HexrotOptionsSchema = z.object({
  generation: z.enum(['current', 'legacy']).default('current'),
  layout: z.union([z.string().min(1, 'Choose a layout').max(200_000, 'Layout text is at most 200000 characters'), LayoutJson]).default('simple'),
  /** The user's name for layout text (shown in the panel and the device info); JSON and built-in layouts carry theirs. */
  layoutName: z.string().trim().min(1, 'Name the layout').max(100, 'A layout name is at most 100 characters').optional(),
  /** Legacy: 36-byte header with mjd (the seed's) or the later 24-byte one. */
  legacyHeader: z.enum(['mjd', 'tai']).default('mjd'),
  /** Legacy: sync_pattern written in every command. */
  syncPattern: z.number().int().min(0).max(0xffff).default(0),
  /** Current: how long a command waits for its COMMAND_STATUS (the reference client: 5 s). */
  commandTimeoutS: z.number().min(0.05).max(60).default(5),
}).strict().superRefine((o, ctx) => {
  try {
    resolveLayout(o.layout, o.layoutName);
  } catch (e) {
    const message = e instanceof LayoutError ? `Layout ${e.message}` : `Layout refused: ${(e as Error).message}`;
    ctx.addIssue({ code: 'custom', path: ['layout'], message });
  }
});
export type HexrotOptions = z.infer<typeof HexrotOptionsSchema>;
