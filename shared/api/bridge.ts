// The one narrow bridge the Electron preload exposes to the renderer (as
// `window.benchscope`). Everything else travels over a MessagePort that the
// main process hands over after checking the sender: JSON control frames as
// strings and telemetry frames as ArrayBuffers, the same as the WebSocket door.

export interface DesktopBridge {
  readonly kind: 'electron';
  readonly versions: { app: string; electron: string; chrome: string };
  /** Asks the main process for a port; it arrives as a window message `PORT_MESSAGE` with one port. */
  requestPort(): void;
}

export const PORT_MESSAGE = 'benchscope:port';
export const IPC_REQUEST_PORT = 'benchscope:request-port';
