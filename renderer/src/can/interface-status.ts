// Asks the hub whether a CAN interface can be used on its machine (SocketCAN needs
// Linux, the addon and an interface that is up; vendor drivers cannot be reached), so
// the form says why before the user submits. Without a hub (unit tests) it says nothing.
import { useEffect, useState } from 'react';
import type { CanInterface } from '../../../shared/api/link-config';
import { client } from '../hub';

export interface CanInterfaceStatus { available: boolean; reason: string | null }

export function useCanInterfaceStatus(iface: CanInterface, channel?: string): CanInterfaceStatus | null {
  const [status, setStatus] = useState<CanInterfaceStatus | null>(null);
  useEffect(() => {
    setStatus(null);
    if (!client.connected) return;
    let live = true;
    const timer = setTimeout(() => {
      client.request('canInterfaceStatus', { interface: iface, ...(channel ? { channel } : {}) })
        .then((s) => { if (live) setStatus(s); }, () => undefined);
    }, 250);
    return () => { live = false; clearTimeout(timer); };
  }, [iface, channel]);
  return status;
}
