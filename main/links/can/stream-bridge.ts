// A device's end of a byte stream over CAN on a virtual bus: it reads the frames on
// `rxid` (the host's TX id) into the device's byte stream and cuts what the device
// writes into frames on `txid`, exactly as CanLink does on the host's side. Lets any
// byte-stream emulator (the Scrutiny firmware on TCP, say) sit on a CAN bus.
import net from 'node:net';
import { nowSeconds } from '../link';
import { fdLengthAtMost, type CanFrame } from './frame';
import { attachVirtualNode } from './virtual-bus';

export interface CanStreamIds { bus: string; rxid: number; txid: number; extended: boolean; fd: boolean; brs?: boolean }

/** Bridges a TCP server (the emulated device) to the bus; resolves once connected. */
export async function bridgeTcpToCan(ids: CanStreamIds, host: string, port: number): Promise<{ close(): Promise<void> }> {
  const socket = net.connect(port, host);
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('error', reject);
  });
  socket.setNoDelay(true);
  const node = attachVirtualNode(ids.bus, (f) => {
    if (f.id === ids.rxid && f.extended === ids.extended && !f.rtr && !socket.destroyed) socket.write(f.data);
  });
  socket.on('data', (data: Buffer) => {
    for (let off = 0; off < data.length;) {
      const left = data.length - off;
      const n = ids.fd ? fdLengthAtMost(Math.min(left, 64)) : Math.min(left, 8);
      const frame: CanFrame = { id: ids.txid, extended: ids.extended, rtr: false, fd: ids.fd, brs: ids.brs ?? false, data: data.subarray(off, off + n), t: nowSeconds() };
      node.send(frame);
      off += n;
    }
  });
  socket.on('error', () => {});
  return {
    close: async () => {
      node.detach();
      socket.destroy();
    },
  };
}
