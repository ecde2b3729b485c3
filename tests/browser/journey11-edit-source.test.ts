/**
 * Editing and removing a source from its card, in real Chromium on the real gateway. A source could
 * be added from the page but not changed or taken out: a typo in a Kafka topic or a demo rate was a
 * hand edit of the YAML and a reload. Now Edit on a card (a "not opened" card too) fills a form from
 * the entry, writes it through the notebook's own writer (the rest of the file as it was) and opens
 * the source again; Remove takes it out, refused while cells read it (naming them), with Undo.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Kafka, logLevel } from "kafkajs";
import { describe, expect, test } from "vitest";
import { kafka } from "../servers/config.ts";
import { browserSuite, cell, openNotebook, screenshot, settled } from "./harness.ts";

const FRONT = [
  "---",
  "title: Sources to fix # a comment the page keeps",
  "sources:",
  "  trips: # the demo stream",
  "    demo: { generator: turnstile, rate: 2O, seed: 1 }",
  "  orders:",
  "    kafka: { topic: ordres, brokers: [\"127.0.0.1:9092\"] }",
  "    demo: { generator: turnstile, rate: 5, seed: 1 }",
  "  spare:",
  "    demo: { generator: shop, rate: 3, seed: 1 }",
  "  junk:",
  "    kafka: { topic: 5 }",
  "---",
].join("\n");

const BODY = [
  "",
  "# Sources to fix",
  "",
  "```sql id=per_station",
  "SELECT count(DISTINCT station) > 0 AS some FROM trips",
  "```",
  "",
  "```sql id=fresh",
  "SELECT count(*) > 0 AS some",
  "FROM orders",
  "```",
  "",
].join("\n");

const NOTEBOOK = `${FRONT}\n${BODY}`;

describe("editing and removing a source from its card (Chromium)", () => {
  const suite = browserSuite({ "journey11-sources.md": NOTEBOOK });
  const file = () => readFileSync(join(suite.harness.root, "journey11-sources.md"), "utf8");

  test("a mistyped demo rate and Kafka topic are fixed from the card; a source still read is not removed; one unread is, with Undo", async () => {
    const page = await suite.browser.context.newPage();
    const errors: string[] = [];
    page.on("pageerror", (error) => errors.push(error.message));
    await openNotebook(page, suite.harness, "journey11-sources.md");
    const card = (name: string) => page.locator(`.sources > .source[data-source="${name}"]`);

    // The entry with a typo is a "not opened" card whose readers fail with the problem; Edit shows the entry as written.
    expect(await settled(page, "per_station")).toBe("error");
    await card("trips").locator(".source-edit").click();
    const tripsForm = card("trips").locator(".edit-source-form");
    expect(await tripsForm.locator(".edit-source-rate").inputValue()).toBe("2O");
    expect(await tripsForm.locator(".edit-source-generator").inputValue()).toBe("turnstile");
    // A rate that is still not a number is refused in the form, in the parser's words, and nothing is written.
    await tripsForm.locator(".edit-source-rate").fill("fast");
    await tripsForm.locator(".edit-source-save").click();
    await expect.poll(() => tripsForm.locator(".edit-source-problem").textContent()).toMatch(/rate/);
    expect(file()).toBe(NOTEBOOK);
    await tripsForm.locator(".edit-source-rate").fill("20");
    await tripsForm.locator(".edit-source-save").click();
    // The card opens as a live demo source in the same place, and the cell reading it runs over it.
    await card("trips").and(page.locator(":not(.source-broken)")).locator(".source-rows").waitFor({ timeout: 20_000 });
    await cell(page, "per_station").and(page.locator('[data-state="ok"]')).waitFor({ timeout: 30_000 });
    expect(await cell(page, "per_station").locator("tbody td").first().textContent()).toBe("true");
    expect(await page.locator(".sources > .source").evaluateAll((cards) => cards.map((c) => (c as HTMLElement).dataset.source))).toEqual(["trips", "orders", "spare", "junk"]);
    // Only the entry's lines changed: the comment on its key, the other entries' spelling and the cells are as written.
    const written = file();
    expect(written).toBe(NOTEBOOK.replace("    demo: { generator: turnstile, rate: 2O, seed: 1 }\n", "    demo: turnstile\n"));
    // The issue the typo caused is gone from the list above the notebook.
    await expect.poll(() => page.locator(".notebook-issues").innerText()).not.toContain("sources.trips");

    // A Kafka topic with a typo: the form keeps what it does not show (the demo stand-in), and writes the fix.
    await card("orders").locator(".source-edit").click();
    const ordersForm = card("orders").locator(".edit-source-form");
    expect(await ordersForm.locator(".edit-source-topic").inputValue()).toBe("ordres");
    expect(await ordersForm.locator(".edit-source-brokers").inputValue()).toBe("127.0.0.1:9092");
    expect(await ordersForm.locator(".edit-source-rate").inputValue()).toBe("5");
    await ordersForm.locator(".edit-source-topic").fill("orders");
    await ordersForm.locator(".edit-source-save").click();
    await ordersForm.waitFor({ state: "detached", timeout: 20_000 });
    expect(file()).toBe(written.replace('    kafka: { topic: ordres, brokers: ["127.0.0.1:9092"] }', "    kafka: { topic: orders, brokers: [ 127.0.0.1:9092 ] }"));
    await cell(page, "fresh").and(page.locator('[data-state="ok"]')).waitFor({ timeout: 30_000 });
    await expect.poll(() => card("orders").locator(".source-state").textContent(), { timeout: 20_000 }).toBe("live");

    // A source a cell reads is not removed: the card says which cell, at which line.
    const before = file();
    await card("orders").locator(".source-remove").click();
    await expect
      .poll(() => card("orders").locator(".source-manage-problem").textContent())
      .toBe("Not removed: cell fresh (line 22) reads orders. Change or delete it first.");
    expect(file()).toBe(before);

    // One nobody reads goes: its card and its entry; Undo puts the entry back as it was written.
    await card("spare").locator(".source-remove").click();
    await card("spare").waitFor({ state: "detached" });
    expect(file()).not.toContain("spare");
    expect(file()).toContain("\n  junk:\n");
    await page.locator(".undo-bar").getByText("Removed source spare.").waitFor();
    await page.locator(".undo-button").click();
    // It opens again once the file has it back: live, not "has no source spare".
    await expect.poll(() => card("spare").locator(".source-state").textContent(), { timeout: 20_000 }).toBe("live");
    expect(file()).toBe(before);

    // An entry the notebook cannot read at all is removed from the YAML as written.
    await card("junk").locator(".source-remove").click();
    await card("junk").waitFor({ state: "detached" });
    await expect.poll(file).toBe(before.replace("  junk:\n    kafka: { topic: 5 }\n", ""));
    // Its problems leave the list above the notebook with it.
    await expect.poll(() => page.locator(".notebook-issues").isVisible()).toBe(false);
    await screenshot(page, "journey11-edit-source");

    // Read back: the page opened again has the three sources from the file, every cell running.
    await openNotebook(page, suite.harness, "journey11-sources.md");
    expect(await settled(page, "per_station")).toBe("ok");
    expect(await settled(page, "fresh")).toBe("ok");
    expect(await page.locator(".sources > .source").evaluateAll((cards) => cards.map((c) => (c as HTMLElement).dataset.source))).toEqual(["trips", "orders", "spare"]);

    // A shared snapshot is read-only: its cards offer neither Edit nor Remove, and there is no "+ Source".
    await page.locator(".share-button").click();
    const url = await page.locator(".share-url").inputValue({ timeout: 30_000 });
    await page.goto(url);
    await page.locator('.sources > .source[data-source="trips"]').waitFor({ timeout: 30_000 });
    await expect.poll(() => page.locator(".sources > .source").count(), { timeout: 30_000 }).toBe(3);
    expect(await page.locator(".source-edit, .source-remove, .add-source-open").count()).toBe(0);
    expect(errors).toEqual([]);
    await page.close();
  });

  test("a Kafka topic with a typo on the real broker: the card says it is not there, and Edit brings the real topic's events in", async () => {
    const topic = `journey11-orders-${Date.now()}`;
    const client = new Kafka({ brokers: [...kafka.brokers], logLevel: logLevel.NOTHING });
    const admin = client.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
    await admin.disconnect();
    const producer = client.producer();
    await producer.connect();
    await producer.send({ topic, messages: [1, 2, 3].map((id) => ({ value: JSON.stringify({ id, amount: id * 10 }) })) });
    await producer.disconnect();
    const typo = `${topic}x`;
    const text = [
      "---",
      "title: Orders from the broker",
      "sources:",
      "  orders:",
      `    kafka: { topic: ${typo}, brokers: ["${kafka.brokers[0]}"] }`,
      "---",
      "",
      "```sql id=total",
      "SELECT sum(amount) AS total FROM orders",
      "```",
      "",
    ].join("\n");
    writeFileSync(join(suite.harness.root, "journey11-kafka.md"), text);
    const page = await suite.browser.context.newPage();
    await openNotebook(page, suite.harness, "journey11-kafka.md");
    const card = page.locator('.sources > .source[data-source="orders"]');
    await expect.poll(() => card.locator(".source-state").textContent(), { timeout: 30_000 }).toContain(`topic ${typo} does not exist`);
    expect(await settled(page, "total")).toBe("error");

    await card.locator(".source-edit").click();
    const form = card.locator(".edit-source-form");
    expect(await form.locator(".edit-source-topic").inputValue()).toBe(typo);
    await form.locator(".edit-source-topic").fill(topic);
    await form.locator(".edit-source-save").click();
    await expect.poll(() => card.locator(".source-state").textContent(), { timeout: 30_000 }).toBe("live");
    await cell(page, "total").and(page.locator('[data-state="ok"]')).waitFor({ timeout: 30_000 });
    expect(await cell(page, "total").locator("tbody td").first().textContent()).toBe("60");
    expect(readFileSync(join(suite.harness.root, "journey11-kafka.md"), "utf8")).toBe(text.replace(`topic: ${typo}, brokers: ["${kafka.brokers[0]}"]`, `topic: ${topic}, brokers: [ ${kafka.brokers[0]} ]`));
    await screenshot(page, "journey11-edit-kafka-topic");
    await page.close();
  });

  test("a webhook's demo rate changed on github.md: only that line of the file changes", async () => {
    const path = join(suite.harness.root, "github.md");
    const original = readFileSync(path, "utf8");
    const page = await suite.browser.context.newPage();
    await openNotebook(page, suite.harness, "github.md");
    const card = page.locator('.sources > .source[data-source="github"]');
    await card.locator(".source-edit").click();
    const form = card.locator(".edit-source-form");
    // The webhook's own settings are shown as written, the path and headers kept though the form has no field for them.
    expect(await form.locator(".edit-source-signature").inputValue()).toBe("github");
    expect(await form.locator(".edit-source-secret").inputValue()).toBe("GITHUB_WEBHOOK_SECRET");
    await form.locator(".edit-source-rate").fill("50");
    await form.locator(".edit-source-save").click();
    await form.waitFor({ state: "detached", timeout: 20_000 });
    expect(readFileSync(path, "utf8")).toBe(original.replace("    demo: { generator: github, rate: 2, seed: 1 }\n", "    demo: { generator: github, rate: 50, seed: 1 }\n"));
    await expect.poll(() => card.locator(".source-state").textContent(), { timeout: 20_000 }).toBe("live");
    await page.close();
  });
});
