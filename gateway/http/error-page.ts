import type { Context } from "hono";
import type { GatewayError } from "./error.ts";
import { securityHeaders } from "./headers.ts";
import { escapeHtml } from "./html.ts";

/**
 * Whether a failed request is a person opening a page (typing a link, a bookmark,
 * a share link) rather than the app's or a script's request: such a person got
 * the raw JSON error (`{"error":{"code":"unauthorized",…}}`) in the browser.
 * `/api` and `/hooks` always answer JSON, whoever asks.
 */
export function wantsErrorPage(c: Context): boolean {
  return personOpensPage(c.req.method, c.req.path, c.req.header("sec-fetch-dest"), c.req.header("accept"));
}

/** {@link wantsErrorPage} from a request's method, path and headers (for answers given before the Hono app). */
export function personOpensPage(method: string | undefined, path: string, fetchDest: string | undefined, accept: string | undefined): boolean {
  if (method !== "GET" && method !== "HEAD") return false;
  if (/^\/(api|hooks)(\/|$)/.test(path)) return false;
  if (fetchDest !== undefined) return fetchDest === "document";
  return accept?.startsWith("text/html") ?? false;
}

/** What a person can do about a page that failed, by status and place. */
function advice(error: GatewayError, path: string): string {
  if (error.status === 401) {
    return "Open the address <code>runnel start</code> printed when the gateway started (it ends in <code>?token=…</code>). The token is kept in <code>.runnel/token</code> unless <code>RUNNEL_TOKEN</code> sets it; a link made for another gateway, or before the token changed, does not open this one.";
  }
  if (error.status === 404 && path.startsWith("/s/")) {
    return "This share link points to no snapshot the gateway keeps: check that the whole link was copied, or ask for a new one.";
  }
  if (error.status === 404) return 'The gateway has no page at this address. <a href="/">The notebooks</a> are at its root.';
  if (error.status === 403 && error.extra.refused === "host") {
    return "The gateway listens on this machine only and answers links to <code>localhost</code> or an IP address. To open it under this name (a tunnel, a proxy, a name in /etc/hosts), start it with <code>RUNNEL_ALLOWED_HOSTS</code> naming it.";
  }
  return "";
}

const titles: Record<number, string> = {
  401: "This link's token is not valid",
  404: "Nothing here",
  403: "The gateway does not answer this address",
};

/** The error as a small HTML page, same status and headers, for {@link wantsErrorPage}. */
export function errorPage(error: GatewayError, path: string): Response {
  const title = error.status === 404 && path.startsWith("/s/") ? "No such share" : (titles[error.status] ?? "The gateway could not answer");
  const hint = advice(error, path);
  const body = `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} · runnel</title><link rel="icon" href="data:,">
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem;color:#1f2328}code{font:14px ui-monospace,monospace;background:#f3f4f6;padding:0 .2em}.reason{color:#b42318}</style></head>
<body><h1>${escapeHtml(title)}</h1>
<p class="reason">${escapeHtml(error.message)} (${error.status})</p>
${hint === "" ? "" : `<p class="advice">${hint}</p>`}
</body></html>`;
  return new Response(body, { status: error.status, headers: { ...securityHeaders, ...error.headers, "content-type": "text/html; charset=utf-8" } });
}
