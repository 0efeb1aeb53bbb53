/** The length of a PCM WAV file in milliseconds, from its fmt and data chunks; undefined when it is not one. */
export function wavDurationMs(bytes: Uint8Array): number | undefined {
  if (bytes.length < 12) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const tag = (at: number) => String.fromCharCode(bytes[at]!, bytes[at + 1]!, bytes[at + 2]!, bytes[at + 3]!);
  if (tag(0) !== 'RIFF' || tag(8) !== 'WAVE') return undefined;
  let byteRate: number | undefined;
  let at = 12;
  while (at + 8 <= bytes.length) {
    const id = tag(at);
    const size = view.getUint32(at + 4, true);
    if (id === 'fmt ' && at + 16 <= bytes.length) byteRate = view.getUint32(at + 8 + 8, true);
    if (id === 'data') {
      if (!byteRate) return undefined;
      const dataSize = Math.min(size, bytes.length - at - 8);
      return Math.round((dataSize / byteRate) * 1000);
    }
    at += 8 + size + (size % 2);
  }
  return undefined;
}
