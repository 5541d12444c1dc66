// Options of a Scrutiny session (the New session dialog and setSessionOptions).
import { z } from 'zod';

export const ScrutinyOptionsSchema = z.object({
  /**
   * Polling cycles per second of RPVs and watched variables, at most; 0 stops polling.
   * null (default): at the device's pace, each read sent as soon as the previous answer is in.
   */
  pollHz: z.number({ error: 'Poll rate must be a number' }).min(0, 'Poll rate is at least 0').max(10_000, 'Poll rate is at most 10000 cycles/s').nullable().default(null),
  /** Read every RPV of the device each polling cycle (as signals /rpv/xNNNN). */
  pollRpvs: z.boolean().default(true),
  /** How long to wait for each answer before counting it lost. */
  requestTimeoutMs: z.number().int('Request timeout must be a whole number of ms').min(50, 'Request timeout is at least 50 ms')
    .max(10_000, 'Request timeout is at most 10000 ms').default(500),
  /** Byte order of the device's memory, for watched variables without their own (a firmware description overrides it). */
  memoryEndianness: z.enum(['little', 'big'], { error: 'Memory endianness must be little or big' }).default('little'),
  /** Variable, alias or RPV paths of the firmware description to watch as soon as the device is ready. */
  watchPaths: z.array(z.string().min(1).max(512)).max(256).default([]),
}).strict();

export type ScrutinyOptions = z.output<typeof ScrutinyOptionsSchema>;
