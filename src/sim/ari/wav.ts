/** WAV files as Asterisk writes its recordings: 8 kHz, 16-bit, mono PCM with a 44-byte header. */
export const WAV_HEADER_BYTES = 44;
const RATE = 8000;

/** Audio frames are 20 ms; a recording holds whole frames. */
export function wavDataBytes(durationMs: number): number {
  const frames = Math.max(0, Math.floor(durationMs / 20));
  return frames * 20 * (RATE / 1000) * 2;
}

export function wavFile(durationMs: number, toneHz = 600): Buffer {
  const dataBytes = wavDataBytes(durationMs);
  const buf = Buffer.alloc(WAV_HEADER_BYTES + dataBytes);
  buf.write('RIFF', 0, 'ascii');
  buf.writeUInt32LE(36 + dataBytes, 4);
  buf.write('WAVE', 8, 'ascii');
  buf.write('fmt ', 12, 'ascii');
  buf.writeUInt32LE(16, 16);
  buf.writeUInt16LE(1, 20);          // PCM
  buf.writeUInt16LE(1, 22);          // mono
  buf.writeUInt32LE(RATE, 24);
  buf.writeUInt32LE(RATE * 2, 28);
  buf.writeUInt16LE(2, 32);
  buf.writeUInt16LE(16, 34);
  buf.write('data', 36, 'ascii');
  buf.writeUInt32LE(dataBytes, 40);
  for (let i = 0; i < dataBytes / 2; i++) {
    buf.writeInt16LE(Math.round(3000 * Math.sin((2 * Math.PI * toneHz * i) / RATE)), WAV_HEADER_BYTES + i * 2);
  }
  return buf;
}
