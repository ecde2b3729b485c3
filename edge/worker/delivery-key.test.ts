import { describe, expect, test } from "vitest";
import { deliveryKey } from "./delivery-key.ts";

const body = new TextEncoder().encode('{"id": 1}');

describe("deliveryKey", () => {
  test("a blank delivery header is no id (each such delivery is new), a real one is kept", async () => {
    const source = { signature: "github" as const, deliveryHeader: "X-GitHub-Delivery" };
    for (const id of ["", " ", "\t"]) expect(await deliveryKey(source, new Headers({ "x-github-delivery": id }), body)).toBeNull();
    expect(await deliveryKey(source, new Headers({ "x-github-delivery": "d-1" }), body)).toBe("d-1");
  });

  test("with a scope every kind of id is the source's own: a header id too", async () => {
    const source = { signature: "sha256" as const, deliveryHeader: "X-Delivery-Id" };
    const headers = new Headers({ "x-delivery-id": "1" });
    expect(await deliveryKey(source, headers, body, "billing")).toBe("billing/1");
    expect(await deliveryKey(source, headers, body, "crm")).toBe("crm/1");
    // The gateway keeps a log per source: no scope, the bare id.
    expect(await deliveryKey(source, headers, body)).toBe("1");
    expect(await deliveryKey(source, new Headers(), body, "crm")).toBeNull();
  });
});
