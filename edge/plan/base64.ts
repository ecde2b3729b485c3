/**
 * Standard Base64 (with padding) of bytes, read in slices: `String.fromCharCode(...bytes)` of a large
 * value passes the engine's argument limit (~120,000) and throws "Maximum call stack size exceeded".
 */
export function bytesToBase64(bytes: Uint8Array): string {
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}
