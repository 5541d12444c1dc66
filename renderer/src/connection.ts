// Opens the renderer's connection to the hub through whichever door it has:
// the Electron bridge (a MessagePort handed over by the main process) or the
// headless host's WebSocket (the page's own origin, with ?token=…). Keeps it
// open: a dropped connection is retried with a bounded backoff.
import { updateReplayClocks } from './capture/replay-clock';
import { PORT_MESSAGE, type DesktopBridge } from '../../shared/api/bridge';
import type { MessagePipe } from '../../shared/client/client';
import { ConnectionError, TimeoutError } from '../../shared/client/errors';
import { client } from './hub';
import { ingestMarks, resetMarks } from './plot/marks-cache';
import { resetTelemetry } from './plot/telemetry-cache';
import { useStore } from './store';

const RETRY_MIN_S = 0.5;
const RETRY_MAX_S = 5;
/** Signals often appear one after the other as a device's first lines are parsed. */

let started = false;
let everConnected = false;
let retryS = RETRY_MIN_S;
let retryTimer: ReturnType<typeof setTimeout> | null = null;

function bridge(): DesktopBridge | undefined {
  return (window as { benchscope?: DesktopBridge }).benchscope;
}

export function startConnection(): void {
  if (started) return;
  started = true;
  const store = useStore.getState;
  client.on('status', (status) => {
    updateReplayClocks(status.replays ?? []);
    store().setStatus(status);
  });
  client.on('signals', (signals) => {
    store().setSignals(signals);
  });
  client.on('plots', (plots) => store().receivePlots(plots));
  client.on('marks', (marks) => ingestMarks(marks));
  client.onDisconnect((reason) => {
    store().setConnection({ phase: 'reconnecting', error: `Connection to the hub lost: ${reason}` });
    scheduleRetry();
  });
  useStore.getState().setConnection({ door: bridge() ? 'electron' : 'websocket' });
  void connectOnce();
}

/** Retries at once (the "Retry" button of the full-page messages). */
export function retryNow(): void {
  if (retryTimer) clearTimeout(retryTimer);
  retryTimer = null;
  useStore.getState().setConnection({ phase: everConnected ? 'reconnecting' : 'connecting', retryInS: null });
  void connectOnce();
}

async function connectOnce(): Promise<void> {
  const set = useStore.getState().setConnection;
  const desktop = bridge();
  try {
    if (desktop) {
      await client.attach(await openBridgePipe(desktop));
    } else {
      const token = new URLSearchParams(location.search).get('token');
      if (!token) {
        set({ phase: 'token-missing', error: null });
        return;
      }
      const port = Number(location.port) || (location.protocol === 'https:' ? 443 : 80);
      await client.connect(location.hostname, port, { token, secure: location.protocol === 'https:' });
    }
  } catch (e) {
    const err = e as Error;
    // The page itself came from this host, so a first refusal is almost always the token.
    if (!desktop && !everConnected && err instanceof ConnectionError) {
      set({ phase: 'refused', error: err.message });
      return;
    }
    set({ phase: everConnected ? 'reconnecting' : 'connecting', error: err.message });
    scheduleRetry();
    return;
  }
  everConnected = true;
  retryS = RETRY_MIN_S;
  await syncAfterConnect();
}

async function syncAfterConnect(): Promise<void> {
  const s = useStore.getState();
  s.setStatus(client.getLatestServerStatus());
  resetTelemetry();
  try {
    const [signals, plots, marks, layouts] = await Promise.all([
      client.listSignals(), client.request('getPlots', {}), client.request('getMarks', {}), client.request('getLayouts', {}),
    ]);
    resetMarks(marks);
    s.setSignals(signals);
    s.receivePlots(plots);
    // The page's arrangement is its own once built: a reconnect does not rearrange it.
    if (!useStore.getState().layoutState) s.receiveLayouts(layouts);
    s.setConnection({ phase: 'connected', error: null, retryInS: null });
    void s.refreshSerialPorts();
  } catch (e) {
    // The connection dropped again mid-sync: its close handler schedules the retry.
    if (client.connected) s.setConnection({ phase: 'connected', error: `Could not read the hub's setup: ${(e as Error).message}` });
  }
}

function scheduleRetry(): void {
  if (retryTimer) return;
  const delay = retryS;
  retryS = Math.min(RETRY_MAX_S, retryS * 2);
  useStore.getState().setConnection({ retryInS: delay });
  retryTimer = setTimeout(() => {
    retryTimer = null;
    useStore.getState().setConnection({ retryInS: null });
    void connectOnce();
  }, delay * 1000);
}

const BRIDGE_TIMEOUT_MS = 5000;

/** Asks the main process for a port and wraps it as the client's pipe. */
function openBridgePipe(desktop: DesktopBridge): Promise<MessagePipe> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      window.removeEventListener('message', onWindowMessage);
      reject(new TimeoutError(`The main process did not hand over a port within ${BRIDGE_TIMEOUT_MS / 1000} s`));
    }, BRIDGE_TIMEOUT_MS);
    function onWindowMessage(ev: MessageEvent): void {
      if (ev.source !== window || ev.data !== PORT_MESSAGE || ev.ports.length !== 1) return;
      window.removeEventListener('message', onWindowMessage);
      clearTimeout(timer);
      const port = ev.ports[0];
      let handlers: Parameters<MessagePipe['setHandlers']>[0] | null = null;
      // The main process holds back while too much is not acknowledged (a MessagePort has
      // no buffered amount): the bytes received so far, once per task that handled messages.
      let received = 0;
      let ackPending = false;
      const ack = () => { ackPending = false; port.postMessage(received); };
      port.onmessage = (m: MessageEvent) => {
        const d = m.data;
        if (typeof d === 'string') received += d.length;
        else if (d instanceof ArrayBuffer || ArrayBuffer.isView(d)) received += d.byteLength;
        if (typeof d === 'string' || d instanceof ArrayBuffer) handlers?.onMessage(d);
        else if (ArrayBuffer.isView(d)) handlers?.onMessage(d.buffer.slice(d.byteOffset, d.byteOffset + d.byteLength) as ArrayBuffer);
        if (!ackPending) { ackPending = true; setTimeout(ack, 0); }
      };
      port.addEventListener('close', () => handlers?.onClose('the main process closed the port'));
      resolve({
        send: (text) => port.postMessage(text),
        close: () => port.close(),
        setHandlers: (h) => { handlers = h; },
      });
    }
    window.addEventListener('message', onWindowMessage);
    desktop.requestPort();
  });
}
