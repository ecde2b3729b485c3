/**
 * Headers every gateway answer carries: no MIME sniffing, referrers sent only
 * to the gateway itself (share pages override it with `no-referrer`), and no
 * framing by other origins: a page on another port of the same host is the same
 * site, so the owner's cookie goes with its frames, and an invisible frame of the
 * app would take the owner's clicks (publish, run, edits) for its own.
 */
export const securityHeaders: Readonly<Record<string, string>> = Object.freeze({
  "x-content-type-options": "nosniff",
  "referrer-policy": "same-origin",
  "x-frame-options": "SAMEORIGIN",
  "content-security-policy": "frame-ancestors 'self'",
});
