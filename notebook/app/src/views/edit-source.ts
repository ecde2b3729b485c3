import { DEMO_GENERATORS, type SourceSpec } from "../../../format/index.ts";
import { formFooter, sourceFromForm } from "./add-source.ts";

/** The signature schemes a webhook entry may name (`SignatureScheme`). */
const SIGNATURES = ["none", "sha256", "bearer", "github", "stripe", "shopify", "slack", "standard"] as const;

/** A source's entry as the front matter holds it (`kafka: {...}`, `demo: ...`, `format`, `sample_size`). */
export type Entry = Record<string, unknown>;

export function isRecord(value: unknown): value is Entry {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** A value of the entry as a form field shows it: text as written, a number or list as text, nothing as "". */
export function shown(value: unknown): string {
  if (value === undefined || value === null) return "";
  if (Array.isArray(value)) return value.map(shown).join(", ");
  return typeof value === "object" ? JSON.stringify(value) : String(value);
}

/** A form's text field, filled with `value` (no spell check: names, topics, paths). */
export function formInput(className: string, value: string, placeholder = ""): HTMLInputElement {
  const i = document.createElement("input");
  i.className = className;
  i.value = value;
  i.placeholder = placeholder;
  i.spellcheck = false;
  return i;
}

/** A number typed in a field as the entry gets it: a number when it reads as one, else the text (so the parser words the problem). */
export function typed(text: string): unknown {
  const trimmed = text.trim();
  return trimmed !== "" && Number.isFinite(Number(trimmed)) ? Number(trimmed) : trimmed;
}

/**
 * The form on a source card (edit mode) that edits the source's entry: the fields its kind has
 * (a Kafka topic and brokers, a webhook's signature, secret and format, a demo stream's generator
 * and rate, the sample size), filled from `entry` (the entry as the front matter writes it, or as
 * written when the notebook could not read it). Everything the form does not show is kept as it was
 * (a webhook's path, headers and metadata, a demo's seed). The new entry is checked by the
 * notebook's own parser, so a problem is worded as the file would word it; `save` writes it and
 * answers a problem to show, or null.
 */
export function editSourceForm(name: string, entry: Entry, save: (spec: SourceSpec) => Promise<string | null>, close: () => void): HTMLFormElement {
  const form = document.createElement("form");
  form.className = "add-source-form edit-source-form";
  form.setAttribute("aria-label", `Edit source ${name}`);
  const field = (label: string, control: HTMLElement): HTMLLabelElement => {
    const wrap = document.createElement("label");
    const text = document.createElement("span");
    text.textContent = label;
    wrap.append(text, control);
    return wrap;
  };
  const input = formInput;
  const select = (className: string, options: readonly string[], value: string): HTMLSelectElement => {
    const s = document.createElement("select");
    s.className = className;
    // A value the list does not have (a typo in the file) is offered as written, so the form does not silently change it.
    for (const option of options.includes(value) || value === "" ? options : [value, ...options]) s.add(new Option(option, option));
    s.value = value === "" ? options[0]! : value;
    return s;
  };

  const fields: HTMLElement[] = [];
  const apply: ((next: Entry) => void)[] = [];
  const kafka = entry.kafka;
  if (isRecord(kafka)) {
    const topic = input("edit-source-topic", shown(kafka.topic), "topic");
    const brokers = input("edit-source-brokers", shown(kafka.brokers), "host:port, …");
    fields.push(field("topic", topic), field("brokers", brokers));
    apply.push((next) => {
      next.kafka = { ...kafka, topic: topic.value.trim(), brokers: brokers.value.split(",").map((b) => b.trim()).filter((b) => b !== "") };
    });
  }
  const webhook = entry.webhook;
  if (isRecord(webhook)) {
    const signature = select("edit-source-signature", SIGNATURES, shown(webhook.signature));
    const secret = input("edit-source-secret", shown(webhook.secret), "secret's variable, e.g. HOOK_SECRET");
    const sync = () => {
      secret.disabled = signature.value === "none";
    };
    signature.addEventListener("change", sync);
    sync();
    fields.push(field("signature", signature), field("secret", secret));
    apply.push((next) => {
      const { secret: _old, ...rest } = webhook;
      next.webhook = { ...rest, signature: signature.value, ...(signature.value === "none" || secret.value.trim() === "" ? {} : { secret: secret.value.trim() }) };
    });
  }
  if (isRecord(kafka) || isRecord(webhook) || isRecord(entry.http)) {
    const format = select("edit-source-format", ["json", "ndjson", "csv"], shown(entry.format ?? "json"));
    fields.push(field("format", format));
    apply.push((next) => {
      next.format = format.value;
    });
  }
  if (entry.demo !== undefined) {
    // `demo: turnstile` is the generator at the default rate; `demo: { generator, rate, seed }` spelled out.
    const demo: Entry = isRecord(entry.demo) ? entry.demo : { generator: entry.demo };
    const generator = select("edit-source-generator", DEMO_GENERATORS, shown(demo.generator));
    const rate = input("edit-source-rate", demo.rate === undefined ? "20" : shown(demo.rate), "events per second");
    rate.inputMode = "decimal";
    fields.push(field(entry.kafka !== undefined || entry.webhook !== undefined || entry.http !== undefined ? "demo" : "generator", generator), field("rate", rate));
    apply.push((next) => {
      next.demo = { ...demo, generator: generator.value, rate: typed(rate.value) };
    });
  }
  const sample = input("edit-source-sample", entry.sample_size === undefined ? "1000" : shown(entry.sample_size), "events");
  sample.inputMode = "numeric";
  fields.push(field("sample", sample));
  apply.push((next) => {
    if (entry.sample_size !== undefined || sample.value.trim() !== "1000") next.sample_size = typed(sample.value);
  });

  const { problem, submit, cancel, actions } = formFooter("Save source", "edit-source-save", "edit-source-cancel", "add-source-problem edit-source-problem");
  form.append(...fields, problem, actions);

  const say = (text: string | null) => {
    problem.hidden = text === null;
    problem.textContent = text ?? "";
  };
  cancel.addEventListener("click", close);
  form.addEventListener("keydown", (event) => {
    if (event.key === "Escape") close();
  });
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const next: Entry = { ...entry };
    for (const set of apply) set(next);
    const read = sourceFromForm(name, next);
    if ("problems" in read) return say(read.problems.map((p) => p.replace(/^line \d+:\d+ /, "")).join("\n"));
    submit.disabled = true;
    void save(read.spec).then(
      (refused) => {
        submit.disabled = false;
        if (refused !== null) say(refused);
      },
      (error: unknown) => {
        submit.disabled = false;
        say(error instanceof Error ? error.message : String(error));
      },
    );
  });
  return form;
}
