import type { MiddlewareHandler } from "hono";
import { getCookie, setCookie } from "hono/cookie";
import { secretsEqual } from "../token.ts";
import { GatewayError } from "./error.ts";

export const tokenCookie = "runnel_token";

/** The token a request presents: bearer header first, then the cookie. */
export function presentedToken(authorization: string | undefined, cookie: string | undefined): string | null {
  const match = authorization?.match(/^Bearer\s+(\S+)$/i);
  return match?.[1] ?? cookie ?? null;
}

/** Methods a cross-site page cannot use to change anything (answers it cannot read aside). */
const safeMethods = new Set(["GET", "HEAD", "OPTIONS"]);

/**
 * Why a request authenticated by the cookie alone must not change anything, or
 * null when it may. SameSite=Strict keeps the cookie from other sites, but not
 * from other ports of the same host (a page on http://127.0.0.1:3000 is the same
 * site as the gateway on :8080), whose forms and no-cors fetches could otherwise
 * create notebooks, publish and start runs with the owner's cookie. Browsers send
 * Origin on every POST, PUT and DELETE (and Sec-Fetch-Site): it must be the
 * gateway's own; a request without either (curl, the CLI, tests) is not a browser's.
 */
export function crossOriginRefusal(method: string, requestUrl: string, origin: string | undefined, fetchSite: string | undefined, forwardedHost?: string): string | null {
  if (safeMethods.has(method.toUpperCase())) return null;
  if (fetchSite !== undefined && fetchSite !== "same-origin" && fetchSite !== "none") {
    return `gateway: a ${fetchSite} request cannot change anything with the cookie (Sec-Fetch-Site: ${fetchSite}); send Authorization: Bearer <token>`;
  }
  if (origin === undefined) return null;
  let host: string | null = null;
  try {
    host = origin === "null" ? null : new URL(origin).host;
  } catch {
    host = null;
  }
  // Behind a reverse proxy that rewrites Host, the browser's host is in X-Forwarded-Host (which a
  // cross-origin page cannot set without a preflight the gateway never allows).
  const own = [new URL(requestUrl).host, ...(forwardedHost?.split(",").map((h) => h.trim()).slice(0, 1) ?? [])];
  if (host === null || !own.includes(host)) {
    return `gateway: a request from origin ${JSON.stringify(origin)} cannot change anything with the cookie; only the gateway's own pages can (or send Authorization: Bearer <token>)`;
  }
  return null;
}

/**
 * Requires the gateway token on every request it guards; 401 JSON otherwise.
 * A mutating request carrying the token only in the cookie must come from the
 * gateway's own origin (see {@link crossOriginRefusal}); 403 otherwise.
 */
export function requireToken(token: string): MiddlewareHandler {
  return async (c, next) => {
    const bearer = c.req.header("authorization")?.match(/^Bearer\s+(\S+)$/i)?.[1];
    const presented = presentedToken(c.req.header("authorization"), getCookie(c, tokenCookie));
    if (presented === null) throw new GatewayError(401, "unauthorized", "gateway: this route needs the token (Authorization: Bearer <token> or the runnel_token cookie)");
    if (!secretsEqual(presented, token)) throw new GatewayError(401, "unauthorized", "gateway: the token is not valid");
    if (bearer === undefined) {
      const refusal = crossOriginRefusal(c.req.method, c.req.url, c.req.header("origin"), c.req.header("sec-fetch-site"), c.req.header("x-forwarded-host"));
      if (refusal !== null) throw new GatewayError(403, "forbidden", refusal);
    }
    await next();
  };
}

/**
 * When a page is opened with a valid `?token=`, sets the HttpOnly SameSite=Strict
 * cookie and redirects to the same URL without the token, so it stays out of
 * history and referrers. An invalid token is a 401, not a silent fallthrough.
 */
export function acceptTokenInQuery(token: string): MiddlewareHandler {
  return async (c, next) => {
    const url = new URL(c.req.url);
    const given = url.searchParams.get("token");
    if (given === null) return next();
    if (!secretsEqual(given, token)) throw new GatewayError(401, "unauthorized", "gateway: the token in the URL is not valid");
    setCookie(c, tokenCookie, token, { httpOnly: true, sameSite: "Strict", path: "/" });
    url.searchParams.delete("token");
    return c.redirect(url.pathname + url.search, 302);
  };
}
