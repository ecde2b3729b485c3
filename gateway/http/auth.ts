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

/** Requires the gateway token on every request it guards; 401 JSON otherwise. */
export function requireToken(token: string): MiddlewareHandler {
  return async (c, next) => {
    const presented = presentedToken(c.req.header("authorization"), getCookie(c, tokenCookie));
    if (presented === null) throw new GatewayError(401, "unauthorized", "gateway: this route needs the token (Authorization: Bearer <token> or the runnel_token cookie)");
    if (!secretsEqual(presented, token)) throw new GatewayError(401, "unauthorized", "gateway: the token is not valid");
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
