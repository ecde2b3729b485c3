import { describe, expect, test } from "vitest";
import { progressBar, progressLine } from "./progress.ts";

describe("runner progress", () => {
  const figures = { events: 7500, rate: 2500, lag: { "0": 2500, "1": 0 }, files: 3, deadLetters: 1 };

  test("the line names events, rate, lag per partition, files and dead letters", () => {
    expect(progressLine(figures)).toBe("  7500 events (2500/s) · lag p0:2500 p1:0 · 3 files · 1 dead letter");
  });

  test("one event, one file and one dead letter read as such, not '1 events · 1 files · 1 dead letters'", () => {
    const one = { ...figures, events: 1, lag: { "0": 0 }, files: 1, deadLetters: 1 };
    expect(progressLine(one)).toBe("  1 event (2500/s) · lag p0:0 · 1 file · 1 dead letter");
    expect(progressBar(one, 100)).toMatch(/ 100% 1 event · 2500\/s · lag 0 · 1 file · 1 dead$/);
  });

  test("the bar fills with the share consumed and fits the terminal", () => {
    const bar = progressBar(figures, 100);
    expect(bar).toMatch(/^\[█+░+\]  75% 7500 events · 2500\/s · lag 2500 · 3 files · 1 dead$/);
    const inside = bar.slice(1, bar.indexOf("]"));
    expect(inside.split("█").length - 1).toBe(Math.round(inside.length * 0.75));
    expect(bar.length).toBeLessThan(100);
    expect(progressBar(figures, 50).length).toBeLessThan(50);
  });

  test("an empty topic shows 0%", () => {
    expect(progressBar({ ...figures, events: 0, lag: {} }, 80)).toContain("  0% 0 events");
  });

  test("a runner waiting for its partitions says why, not 'lag -' (a restarted runner waits out the dead member's session)", () => {
    const waiting = { ...figures, events: 0, lag: {}, files: 0, deadLetters: 0, joining: true };
    expect(progressLine(waiting)).toBe("  waiting for the group to assign partitions (a runner stopped without leaving holds them until its 30 s session ends) · 0 events · 0 files · 0 dead letters");
    expect(progressBar(waiting, 200)).toBe(" waiting for the group to assign partitions (a runner stopped without leaving holds them until its 30 s session ends) · 0 events");
  });

  test("a runner whose broker is gone says so and for how long, not a lag of 0 it cannot know", () => {
    const lost = { ...figures, brokerLost: { seconds: 42, reason: "Connection error: connect ECONNREFUSED 127.0.0.1:9092" } };
    expect(progressLine(lost)).toBe("  waiting 42 s for the broker (Connection error: connect ECONNREFUSED 127.0.0.1:9092) · 7500 events · 3 files · 1 dead letter");
    expect(progressBar(lost, 200)).toBe(" waiting 42 s for the broker (Connection error: connect ECONNREFUSED 127.0.0.1:9092) · 7500 events");
  });
});
