import { afterEach, expect, test } from "vitest";
import { openTestGateway, type TestGateway } from "../../gateway/test-gateway.ts";

let gw: TestGateway | undefined;
afterEach(async () => {
  await gw?.close();
  gw = undefined;
});

const demo = "demo: { generator: shop, rate: 20, seed: 3 }\n    sample_size: 10";

test("a notebook whose sources are named constructor and toString is shared (it was a 500: the lookup found Object's)", async () => {
  gw = await openTestGateway({ "odd.md": `---\ntitle: Odd names\nsources:\n  constructor:\n    ${demo}\n  toString:\n    ${demo}\n---\n\`\`\`sql id=a\nSELECT * FROM constructor\n\`\`\`\n` });
  for (const samples of [undefined, {}, { __proto__: "AAAA" }]) {
    const res = await gw.app.request("/api/share", { method: "POST", headers: { ...gw.auth, "content-type": "application/json" }, body: JSON.stringify({ path: "odd.md", samples }) });
    const answer = await res.json();
    expect(answer.error?.message, JSON.stringify(samples)).toBeUndefined();
    expect(res.status).toBe(201);
    const shared = await (await gw.app.request(`/s/${answer.id}/notebook`)).json();
    expect(shared.samples.map((s: { name: string; rows: number }) => [s.name, s.rows > 0])).toEqual([["constructor", true], ["toString", true]]);
    expect((await gw.app.request(`/s/${answer.id}/sources/constructor.parquet`)).status).toBe(200);
  }
});
