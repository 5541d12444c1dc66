// What went wrong with which line: the decoder's last problem, worded for a bench engineer
// with the line number and an excerpt of what was received.

export class LineErrors {
  /** The last problem seen, e.g. `line 12: field "x" is not a number: "1.2.3"`. */
  lastError: string | null = null;
  /** Number of the line being decoded, counting every LF since the link opened. */
  lineNo = 0;
  /** Where the line being decoded starts in its buffer, for JSON's column numbers. */
  lineStart = 0;
  private readonly utf8Lenient = new TextDecoder('utf-8');

  fail(message: string): false {
    this.lastError = `line ${this.lineNo}: ${message}`;
    return false;
  }

  /** Up to 40 bytes of b[s..e) for an error message, quoted, control bytes escaped. */
  excerpt(b: Uint8Array, s: number, e: number): string {
    const cut = Math.min(e, s + 40);
    const text = this.utf8Lenient.decode(b.subarray(s, cut))
      .replace(/[\u0000-\u001f\u007f]/g, (ch) => `\\x${ch.charCodeAt(0).toString(16).padStart(2, '0')}`);
    return `"${text}${cut < e ? '…' : ''}"`;
  }
}
