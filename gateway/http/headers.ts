/**
 * Headers every gateway answer carries: no MIME sniffing, and referrers sent
 * only to the gateway itself (share pages override it with `no-referrer`).
 */
export const securityHeaders: Readonly<Record<string, string>> = Object.freeze({
  "x-content-type-options": "nosniff",
  "referrer-policy": "same-origin",
});
