import { request } from "node:http";

/**
 * A request to the gateway on 127.0.0.1 with exactly the headers given: `fetch` sets `Host`,
 * `Sec-Fetch-*` and `Origin` itself, and the security tests need to choose them.
 */
export function rawRequest(port: number, path: string, headers: Record<string, string>, method = "GET"): Promise<{ status: number; body: string }> {
  return new Promise((done, fail) => {
    // A connection of its own: a request that declares a body it does not send must not spoil the next one.
    const req = request({ host: "127.0.0.1", port, path, method, headers, agent: false }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (chunk) => (body += chunk));
      res.on("end", () => done({ status: res.statusCode ?? 0, body }));
    });
    req.on("error", fail);
    req.end();
  });
}
