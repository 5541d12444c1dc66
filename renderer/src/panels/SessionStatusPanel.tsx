// What the selected session is doing: link, device, counters with rates.
import type { SessionStatus } from '../../../shared/api/contract';
import { LINK_TYPE_LABELS } from '../../../shared/api/link-config';
import { bytes, bytesPerSec, count, perSec } from '../format';
import { CommState } from './CommState';

export function SessionStatusPanel({ session }: { session: SessionStatus }) {
  const link = session.deviceLink;
  const c = session.counters;
  const dl = session.datalogging;
  return (
    <section className="panel" aria-labelledby="status-title">
      <header className="panel-header">
        <h2 id="status-title">Status</h2>
        <CommState session={session} />
      </header>
      <dl className="facts" data-testid="session-status">
        <dt>Device session</dt><dd className="mono">{session.deviceSessionId ?? '—'}</dd>
        <dt>Link</dt><dd>{LINK_TYPE_LABELS[link.type]} <span className="mono">{link.endpoint}</span></dd>
        <dt>Link operational</dt><dd>{link.operational ? 'yes' : 'no'}{link.demoMode ? <span className="badge">demo</span> : null}</dd>
        {session.waitingFor ? <><dt>Waiting for</dt><dd className="warn-text" data-testid="waiting-for">{session.waitingFor}</dd></> : null}
        <dt>Link error</dt><dd className={link.lastError ? 'fault-text' : 'muted'} data-testid="link-error">{link.lastError ?? 'none'}</dd>
        <dt>Protocol error</dt><dd className={session.lastProtocolError ? 'warn-text' : 'muted'} data-testid="protocol-error">{session.lastProtocolError ?? 'none'}</dd>
        {session.sfdFirmwareId ? <><dt>Firmware</dt><dd className="mono">{session.sfdFirmwareId}</dd></> : null}
        {dl.state !== 'NA' ? (
          <><dt>Datalogging</dt><dd>{dl.state}{dl.completionRatio !== null ? ` ${Math.round(dl.completionRatio * 100)} %` : ''}</dd></>
        ) : null}
      </dl>
      <table className="counters" aria-label="Counters">
        <thead><tr><th scope="col" /><th scope="col">total</th><th scope="col">rate</th></tr></thead>
        <tbody>
          <tr><th scope="row">Received</th><td>{bytes(c.rxBytes)}</td><td>{bytesPerSec(c.rxBytesPerSec)}</td></tr>
          <tr><th scope="row">Sent</th><td>{bytes(c.txBytes)}</td><td>{bytesPerSec(c.txBytesPerSec)}</td></tr>
          <tr><th scope="row">Messages in</th><td>{count(c.rxMessages)}</td><td>{perSec(c.rxMessagesPerSec)}</td></tr>
          <tr><th scope="row">Messages out</th><td>{count(c.txMessages)}</td><td>{perSec(c.txMessagesPerSec)}</td></tr>
          <tr><th scope="row">Frame errors</th><td className={c.frameErrors ? 'warn-text' : ''}>{count(c.frameErrors)}</td><td /></tr>
          <tr><th scope="row">Resyncs</th><td className={c.resyncs ? 'warn-text' : ''}>{count(c.resyncs)}</td><td /></tr>
          <tr><th scope="row">Dropped samples</th><td className={c.droppedSamples ? 'warn-text' : ''}>{count(c.droppedSamples)}</td><td /></tr>
          {c.refusedConnections !== undefined ? <tr><th scope="row">Refused connections</th><td className={c.refusedConnections ? 'warn-text' : ''}>{count(c.refusedConnections)}</td><td /></tr> : null}
          {c.ignoredRxBytes !== undefined ? <tr><th scope="row" title="Bytes received where the protocol expects none (counted, not decoded)">Ignored received</th><td className={c.ignoredRxBytes ? 'warn-text' : ''}>{bytes(c.ignoredRxBytes)}</td><td /></tr> : null}
        </tbody>
      </table>
    </section>
  );
}
