/**
 * What a Schema Registry client meets besides a registry answering well: a URL pointing at something
 * that streams a huge answer, a batch holding many ids the registry does not know, a schema registered
 * a moment after its first value, redirects, an error page. The servers here are small HTTP servers
 * speaking Confluent's API shape where a real registry cannot be made to misbehave; the registry
 * itself is tested in tests/runner/avro-registry-reg16.test.ts.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { inspect } from "node:util";
import { afterEach, expect, test } from "vitest";
import { IN_FLIGHT, MAX_ANSWER_BYTES, MAX_UNKNOWN_IDS, openSchemaRegistry, RegistryUnavailable, UNKNOWN_AGAIN_MS, UNKNOWN_AGAIN_MAX_MS } from "./avro-registry.ts";

const ORDER = { type: "record", name: "Order", namespace: "shop", fields: [{ name: "city", type: "string" }] };

const servers: Server[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((done) => server.close(done));
  }
});

async function serve(handle: (req: IncomingMessage, res: ServerResponse) => void): Promise<string> {
  const server = createServer(handle);
  servers.push(server);
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const json = (res: ServerResponse, status: number, body: unknown) => {
  res.writeHead(status, { "content-type": "application/vnd.schemaregistry.v1+json" });
  res.end(JSON.stringify(body));
};
const notFound = (res: ServerResponse) => json(res, 404, { error_code: 40403, message: "Schema not found" });

/** The value `{city}` read with the id's schema, or the reason its values are dead letters. */
function read(schema: ReturnType<ReturnType<typeof openSchemaRegistry>["get"]>, city = "Ko"): unknown {
  if (schema === undefined) return undefined;
  if ("error" in schema) return schema.error;
  return schema.type.fromBuffer(Buffer.concat([Buffer.from([city.length * 2]), Buffer.from(city)]));
}

for (const declared of [false, true]) {
  test(`reg16: an answer past ${MAX_ANSWER_BYTES / 1024 / 1024} MiB (${declared ? "its length declared" : "streamed without a length"}) fails the lookup naming the URL and the limit, never the credentials, and is not read further`, async () => {
    let sent = 0;
    let closed!: () => void;
    const gone = new Promise<void>((done) => (closed = done));
    const url = await serve((req, res) => {
      // A file server or a dump behind the URL: JSON, but 64 MiB of it.
      const head = '{"schema": "';
      const total = 64 * 1024 * 1024;
      res.writeHead(200, { "content-type": "application/json", ...(declared ? { "content-length": String(head.length + total + 2) } : {}) });
      res.on("close", closed);
      const chunk = Buffer.alloc(64 * 1024, " ");
      res.write(head);
      const pump = () => {
        while (!res.destroyed && sent < total) {
          sent += chunk.length;
          if (!res.write(chunk)) return void res.once("drain", pump);
        }
        if (!res.destroyed) res.end('"}');
      };
      pump();
    });
    const withCredentials = new URL(url);
    withCredentials.username = "key";
    withCredentials.password = "s3cret-reg16";
    const reg = openSchemaRegistry("REG16_URL", "orders", { env: { REG16_URL: `${withCredentials.href}apis/ccompat/v7` }, timeoutMs: 30_000 });
    const load = reg.load([7]);
    await expect(load).rejects.toBeInstanceOf(RegistryUnavailable);
    await expect(load).rejects.toThrow(
      `avro: the Schema Registry at ${url}/apis/ccompat/v7 (from REG16_URL) (sources.orders.avro.registry) answered GET ${url}/apis/ccompat/v7/schemas/ids/7 with more than 4 MiB, and a schema is far smaller; is that the registry's base URL?`,
    );
    await expect(load).rejects.not.toThrow("s3cret");
    await gone;
    // Stopped at the limit, not read on to the end.
    expect(sent).toBeLessThan(16 * 1024 * 1024);
    expect(reg.get(7)).toBeUndefined();
  });
}

test(`reg16: a batch of many ids the registry does not know asks it ${IN_FLIGHT} at a time, and an id asked by two batches at once is one request`, async () => {
  let running = 0;
  let most = 0;
  const asked: string[] = [];
  const url = await serve((req, res) => {
    asked.push(req.url!);
    running++;
    most = Math.max(most, running);
    // Each answer comes a little later, so requests sent at once overlap.
    setTimeout(() => {
      running--;
      if (req.url === "/schemas/ids/3") json(res, 200, { schema: JSON.stringify(ORDER) });
      else notFound(res);
    }, 20);
  });
  const reg = openSchemaRegistry(url, "orders");
  const ids = Array.from({ length: 40 }, (_, i) => 1000 + i);
  await Promise.all([reg.load(ids), reg.load([3, 3, ...ids.slice(0, 5)]), reg.load([3])]);
  expect(most).toBe(IN_FLIGHT);
  expect(asked.toSorted()).toEqual([3, ...ids].map((id) => `/schemas/ids/${id}`).toSorted());
  expect(read(reg.get(3))).toEqual({ city: "Ko" });
  expect(read(reg.get(1039))).toBe(`schema id 1039 is not in the Schema Registry at ${url} (it answered 404: Schema not found)`);
});

test(`reg16: an id the registry did not know is asked again after ${UNKNOWN_AGAIN_MS / 1000} s, not before however many values carry it, and reads once its schema is registered`, async () => {
  let registered = false;
  let asked = 0;
  const url = await serve((req, res) => {
    asked++;
    if (req.url === "/schemas/ids/9" && registered) return json(res, 200, { schema: JSON.stringify(ORDER) });
    notFound(res);
  });
  let clock = 1_000_000;
  const reg = openSchemaRegistry(url, "orders", { now: () => clock });
  await reg.load([9]);
  const unknown = `schema id 9 is not in the Schema Registry at ${url} (it answered 404: Schema not found)`;
  expect(read(reg.get(9))).toBe(unknown);
  // A producer racing its schema's registration: registered just after its first value was read.
  registered = true;
  for (let batch = 0; batch < 100; batch++) await reg.load([9, 9]);
  expect(read(reg.get(9))).toBe(unknown);
  expect(asked).toBe(1);
  clock += UNKNOWN_AGAIN_MS;
  await reg.load([9]);
  expect(read(reg.get(9))).toEqual({ city: "Ko" });
  expect(asked).toBe(2);
  // Known now: never asked again.
  clock += UNKNOWN_AGAIN_MAX_MS * 10;
  await reg.load([9]);
  expect(asked).toBe(2);
});

test("reg16: an id still unknown is asked again less and less often, at most every minute", async () => {
  let asked = 0;
  const url = await serve((_req, res) => {
    asked++;
    notFound(res);
  });
  let clock = 0;
  const reg = openSchemaRegistry(url, "orders", { now: () => clock });
  // The clock moves a second between batches: the times at which the registry was asked.
  const times: number[] = [];
  for (let ms = 0; ms <= 200_000; ms += 1_000) {
    clock = ms;
    const before = asked;
    await reg.load([11]);
    if (asked > before) times.push(ms);
  }
  const waits = times.slice(1).map((ms, i) => ms - times[i]!);
  expect(waits).toEqual([5_000, 10_000, 20_000, 40_000, 60_000, 60_000]);
});

test("reg16: a registry's error page is quoted on one line and cut short, not pasted whole into the message", async () => {
  const page = `<!DOCTYPE html>\n<html>\n  <head><title>502 Bad Gateway</title></head>\n  <body>\n${"    <p>upstream unavailable</p>\n".repeat(40)}  </body>\n</html>\n`;
  const url = await serve((_req, res) => {
    res.writeHead(502, { "content-type": "text/html" });
    res.end(page);
  });
  const reg = openSchemaRegistry(url, "orders", { timeoutMs: 1_000 });
  const load = reg.load([5]);
  await expect(load).rejects.toBeInstanceOf(RegistryUnavailable);
  const message = await load.then(
    () => "",
    (error: Error) => error.message,
  );
  expect(message).toMatch(new RegExp(`^avro: cannot look up schema id 5 in the Schema Registry at ${url} \\(sources\\.orders\\.avro\\.registry\\): 502 Bad Gateway: <!DOCTYPE html> <html> <head><title>502 Bad Gateway</title></head> <body> <p>upstream unavailable</p> .{0,200}…$`));
  expect(message).not.toContain("\n");
});

test("reg16: a registry URL redirected to another host with credentials fails naming where it was sent, instead of the other host's 401 blaming the credentials; redirected on its own host, the credentials go along", async () => {
  const sent: (string | null)[] = [];
  // The registry that needs the credentials, reached as 127.0.0.1.
  const registry = await serve((req, res) => {
    sent.push(req.headers.authorization ?? null);
    if (req.headers.authorization !== `Basic ${Buffer.from("key:s3cret-reg16").toString("base64")}`) return json(res, 401, { error_code: 40101, message: "Unauthorized" });
    if (req.url === "/v7/schemas/ids/4") return json(res, 200, { schema: JSON.stringify(ORDER) });
    notFound(res);
  });
  const port = new URL(registry).port;
  // An old address of it, now moved: on the same host (to the new path), or to another name of it.
  const moved = await serve((req, res) => {
    const host = req.url!.startsWith("/elsewhere/") ? "localhost" : "127.0.0.1";
    res.writeHead(308, { location: `http://${host}:${port}/v7${req.url!.replace(/^\/(elsewhere|here)/, "")}` });
    res.end();
  });
  const at = (path: string) => {
    const url = new URL(`${moved}${path}`);
    url.username = "key";
    url.password = "s3cret-reg16";
    return url.href;
  };
  const here = openSchemaRegistry("REG16_HERE", "orders", { env: { REG16_HERE: at("/here") } });
  await here.load([4]);
  expect(read(here.get(4))).toEqual({ city: "Ko" });

  const elsewhere = openSchemaRegistry("REG16_ELSEWHERE", "orders", { env: { REG16_ELSEWHERE: at("/elsewhere") } });
  const load = elsewhere.load([4]);
  await expect(load).rejects.toThrow(
    `avro: cannot look up schema id 4 in the Schema Registry at ${moved}/elsewhere (from REG16_ELSEWHERE) (sources.orders.avro.registry): GET ${moved}/elsewhere/schemas/ids/4 was redirected to http://localhost:${port}/v7/schemas/ids/4, another host, and the registry's credentials are sent only to its own; if that is the registry, set REG16_ELSEWHERE to its URL`,
  );
  await expect(load).rejects.not.toThrow("s3cret");
  expect(sent.filter((auth) => auth === null)).toEqual([]);
});

test("reg16: a registry URL whose secret breaks it apart fails saying to percent-encode it, and no log of the error shows the secret", () => {
  const open = (value: string) => {
    try {
      openSchemaRegistry("REG16_URL", "orders", { env: { REG16_URL: value } });
    } catch (error) {
      return error as Error;
    }
    throw new Error("expected the registry URL to be refused");
  };
  // Confluent Cloud's secrets hold / and +: unencoded, the / ends the host.
  const slash = open("https://KEY:Ab+cd/EF9s3cret@psrc-123.europe-west3.gcp.confluent.cloud");
  expect(slash.message).toBe("avro: sources.orders.avro.registry: the environment variable REG16_URL holds no URL; set it to the Schema Registry's URL, such as https://KEY:SECRET@host, and write / ? # @ : % in the key or secret percent-encoded (%2F %3F %23 %40 %3A %25)");
  // util.inspect is what console.error and most loggers print: the cause's `input` was the whole URL.
  expect(inspect(slash, { depth: 5 })).not.toContain("EF9s3cret");
  const percent = open("https://KEY:50%off-s3cret@registry.example.com");
  expect(percent.message).toBe("avro: sources.orders.avro.registry: the environment variable REG16_URL holds a URL whose key or secret has a % that starts no percent-encoding; write / ? # @ : % in the key or secret percent-encoded (%2F %3F %23 %40 %3A %25)");
  expect(inspect(percent, { depth: 5 })).not.toContain("s3cret");
  const query = open("https://KEY:s3cret@registry.example.com/apis/ccompat/v7?tenant=a");
  expect(query.message).toBe("avro: sources.orders.avro.registry: the environment variable REG16_URL holds a URL with a query (?…); a Schema Registry's base URL has none (if it is part of the secret, write / ? # @ : % in the key or secret percent-encoded (%2F %3F %23 %40 %3A %25))");
});

test("reg16: a percent-encoded secret reaches the registry decoded, as HTTP Basic", async () => {
  let sent: string | undefined;
  const url = await serve((req, res) => {
    sent = req.headers.authorization;
    json(res, 200, { schema: JSON.stringify(ORDER) });
  });
  const reg = openSchemaRegistry("REG16_URL", "orders", { env: { REG16_URL: url.replace("http://", "http://KEY:Ab%2Bcd%2FEF%25%40@") } });
  await reg.load([1]);
  expect(read(reg.get(1))).toEqual({ city: "Ko" });
  expect(Buffer.from(sent!.replace(/^Basic /, ""), "base64").toString()).toBe("KEY:Ab+cd/EF%@");
});

test("reg16: a URL answering JSON without a schema (another JSON API) fails the lookup naming the URL; its values are not made dead letters", async () => {
  const url = await serve((_req, res) => json(res, 200, { status: "ok", items: [] }));
  const reg = openSchemaRegistry(`${url}/api`, "orders");
  const load = reg.load([12]);
  await expect(load).rejects.toBeInstanceOf(RegistryUnavailable);
  await expect(load).rejects.toThrow(`avro: the Schema Registry at ${url}/api (sources.orders.avro.registry) answered GET ${url}/api/schemas/ids/12 with JSON that holds no schema ({"status":"ok","items":[]}), not as a Schema Registry does; is that the registry's base URL?`);
  expect(reg.get(12)).toBeUndefined();
});

test("reg16: a registry that rate-limits (429 with Retry-After, as Confluent Cloud's does) is asked again when it says, and the id reads", async () => {
  let until = 0;
  const asked: number[] = [];
  const url = await serve((_req, res) => {
    asked.push(Date.now());
    // Its quota is spent for a second: asked before then, it says so again.
    if (until === 0 || Date.now() < until) {
      if (until === 0) until = Date.now() + 1_000;
      res.writeHead(429, { "content-type": "application/json", "retry-after": "1" });
      return res.end(JSON.stringify({ error_code: 42901, message: "Too many requests" }));
    }
    json(res, 200, { schema: JSON.stringify(ORDER) });
  });
  const reg = openSchemaRegistry(url, "orders");
  await reg.load([8]);
  expect(read(reg.get(8))).toEqual({ city: "Ko" });
  expect(asked).toHaveLength(2);
});

// review16: a re-ask that cannot reach the registry must not stop the source; references never deadlock the request slots.
test("rv16: an id the registry did not know, due to be asked again while the registry is down, keeps its answer (the batch reads on) and is asked again once the registry answers", async () => {
  let down = false;
  let registered = false;
  const asked: string[] = [];
  const url = await serve((req, res) => {
    asked.push(`${down ? "down" : "up"} ${req.url}`);
    if (down) return json(res, 503, { error_code: 50301, message: "Service Unavailable" });
    if (req.url === "/schemas/ids/3") return json(res, 200, { schema: JSON.stringify(ORDER) });
    if (req.url === "/schemas/ids/7" && registered) return json(res, 200, { schema: JSON.stringify(ORDER) });
    json(res, 404, { error_code: 40403, message: "Schema not found" });
  });
  let clock = 1_000_000;
  const reg = openSchemaRegistry(url, "orders", { now: () => clock });
  // A topic whose values carry id 3, and now and then a stray value with id 7 the registry never had.
  await reg.load([3, 7]);
  const unknown = `schema id 7 is not in the Schema Registry at ${url} (it answered 404: Schema not found)`;
  expect(reg.get(7)).toEqual({ error: unknown });
  // The registry goes down; a batch of ids 3 and 7 comes once 7 is due to be asked again.
  down = true;
  clock += UNKNOWN_AGAIN_MS;
  await expect(reg.load([3, 7])).resolves.toBeUndefined();
  expect(reg.get(7)).toEqual({ error: unknown });
  expect("type" in (reg.get(3) ?? {})).toBe(true);
  // Up again, and 7 registered meanwhile: asked again when due, and it reads.
  down = false;
  registered = true;
  clock += 60_000;
  await reg.load([7]);
  expect("type" in (reg.get(7) ?? {})).toBe(true);
  expect(asked.filter((a) => a.startsWith("up /schemas/ids/7"))).toHaveLength(2);
});

test("rv16: more ids at once than requests may run, each referencing a chain of schemas, all read: no request holds a slot while its references wait for one", async () => {
  let running = 0;
  let most = 0;
  const url = await serve((req, res) => {
    running++;
    most = Math.max(most, running);
    const done = () => {
      running--;
    };
    res.on("close", done);
    // Answered a moment later, so requests overlap.
    setTimeout(() => {
      const id = /^\/schemas\/ids\/(\d+)$/.exec(req.url ?? "");
      if (id) {
        const n = Number(id[1]);
        return json(res, 200, { schema: JSON.stringify({ type: "record", name: `R${n}`, fields: [{ name: "a", type: `shop.L${n}_0` }] }), references: [{ name: `shop.L${n}_0`, subject: `l${n}_0`, version: 1 }] });
      }
      const ref = /^\/subjects\/l(\d+)_(\d+)\/versions\/1$/.exec(req.url ?? "");
      if (ref) {
        const [n, depth] = [Number(ref[1]), Number(ref[2])];
        const name = `shop.L${n}_${depth}`;
        if (depth === 5) return json(res, 200, { schema: JSON.stringify({ type: "record", name, fields: [{ name: "city", type: "string" }] }) });
        return json(res, 200, { schema: JSON.stringify({ type: "record", name, fields: [{ name: "next", type: `shop.L${n}_${depth + 1}` }] }), references: [{ name: `shop.L${n}_${depth + 1}`, subject: `l${n}_${depth + 1}`, version: 1 }] });
      }
      json(res, 404, { error_code: 40403, message: "not found" });
    }, 5);
  });
  const reg = openSchemaRegistry(url, "orders");
  const ids = Array.from({ length: 12 }, (_, i) => i + 1);
  await reg.load(ids);
  for (const id of ids) {
    const schema = reg.get(id);
    expect(schema && "type" in schema ? schema.name : schema).toBe(`R${id}`);
  }
  expect(most).toBeLessThanOrEqual(4);
});

test(`an id the registry did not know is forgotten past ${MAX_UNKNOWN_IDS.toLocaleString("en-US")} such ids, the one longest unseen first and never one a batch loaded in the last minute, and asked again if it comes back; a known schema is kept`, async () => {
  const asked: number[] = [];
  const url = await serve((req, res) => {
    const id = Number(/\/schemas\/ids\/(\d+)$/.exec(req.url ?? "")?.[1]);
    asked.push(id);
    if (id === 9) return json(res, 200, { schema: JSON.stringify(ORDER) });
    notFound(res);
  });
  let clock = 1_000_000;
  const reg = openSchemaRegistry(url, "orders", { maxUnknownIds: 3, now: () => clock });
  const unknown = (id: number) => `schema id ${id} is not in the Schema Registry at ${url} (it answered 404: Schema not found)`;
  await reg.load([9]);
  for (const id of [101, 102, 103, 104, 105]) await reg.load([id]);
  expect(asked).toEqual([9, 101, 102, 103, 104, 105]);
  // Five unknown ids, over the bound of 3, all loaded within the minute: none is forgotten (another batch may be decoding them).
  expect(read(reg.get(101))).toBe(unknown(101));
  clock += UNKNOWN_AGAIN_MAX_MS;
  // 101 seen again: it is the newest now; 102 and 103 are forgotten, this batch's 104 is not.
  await reg.load([101, 104]);
  expect(asked).toEqual([9, 101, 102, 103, 104, 105, 101, 104]);
  expect(reg.get(102)).toBe(undefined);
  expect(reg.get(103)).toBe(undefined);
  expect(read(reg.get(101))).toBe(unknown(101));
  expect(read(reg.get(105))).toBe(unknown(105));
  await reg.load([102, 9]);
  expect(asked).toEqual([9, 101, 102, 103, 104, 105, 101, 104, 102]);
  expect(read(reg.get(9))).toEqual({ city: "Ko" });
  expect(read(reg.get(102))).toBe(unknown(102));
});
