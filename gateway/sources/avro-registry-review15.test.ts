/**
 * A Schema Registry whose answer stalls or breaks off after its headers (a proxy timing out, a
 * registry restarting) is an outage: the lookup fails naming the URL, and the id is asked again
 * later, instead of its values becoming dead letters for the rest of the run. The server here is
 * only the broken transport (no registry answers that way on purpose); what it serves is
 * Confluent's API shape.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, expect, test } from "vitest";
import { openSchemaRegistry, RegistryUnavailable } from "./avro-registry.ts";

const ADDR = { type: "record", name: "Addr", namespace: "shop", fields: [{ name: "city", type: "string" }] };
const ORDER = { type: "record", name: "Order", namespace: "shop", fields: [{ name: "addr", type: "shop.Addr" }] };

let server: Server | undefined;
afterEach(async () => {
  server?.closeAllConnections();
  await new Promise((done) => (server ? server.close(done) : done(undefined)));
  server = undefined;
});

/** A registry whose referenced subject's answer sends its headers and a first byte, then `stall`s or breaks off, while `broken` says so. */
async function registry(stall: "hang" | "reset"): Promise<{ url: string; mend: () => void }> {
  let broken = true;
  server = createServer((req, res) => {
    const json = (body: unknown) => {
      res.writeHead(200, { "content-type": "application/vnd.schemaregistry.v1+json" });
      res.end(JSON.stringify(body));
    };
    if (req.url === "/schemas/ids/7") return json({ schema: JSON.stringify(ORDER), references: [{ name: "shop.Addr", subject: "addr", version: 1 }] });
    if (req.url === "/subjects/addr/versions/1") {
      if (!broken) return json({ subject: "addr", version: 1, id: 6, schema: JSON.stringify(ADDR) });
      res.writeHead(200, { "content-type": "application/vnd.schemaregistry.v1+json", "content-length": "1000" });
      res.write("{");
      if (stall === "reset") setImmediate(() => res.socket?.destroy());
      return;
    }
    res.writeHead(404, { "content-type": "application/json" });
    res.end(JSON.stringify({ error_code: 40403, message: "Schema not found" }));
  });
  await new Promise<void>((done) => server!.listen(0, "127.0.0.1", done));
  return { url: `http://127.0.0.1:${(server!.address() as AddressInfo).port}`, mend: () => void (broken = false) };
}

for (const stall of ["hang", "reset"] as const) {
  test(`review15: a registry whose answer ${stall === "hang" ? "stalls" : "breaks off"} after its headers is an outage naming the URL, and the id reads once it answers`, async () => {
    const { url, mend } = await registry(stall);
    const reg = openSchemaRegistry(url, "orders", { timeoutMs: 300 });
    const load = reg.load([7]);
    await expect(load).rejects.toBeInstanceOf(RegistryUnavailable);
    await expect(load).rejects.toThrow(`avro: cannot look up subject addr version 1 (referenced by schema id 7) in the Schema Registry at ${url} (sources.orders.avro.registry): `);
    // Not remembered as the id's reason: its values were dead letters for the rest of the run.
    expect(reg.get(7)).toBeUndefined();
    mend();
    await reg.load([7]);
    const schema = reg.get(7);
    expect(schema && "type" in schema ? schema.type.fromBuffer(Buffer.from([4, 0x4b, 0x6f])) : schema).toEqual({ addr: { city: "Ko" } });
  });
}
