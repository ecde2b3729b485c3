import { describe, expect, test } from "vitest";
import { nestedPast, readJson } from "./json.ts";

const post = (text: string) => new Request("http://127.0.0.1/api/share", { method: "POST", body: text });

describe("readJson", () => {
  test("a body nested past 1,000 levels is a 400 naming the depth and where, before JSON.parse reads it", async () => {
    const deep = `{"path":"orders.md","x":${"[".repeat(5000)}${"]".repeat(5000)}}`;
    const err = await readJson(post(deep)).catch((e: unknown) => e as { status: number; message: string });
    expect(err).toMatchObject({ status: 400 });
    expect(err.message).toBe("gateway: the body is nested more than 1,000 levels deep (at character 1024); runnel's requests never are");
  });

  test("brackets inside strings, escaped quotes among them, are not nesting", async () => {
    const text = JSON.stringify({ path: "a.md", text: `${"[{".repeat(3000)} \\" "quoted" ${"]}".repeat(3000)}` });
    expect(nestedPast(text, 1000)).toBe(-1);
    expect(await readJson(post(text))).toEqual(JSON.parse(text));
  });

  test("exactly 1,000 levels is read", async () => {
    const text = `{"x":${"[".repeat(999)}${"]".repeat(999)}}`;
    expect(nestedPast(text, 1000)).toBe(-1);
    expect(nestedPast(`{"x":${"[".repeat(1000)}${"]".repeat(1000)}}`, 1000)).toBe(5 + 999);
    expect((await readJson(post(text))).x).toBeInstanceOf(Array);
  });
});
