// Bytes as hexadecimal text: how memory contents, firmware ids and user-command data
// travel in the API and in messages.

/** Two lowercase hex digits. */
export function hexByte(n: number): string {
  return n.toString(16).padStart(2, '0');
}

export function toHex(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < b.length; i++) s += hexByte(b[i]!);
  return s;
}

export function fromHex(s: string): Uint8Array | null {
  const clean = s.replace(/[\s:]/g, '');
  if (clean.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(clean)) return null;
  const out = new Uint8Array(clean.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(clean.slice(2 * i, 2 * i + 2), 16);
  return out;
}
