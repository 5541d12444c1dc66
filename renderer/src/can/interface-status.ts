// Asks the hub whether a CAN interface can be used on its machine (SocketCAN needs
// Linux, the addon and an interface that is up; vendor drivers cannot be reached), so
// the form says why before the user submits. Without a hub (unit tests) it says nothing.
import { useEffect, useState } from 'react';
import { CAN_INTERFACES } from '../../../shared/api/link-config';
import type { CanInterface } from '../../../shared/api/link-config';
import { client } from '../hub';

export interface CanInterfaceStatus { available: boolean; reason: string | null }

/** Asked once per page: the hub's machine does not change under it. */
let preferred: Promise<CanInterface> | null = null;

/**
 * The interface a new CAN link form starts on: SocketCAN (the seed's default) where the
 * hub's machine has it, else an SLCAN adapter, which any machine with a serial port can
 * use. Null until the hub answered, and without a hub.
 */
export function usePreferredCanInterface(): CanInterface | null {
  const [iface, setIface] = useState<CanInterface | null>(null);
  useEffect(() => {
    if (!client.connected) return;
    let live = true;
    preferred ??= client.request('canInterfaceStatus', { interface: 'socketcan' })
      .then((s): CanInterface => (s.available ? 'socketcan' : 'slcan'), () => { preferred = null; return CAN_INTERFACES[0]; });
    void preferred.then((i) => { if (live) setIface(i); });
    return () => { live = false; };
  }, []);
  return iface;
}

export function useCanInterfaceStatus(iface: CanInterface, channel?: string): CanInterfaceStatus | null {
  const [status, setStatus] = useState<CanInterfaceStatus | null>(null);
  useEffect(() => {
    setStatus(null);
    if (!client.connected) return;
    let live = true;
    const timer = setTimeout(() => {
      client.request('canInterfaceStatus', { interface: iface, ...(channel ? { channel } : {}) })
        .then((s) => { if (live) setStatus(s); }, (e: Error) => { if (live) setStatus({ available: false, reason: `the hub could not check ${iface}: ${e.message}` }); });
    }, 250);
    return () => { live = false; clearTimeout(timer); };
  }, [iface, channel]);
  return status;
}
