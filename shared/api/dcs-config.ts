// The DCS configuration a session plays DCSS with: the hardware servers allowed to
// connect, and the devices each owns, as DCSS's database would hold them.
// Only zod: the engine plays DCSS with it and the renderer validates its form with it.
import { z } from 'zod';

const deviceName = z.string().trim().min(1, 'A name is required').max(64, 'Names are at most 64 characters')
  .regex(/^[A-Za-z0-9_.:+-]+$/, 'DCS names are one token: letters, digits and _ . : + -');
const num = (what: string) => z.number({ error: `${what} must be a number` }).finite(`${what} must be finite`);

/** What real and pseudo motors share in DCSS's database. */
const motorFields = {
  name: deviceName,
  /** The name the DHS knows the motor by (defaults to name). */
  hwName: deviceName.optional(),
  units: z.string().max(16).optional(),
  position: num('Position').default(0),
  upperLimit: num('Upper limit').default(100),
  lowerLimit: num('Lower limit').default(-100),
  lowerLimitOn: z.boolean().default(true),
  upperLimitOn: z.boolean().default(true),
  motorLockOn: z.boolean().default(false),
  dependency: z.array(deviceName).max(32).default([]),
  children: z.array(deviceName).max(32).default([]),
};

export const RealMotorSchema = z.object({
  ...motorFields,
  scaleFactor: num('Scale factor').default(1000),
  // DCSS's database holds speed, acceleration and backlash as whole numbers (steps/s, ms, steps).
  speed: num('Speed').int('Speed is a whole number of steps/s').positive('Speed must be above 0').default(2000),
  acceleration: num('Acceleration').int('Acceleration is a whole number of ms').positive('Acceleration must be above 0').default(100),
  backlash: num('Backlash').int('Backlash is a whole number of steps').default(0),
  backlashOn: z.boolean().default(false),
  reverseOn: z.boolean().default(false),
  /** A circular axis (DCSS's circle mode, kept in its database; not sent to the DHS). */
  circle: z.boolean().optional(),
}).strict();

export const PseudoMotorSchema = z.object(motorFields).strict();

export const ShutterSchema = z.object({
  name: deviceName,
  hwName: deviceName.optional(),
  state: z.enum(['open', 'closed']).default('closed'),
}).strict();

export const IonChamberSchema = z.object({
  name: deviceName,
  /** The counter board. */
  hwName: deviceName,
  counterChannel: z.number().int().min(0).max(1023),
  timer: deviceName,
  timerType: deviceName.default('clock'),
}).strict();

const simpleDevice = z.object({ name: deviceName, hwName: deviceName.optional() }).strict();
/** Encoders, strings, operations and objects: a name and the name the DHS knows it by. */
export const SimpleDeviceSchema = simpleDevice;

export const HardwareServerSchema = z.object({
  name: deviceName,
  /** The address the DHS must connect from: an IP address, a host name, or * for any. */
  address: z.string().trim().min(1, 'An address is required (* for any)').max(253).default('*'),
  protocol: z.union([z.literal(1), z.literal(2)], { error: 'Protocol version must be 1 or 2' }).default(2),
  realMotors: z.array(RealMotorSchema).max(512).default([]),
  pseudoMotors: z.array(PseudoMotorSchema).max(512).default([]),
  shutters: z.array(ShutterSchema).max(128).default([]),
  ionChambers: z.array(IonChamberSchema).max(128).default([]),
  encoders: z.array(simpleDevice).max(128).default([]),
  strings: z.array(simpleDevice).max(512).default([]),
  operations: z.array(simpleDevice).max(512).default([]),
  /** Generic DCS objects (registered with stoh_register_object; the DHS decides what they are). */
  objects: z.array(simpleDevice).max(512).default([]),
}).strict();

export type RealMotorConfig = z.infer<typeof RealMotorSchema>;
export type PseudoMotorConfig = z.infer<typeof PseudoMotorSchema>;
export type HardwareServerConfig = z.infer<typeof HardwareServerSchema>;

/** The hardware server the emulator plays, with every kind of device. */
export const DEFAULT_HARDWARE_SERVER = {
  name: 'simdhs',
  address: '127.0.0.1',
  protocol: 2,
  realMotors: [
    { name: 'sample_x', units: 'mm', position: 0, upperLimit: 40, lowerLimit: -40, scaleFactor: 1000, speed: 20000, acceleration: 100 },
    { name: 'sample_y', units: 'mm', position: 0, upperLimit: 60, lowerLimit: -60, scaleFactor: 1000, speed: 10000, acceleration: 200, lowerLimitOn: false, upperLimitOn: false },
    { name: 'gonio_phi', units: 'deg', position: 0, upperLimit: 360, lowerLimit: 0, scaleFactor: 100, speed: 9000, acceleration: 50, lowerLimitOn: false, upperLimitOn: false, circle: true },
  ],
  pseudoMotors: [{ name: 'energy', units: 'eV', position: 12000, upperLimit: 17000, lowerLimit: 6000 }],
  shutters: [{ name: 'shutter', state: 'closed' }],
  ionChambers: [
    { name: 'i0', hwName: 'counter1', counterChannel: 0, timer: 'timer1', timerType: 'clock' },
    { name: 'i1', hwName: 'counter1', counterChannel: 1, timer: 'timer1', timerType: 'clock' },
  ],
  encoders: [{ name: 'sample_x_encoder' }],
  strings: [{ name: 'sim_status' }],
  operations: [{ name: 'sim_scan' }],
} as const;

export const DcsOptionsSchema = z.object({
  hardwareServers: z.array(HardwareServerSchema).min(1, 'At least one hardware server').max(64)
    .prefault(() => [structuredClone(DEFAULT_HARDWARE_SERVER) as unknown as z.input<typeof HardwareServerSchema>]),
  /** Longest v2 text accepted from a DHS, in bytes. */
  maxTextLength: z.number().int().min(200).max(16 * 1024 * 1024).default(64 * 1024),
}).strict().superRefine((o, ctx) => {
  const owners = new Map<string, string>();
  o.hardwareServers.forEach((h, i) => {
    if (o.hardwareServers.findIndex((x) => x.name === h.name) !== i) {
      ctx.addIssue({ code: 'custom', path: ['hardwareServers', i, 'name'], message: `Hardware server "${h.name}" is listed twice` });
    }
    for (const [kind, list] of Object.entries({
      realMotors: h.realMotors, pseudoMotors: h.pseudoMotors, shutters: h.shutters, ionChambers: h.ionChambers,
      encoders: h.encoders, strings: h.strings, operations: h.operations, objects: h.objects,
    })) {
      list.forEach((d: { name: string }, j: number) => {
        const owner = owners.get(d.name);
        if (owner !== undefined) {
          ctx.addIssue({ code: 'custom', path: ['hardwareServers', i, kind, j, 'name'], message: `Device "${d.name}" is already defined (${owner}); DCS device names are unique` });
        }
        owners.set(d.name, `${kind} of ${h.name}`);
      });
    }
  });
});

export type DcsOptions = z.infer<typeof DcsOptionsSchema>;
export type DcsOptionsInput = z.input<typeof DcsOptionsSchema>;
