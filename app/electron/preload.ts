// The narrow bridge: versions, and a way to ask for the hub's MessagePort.
// Sandboxed preloads are CommonJS and bundled, so this imports only constants.
import { contextBridge, ipcRenderer } from 'electron';
import { IPC_REQUEST_PORT, PORT_MESSAGE, type DesktopBridge } from '../../shared/api/bridge';

const bridge: DesktopBridge = {
  kind: 'electron',
  versions: { app: process.env.npm_package_version ?? '', electron: process.versions.electron ?? '', chrome: process.versions.chrome ?? '' },
  requestPort: () => ipcRenderer.send(IPC_REQUEST_PORT),
};

ipcRenderer.on(PORT_MESSAGE, (event) => {
  window.postMessage(PORT_MESSAGE, '*', event.ports);
});

contextBridge.exposeInMainWorld('benchscope', bridge);
