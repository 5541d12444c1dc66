// The firmware's user command: a subfunction and a hex payload, the reply in hex.
import { useState } from 'react';
import { client } from '../../hub';

export function UserCommandForm({ sessionId, supported }: { sessionId: string; supported: boolean }) {
  const [subfunction, setSubfunction] = useState('0');
  const [payload, setPayload] = useState('');
  const [reply, setReply] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  const send = async () => {
    setError(null);
    setReply(null);
    const sub = Number(subfunction);
    const hex = payload.replace(/\s+/g, '');
    if (!Number.isInteger(sub) || sub < 0 || sub > 255) return setError('Subfunction is a whole number from 0 to 255');
    if (!/^([0-9a-fA-F]{2})*$/.test(hex)) return setError('Payload is hex bytes (pairs of digits, spaces allowed)');
    try {
      const r = await client.action({ sessionId: sessionId, protocol: 'scrutiny' }, 'userCommand', { subfunction: sub, hexData: hex });
      setReply(r.hexData ? r.hexData.replace(/(..)/g, '$1 ').trim() : '(empty reply)');
    } catch (e) {
      setError((e as Error).message);
    }
  };

  return (
    <form className="field-row scrutiny-user-command" aria-label="User command" onSubmit={(e) => { e.preventDefault(); void send(); }}>
      <label>Subfunction <input aria-label="User command subfunction" value={subfunction} onChange={(e) => setSubfunction(e.target.value)} inputMode="numeric" size={4} /></label>
      <label>Payload <input aria-label="User command payload" className="mono" value={payload} onChange={(e) => setPayload(e.target.value)} placeholder="01 02 0a" /></label>
      <button type="submit" className="btn" disabled={!supported} title={supported ? 'Send' : 'The device does not support user commands'}>Send</button>
      {reply !== null ? <output className="mono" aria-label="User command reply">{reply}</output> : null}
      {error ? <span role="alert" className="field-error">{error}</span> : null}
    </form>
  );
}
