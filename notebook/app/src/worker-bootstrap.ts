/**
 * The script of DuckDB-WASM's worker: a blob that imports the bundle (a shared page has an opaque
 * origin, where `new Worker(<gateway URL>)` is refused as cross-origin), after it puts a guard on the
 * worker's XMLHttpRequest. DuckDB-WASM downloads an extension it wants with a synchronous request
 * from this worker, whatever `autoinstall_known_extensions` says: icu for every TIMESTAMPTZ cell,
 * each a 404 from the gateway when the app is deployed without it (the cell then runs on the
 * gateway's DuckDB, as before). The guard asks the folder's listing (`index.json`, one request per
 * folder, the one `configureSession` reads) and refuses a file not in it before any request is
 * made, answering it as the 404 it would get: DuckDB sees the same failed download, and the page
 * makes no failed request.
 */
export function workerBootstrap(bundleUrl: string): string {
  return `(${guardExtensionDownloads.toString()})();\n(${quietQueryFailures.toString()})();\nimportScripts(${JSON.stringify(bundleUrl)});\n`;
}

/**
 * Runs in the worker: DuckDB-WASM's message handler `console.log`s every statement that fails (the
 * Error alone) before it answers the failure to the page, which shows it at the cell's line. A cell
 * in error over a live source is run again about once a second, so the console filled with the same
 * "Binder Error" each second (`tests/browser/journey11-quiet-failures.test.ts`). A lone Error logged
 * in the worker is dropped; anything else it logs goes out as before.
 */
function quietQueryFailures(): void {
  const log = console.log.bind(console);
  console.log = (...args: unknown[]): void => {
    if (args.length === 1 && args[0] instanceof Error) return;
    log(...args);
  };
}

/**
 * Runs in the worker (serialised with `toString`, so it refers to nothing outside itself): requests
 * for `<…>/duckdb-extensions/<version>/<platform>/<name>.duckdb_extension.wasm` go out only for
 * files the folder's listing names; the rest are answered 404 in `send`, without a request.
 */
function guardExtensionDownloads(): void {
  const EXTENSION = /^(.*\/duckdb-extensions\/[^/?#]+\/[^/?#]+\/)([a-z0-9_]+\.duckdb_extension\.wasm)$/;
  const listings = new Map<string, string[]>();
  const Native = XMLHttpRequest;
  const served = (folder: string, file: string): boolean => {
    let files = listings.get(folder);
    if (files === undefined) {
      files = [];
      const request = new Native();
      try {
        request.open("GET", `${folder}index.json`, false);
        request.send(null);
        const parsed: unknown = request.status === 200 ? JSON.parse(request.responseText) : [];
        if (Array.isArray(parsed)) files = parsed.filter((f): f is string => typeof f === "string");
      } catch (error) {
        console.warn(new Error(`duckdb: cannot read which extensions ${folder} serves; asking for none`, { cause: error }));
      }
      listings.set(folder, files);
    }
    return files.includes(file);
  };
  // A WeakMap, not a private field: the function's text must need no helper a build may put outside it.
  const urls = new WeakMap<XMLHttpRequest, string>();
  class GuardedRequest extends Native {
    override open(method: string, url: string | URL, async = true, user?: string | null, password?: string | null): void {
      urls.set(this, new URL(url, self.location.href).href);
      super.open(method, url, async, user, password);
    }
    override send(body?: Document | XMLHttpRequestBodyInit | null): void {
      const extension = EXTENSION.exec((urls.get(this) ?? "").replace(/[?#].*$/, ""));
      if (extension !== null && !served(extension[1]!, extension[2]!)) {
        // Answered here as the server would (404, no body), without the request: a throw from send
        // is caught on one of DuckDB's paths but not on another, which then crashed the module.
        for (const [name, value] of [["readyState", 4], ["status", 404], ["statusText", "Not Found"], ["response", new ArrayBuffer(0)], ["responseText", ""]] as const) {
          Object.defineProperty(this, name, { value, configurable: true });
        }
        return;
      }
      super.send(body);
    }
  }
  (self as unknown as { XMLHttpRequest: typeof XMLHttpRequest }).XMLHttpRequest = GuardedRequest;
}
