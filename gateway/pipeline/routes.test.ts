import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, describe, expect, test } from "vitest";
import { openTestGateway, type TestGateway } from "../test-gateway.ts";

let gw: TestGateway | null = null;
afterEach(async () => {
  await gw?.close();
  gw = null;
});

/** The server-sent events of a response, in order. */
async function events(res: Response): Promise<{ event: string; data: unknown }[]> {
  const text = await res.text();
  return text
    .split("\n\n")
    .filter((block) => block.trim() !== "")
    .map((block) => {
      const event = /^event: (.*)$/m.exec(block)?.[1] ?? "message";
      const data = block.split("\n").filter((l) => l.startsWith("data: ")).map((l) => l.slice(6)).join("\n");
      return { event, data: JSON.parse(data) as unknown };
    });
}

const turnstile = async () => ({ "turnstile.md": await readFile("notebooks/turnstile.md", "utf8") });

describe("check and publish from the app", () => {
  test("check streams progress lines, then a report that agrees", async () => {
    gw = await openTestGateway(await turnstile());
    const res = await gw.app.request("/api/pipelines/check/turnstile.md", { method: "POST", headers: gw.auth });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/event-stream/);
    const all = await events(res);
    const lines = all.filter((e) => e.event === "progress").map((e) => (e.data as { line: string }).line);
    expect(lines[0]).toMatch(/^sample of turnstile: /);
    expect(lines).toContain("compiling the sink cells");
    expect(lines.some((l) => l.startsWith("✓ per_minute → lake · stream order:"))).toBe(true);
    const result = all.at(-1)!;
    expect(result.event).toBe("result");
    expect(result.data).toMatchObject({ kind: "check", agree: true, samples: { turnstile: expect.any(Number) } });
    expect((result.data as { steps: { step: string }[] }).steps.map((s) => s.step)).toEqual(expect.arrayContaining(["sample", "stream order", "edge cases", "misfits", "random"]));
  }, 120_000);

  test("publish writes the bundle where the gateway keeps pipelines and says what to run next", async () => {
    gw = await openTestGateway(await turnstile());
    const out = join(gw.dir, "pipelines");
    await gw.close();
    gw = await openTestGateway(await turnstile(), { pipelinesDir: out });
    const res = await gw.app.request("/api/pipelines/publish/turnstile.md", { method: "POST", headers: gw.auth });
    const all = await events(res);
    const result = all.at(-1)!;
    expect(result.data).toMatchObject({ kind: "published", name: "turnstile", dir: join(out, "turnstile"), forced: false, targets: ["runner", "files"] });
    expect((result.data as { next: string[] }).next).toEqual([`npx runnel run ${join(out, "turnstile")} --until-caught-up --sink lake=fs:out/`, `npx runnel run ${join(out, "turnstile")} --input turnstile=<files> --sink lake=fs:out/`]);
    const lines = all.filter((e) => e.event === "progress").map((e) => (e.data as { line: string }).line);
    expect(lines.filter((l) => /^\[\d\/4\]/.test(l)).map((l) => l.slice(0, 5))).toEqual(["[1/4]", "[2/4]", "[3/4]", "[4/4]"]);
    const plan = JSON.parse(await readFile(join(out, "turnstile", "plan.json"), "utf8")) as { pipelines: { sink: string }[] };
    expect(plan.pipelines.map((p) => p.sink)).toEqual(["lake"]);
    const manifest = JSON.parse(await readFile(join(out, "turnstile", "bundle.json"), "utf8")) as { check: { agree: boolean } };
    expect(manifest.check.agree).toBe(true);
  }, 180_000);

  test("a notebook named ..md or ...md cannot publish or run outside the pipelines folder", async () => {
    const text = (await turnstile())["turnstile.md"];
    gw = await openTestGateway({ "..md": text, "...md": text, ".md": text });
    const out = join(gw.dir, "deep", "pipelines");
    await gw.close();
    gw = await openTestGateway({ "..md": text, "...md": text, ".md": text }, { pipelinesDir: out });
    for (const [path, name] of [["...md", ".."], ["..md", "."], [".md", ""]]) {
      const all = await events(await gw.app.request(`/api/pipelines/publish/${path}`, { method: "POST", headers: gw.auth }));
      expect(all.at(-1)).toEqual({
        event: "failure",
        data: { message: `publish: ${path} would be published as ${JSON.stringify(name)}, which names a folder outside the pipelines folder; rename the notebook` },
      });
      const run = await gw.app.request(`/api/pipelines/run/${path}`, { method: "POST", headers: gw.auth });
      expect(run.status).toBe(400);
    }
    await expect(readFile(join(gw.dir, "deep", "plan.json"), "utf8")).rejects.toThrow(/ENOENT/);
    await expect(readFile(join(out, "plan.json"), "utf8")).rejects.toThrow(/ENOENT/);
  }, 60_000);

  test("check of a notebook with no sink cell says there is nothing to check, never that it passed", async () => {
    const text = (await readFile("notebooks/turnstile.md", "utf8")).replaceAll(" sink=lake", "");
    gw = await openTestGateway({ "turnstile.md": text });
    const all = await events(await gw.app.request("/api/pipelines/check/turnstile.md", { method: "POST", headers: gw.auth }));
    const lines = all.filter((e) => e.event === "progress").map((e) => (e.data as { line: string }).line);
    expect(lines.at(-1)).toBe("nothing to check: turnstile.md has no cell with sink=; mark the cell whose rows should be written");
    expect(lines.some((l) => l.startsWith("check passed"))).toBe(false);
    expect(all.at(-1)!.data).toMatchObject({ kind: "check", agree: false, comparisons: 0 });
  }, 60_000);

  test("a cell outside the supported subset answers a compile error naming the cell and line, and publishes nothing", async () => {
    const text = (await readFile("notebooks/turnstile.md", "utf8")).replace("count(*) AS readings,", "count(*) AS readings,\n  row_number() OVER () AS n,");
    gw = await openTestGateway({ "turnstile.md": text });
    const res = await gw.app.request("/api/pipelines/publish/turnstile.md", { method: "POST", headers: gw.auth });
    const result = (await events(res)).at(-1)!;
    expect(result.event).toBe("result");
    expect(result.data).toMatchObject({ kind: "compile-error" });
    expect((result.data as { message: string }).message).toMatch(/per_minute/);
    expect((result.data as { message: string }).message).toMatch(/window|OVER|row_number/i);
  }, 60_000);

  test("the token is required, a missing notebook is 404, and a bad force flag is 400", async () => {
    gw = await openTestGateway(await turnstile());
    expect((await gw.app.request("/api/pipelines/check/turnstile.md", { method: "POST" })).status).toBe(401);
    const missing = await gw.app.request("/api/pipelines/check/nope.md", { method: "POST", headers: gw.auth });
    expect(missing.status).toBe(404);
    const bad = await gw.app.request("/api/pipelines/publish/turnstile.md?force=yes", { method: "POST", headers: gw.auth });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toEqual({ error: { code: "bad_request", message: 'pipelines: force must be true or false, got "yes"' } });
    const escape = await gw.app.request("/api/pipelines/check/..%2F..%2Fetc%2Fpasswd", { method: "POST", headers: gw.auth });
    expect(escape.status).toBe(400);
  });
});
