import { expect, test } from "vitest";
import { latenessOffers } from "./lateness-offers.ts";

test("the lateness a step carries as data is offered, whatever its text says", () => {
  const steps = [{ sink: "lake", detail: "  4 of 401 sample events arrive after the watermark passed their window", lateness: { text: "7 minutes", seconds: 420 } }];
  expect([...latenessOffers(steps)]).toEqual([["lake", "7 minutes"]]);
});

test("a gateway that only says it in words is still understood", () => {
  const steps = [{ sink: "lake", detail: "  a lateness of 3 minutes or more would keep every sample event; if the event above …" }];
  expect([...latenessOffers(steps)]).toEqual([["lake", "3 minutes"]]);
});

test("one offer per sink, the first step's, and none for a step without late events", () => {
  const steps = [
    { sink: "lake", detail: "first differing row: DuckDB has …", lateness: null },
    { sink: "lake", detail: null, lateness: { text: "2 hours" } },
    { sink: "lake", detail: null, lateness: { text: "5 hours" } },
    { sink: "other", detail: "first differing row: …" },
  ];
  expect([...latenessOffers(steps)]).toEqual([["lake", "2 hours"]]);
});
