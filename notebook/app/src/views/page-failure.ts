import { ApiError } from "../api.ts";

/**
 * Why the page could not open, in words for the person looking at it. A page
 * opened without the token (a bookmark, another browser, the address without
 * `?token=`) or at a notebook that is not there showed the raw API error, e.g.
 * `api: GET /api/notebooks/x.md answered 401: gateway: this route needs the token
 * (Authorization: Bearer <token> or the runnel_token cookie)`, under a status
 * still saying "starting DuckDB…".
 */
export function renderPageFailure(error: unknown): HTMLElement {
  const box = document.createElement("div");
  box.className = "fatal";
  box.setAttribute("role", "alert");
  const line = (text: string) => {
    const p = document.createElement("p");
    p.textContent = text;
    box.append(p);
    return p;
  };
  if (error instanceof ApiError && error.status === 401 && error.route.startsWith("GET /api/")) {
    line("This page needs the gateway's token.");
    line(
      "Open the address `runnel start` printed when the gateway started (it ends in ?token=…); the browser keeps the token from then on. " +
        "The token is kept in .runnel/token unless RUNNEL_TOKEN sets it.",
    );
    return box;
  }
  const notebook = /^GET \/api\/notebooks\/(.+)$/.exec(error instanceof ApiError ? error.route : "");
  if (error instanceof ApiError && error.status === 404 && notebook !== null) {
    line(`There is no notebook ${decodeURIComponent(notebook[1]!)} in the gateway's folder.`);
    const back = line("");
    const link = document.createElement("a");
    link.href = "/";
    link.textContent = "All notebooks";
    back.append(link, " lists the ones there are, and makes new ones.");
    return box;
  }
  if (error instanceof ApiError && error.status === 404 && /^GET \/s\/[^/]+\/notebook$/.test(error.route)) {
    line("This share link points to no snapshot the gateway keeps: check that the whole link was copied, or ask for a new one.");
    return box;
  }
  line(error instanceof Error ? `${error.message}${error.cause instanceof Error ? `\ncaused by: ${error.cause.message}` : ""}` : String(error));
  return box;
}

/** Whether the failure is one {@link renderPageFailure} explains in full, so the console needs no stack trace of it. */
export function isExplainedFailure(error: unknown): boolean {
  return error instanceof ApiError && (error.status === 401 || error.status === 404);
}
