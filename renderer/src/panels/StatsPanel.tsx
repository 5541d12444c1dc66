// The hub's statistics (the seed's ServerStatistics) and this client's own.
import { useEffect } from 'react';
import { bytes, bytesPerSec, count, duration, perSec } from '../format';
import { useStore } from '../store';

const REFRESH_MS = 1000;

export function StatsPanel() {
  const server = useStore((s) => s.serverStats);
  const local = useStore((s) => s.localStats);
  const error = useStore((s) => s.statsError);
  const refresh = useStore((s) => s.refreshStats);
  const connected = useStore((s) => s.connection.phase === 'connected');

  useEffect(() => {
    if (!connected) return;
    void refresh();
    const timer = setInterval(() => void refresh(), REFRESH_MS);
    return () => clearInterval(timer);
  }, [connected, refresh]);

  return (
    <section className="panel" aria-labelledby="stats-title">
      <header className="panel-header"><h2 id="stats-title">Statistics</h2></header>
      {error ? <div className="banner banner-error" role="alert">Statistics unavailable: {error}</div> : null}
      <div className="stats-columns">
        <dl className="facts" aria-label="Hub statistics" data-testid="server-stats">
          <dt className="facts-title">Hub</dt><dd />
          <dt>Uptime</dt><dd>{server ? duration(server.uptime) : '—'}</dd>
          <dt>Clients</dt><dd>{server ? count(server.clientCount) : '—'}</dd>
          <dt>Device sessions</dt><dd>{server ? count(server.deviceSessionCount) : '—'}</dd>
          <dt>Invalid requests</dt><dd className={server?.invalidRequestCount ? 'warn-text' : ''}>{server ? count(server.invalidRequestCount) : '—'}</dd>
          <dt>Unexpected errors</dt><dd className={server?.unexpectedErrorCount ? 'fault-text' : ''}>{server ? count(server.unexpectedErrorCount) : '—'}</dd>
          <dt>Messages received</dt><dd>{server ? count(server.msgReceived) : '—'}</dd>
          <dt>Messages sent</dt><dd>{server ? count(server.msgSent) : '—'}</dd>
          <dt>To all clients</dt><dd>{server ? bytesPerSec(server.toAllClientsDatarateBytePerSec) : '—'}</dd>
          <dt>From any client</dt><dd>{server ? bytesPerSec(server.fromAnyClientDatarateBytePerSec) : '—'}</dd>
          <dt>To devices</dt><dd>{server ? bytesPerSec(server.toDeviceDatarateBytePerSec) : '—'}</dd>
          <dt>From devices</dt><dd>{server ? bytesPerSec(server.fromDeviceDatarateBytePerSec) : '—'}</dd>
          <dt>Device requests</dt><dd>{server ? perSec(server.deviceRequestPerSec) : '—'}</dd>
          <dt>Telemetry dropped</dt><dd className={server?.telemetryDroppedSamples ? 'warn-text' : ''}>{server ? count(server.telemetryDroppedSamples) : '—'}</dd>
        </dl>
        <dl className="facts" aria-label="This client's statistics" data-testid="local-stats">
          <dt className="facts-title">This window</dt><dd />
          <dt>Receiving</dt><dd>{local ? bytesPerSec(local.rxDataRateBytePerSec) : '—'}</dd>
          <dt>Sending</dt><dd>{local ? bytesPerSec(local.txDataRateBytePerSec) : '—'}</dd>
          <dt>Messages in</dt><dd>{local ? perSec(local.rxMessageRatePerSec) : '—'}</dd>
          <dt>Messages out</dt><dd>{local ? perSec(local.txMessageRatePerSec) : '—'}</dd>
          <dt>Received</dt><dd>{local ? `${bytes(local.rxBytes)} / ${count(local.rxMessages)} msgs` : '—'}</dd>
          <dt>Sent</dt><dd>{local ? `${bytes(local.txBytes)} / ${count(local.txMessages)} msgs` : '—'}</dd>
          <dt>Telemetry frames</dt><dd>{local ? count(local.telemetryFrames) : '—'}</dd>
          <dt>Telemetry samples</dt><dd>{local ? count(local.telemetrySamples) : '—'}</dd>
          <dt>Samples dropped</dt><dd className={local?.telemetryDroppedSamples ? 'warn-text' : ''}>{local ? count(local.telemetryDroppedSamples) : '—'}</dd>
        </dl>
      </div>
    </section>
  );
}
