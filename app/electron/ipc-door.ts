// The Electron door: one hub connection per window, over a MessagePort, with the
// WebSocket door's backpressure. A MessagePort has no buffered amount to read, so
// the renderer acknowledges what it has received (a number: the bytes so far) and
// the door is busy while more than MAX_UNACKED_BYTES are sent and not acknowledged;
// then telemetry waits and the other events coalesce in the hub's outbox. Asking
// again (a reload) replaces the window's connection: never two at once.
// Imports nothing from electron, so it runs under plain Node in the tests.
import type { HubConnection } from '../../main/hub/doors';
import type { Hub } from '../../main/hub/hub';

/** The same bound as the WebSocket door's buffered amount. */
export const MAX_UNACKED_BYTES = 8 * 1024 * 1024;

/** What the door needs of Electron's MessagePortMain. */
export interface DoorPort {
  postMessage(message: unknown): void;
  onMessage(handler: (data: unknown) => void): void;
  onClose(handler: () => void): void;
  start(): void;
  close(): void;
}

interface WindowDoor {
  port: DoorPort;
  conn: HubConnection;
}

export class IpcDoors {
  private readonly doors = new Map<number, WindowDoor>();

  constructor(private readonly hub: Hub, private readonly maxUnackedBytes = MAX_UNACKED_BYTES) {}

  /** Connects window `windowId` through `port`, closing the connection it had. */
  open(windowId: number, port: DoorPort): void {
    this.close(windowId);
    let sent = 0;
    let acked = 0;
    const conn = this.hub.connect({
      sendText: (text) => { sent += text.length; port.postMessage(text); },
      sendBinary: (frame) => { sent += frame.byteLength; port.postMessage(frame); },
      isBusy: () => sent - acked > this.maxUnackedBytes,
    });
    const door = { port, conn };
    this.doors.set(windowId, door);
    port.onMessage((data) => {
      if (typeof data === 'string') conn.receive(data);
      else if (typeof data === 'number' && Number.isFinite(data)) acked = Math.min(sent, Math.max(acked, data));
      else conn.receiveBinary(0);
    });
    port.onClose(() => {
      conn.close();
      if (this.doors.get(windowId) === door) this.doors.delete(windowId);
    });
    port.start();
  }

  close(windowId: number): void {
    const door = this.doors.get(windowId);
    if (!door) return;
    this.doors.delete(windowId);
    door.conn.close();
    door.port.close();
  }

  /** Windows with a connection now. */
  get size(): number {
    return this.doors.size;
  }
}
