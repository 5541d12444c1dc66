// Electron main: the window, the menu and the IPC wiring. The engine is the
// same hub the headless host runs; the renderer reaches it over one
// MessagePort handed out after the sender is checked.
import { app, BrowserWindow, ipcMain, Menu, MessageChannelMain, session, type IpcMainEvent, type WebContents, type WebFrameMain } from 'electron';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { IPC_REQUEST_PORT, PORT_MESSAGE } from '../../shared/api/bridge';
import { Hub } from '../../main/hub/hub';
import { IpcDoors } from './ipc-door';

const CSP = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'";
const INDEX = path.join(__dirname, '..', 'renderer', 'index.html');
const INDEX_URL = pathToFileURL(INDEX).href;

let hub: Hub | null = null;
let doors: IpcDoors | null = null;
const watched = new WeakSet<WebContents>();
let win: BrowserWindow | null = null;

/** Our window's own top frame, showing our own page: never a subframe, another window or a page it navigated to. */
function isOurPage(contents: WebContents, frame: WebFrameMain | null | undefined): boolean {
  return win !== null && contents === win.webContents && !!frame && frame === contents.mainFrame && frame.url.split(/[?#]/)[0] === INDEX_URL;
}

function onPortRequest(event: IpcMainEvent): void {
  if (!doors || !isOurPage(event.sender, event.senderFrame)) return; // IPC sender checked: only our own page, its top frame
  const { port1, port2 } = new MessageChannelMain();
  const contents = event.sender;
  // One connection per window: a new request replaces the last; a closed window ends its own.
  if (!watched.has(contents)) {
    watched.add(contents);
    const id = contents.id;
    contents.once('destroyed', () => doors?.close(id));
  }
  doors.open(contents.id, {
    postMessage: (m) => port1.postMessage(m),
    onMessage: (h) => port1.on('message', (e) => h(e.data)),
    onClose: (h) => port1.on('close', h),
    start: () => port1.start(),
    close: () => port1.close(),
  });
  contents.postMessage(PORT_MESSAGE, null, [port2]);
}

async function createWindow(): Promise<void> {
  win = new BrowserWindow({
    width: 1400,
    height: 900,
    title: 'Benchscope',
    backgroundColor: '#111418',
    webPreferences: {
      preload: path.join(__dirname, 'preload.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
    },
  });
  win.on('closed', () => { win = null; });
  await win.loadFile(INDEX);
}

app.on('web-contents-created', (_e, contents) => {
  contents.on('will-navigate', (e) => e.preventDefault());
  contents.on('will-attach-webview', (e) => e.preventDefault());
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
});

app.whenReady().then(async () => {
  session.defaultSession.webRequest.onHeadersReceived((details, cb) => {
    cb({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [CSP] } });
  });
  // The workbench asks for no browser permission (camera, notifications, serial from the page, ...): all are refused, asked or checked.
  session.defaultSession.setPermissionRequestHandler((_wc, _perm, cb) => cb(false));
  session.defaultSession.setPermissionCheckHandler(() => false);
  Menu.setApplicationMenu(Menu.buildFromTemplate([
    { role: 'fileMenu' }, { role: 'editMenu' }, { role: 'viewMenu' }, { role: 'windowMenu' },
  ]));
  hub = new Hub({ userDataDir: app.getPath('userData') });
  await hub.start();
  doors = new IpcDoors(hub);
  ipcMain.on(IPC_REQUEST_PORT, onPortRequest);
  await createWindow();
  app.on('activate', () => { if (BrowserWindow.getAllWindows().length === 0) void createWindow(); });
});

app.on('window-all-closed', () => {
  void (async () => {
    await hub?.stop();
    hub = null;
    app.quit();
  })();
});
