import { DEMO_GENERATORS, parseNotebook, type SourceSpec } from "../../../format/index.ts";
import { button } from "./source-card.ts";

/** What the form asks for each kind of source; the rest is the front matter's defaults. */
type Kind = "demo" | "webhook" | "kafka";

/**
 * The front matter entry the form describes, checked by the notebook's own parser (so the form says
 * what the file would say: a topic missing, a rate that is not a number) and defaulted as the file
 * is. Answers the source, or the parser's problems in its words.
 */
export function sourceFromForm(name: string, entry: Record<string, unknown>): { spec: SourceSpec } | { problems: string[] } {
  const text = `---\nsources:\n  ${JSON.stringify(name)}: ${JSON.stringify(entry)}\n---\n`;
  const { notebook, issues } = parseNotebook(text, "new source");
  const spec = Object.hasOwn(notebook.sources, name) ? notebook.sources[name] : undefined;
  if (spec === undefined || issues.length > 0) return { problems: issues.length > 0 ? issues.map((i) => i.message) : [`no source ${name} could be read from the form`] };
  return { spec };
}

/**
 * "+ Source" under the source cards (edit mode): a small form for a demo stream, a webhook or a Kafka
 * topic. Adding writes the entry into the file's front matter (the notebook's own writer keeps the
 * rest of the file as it is) and opens the source on the page, without hand-editing YAML.
 * `add` answers a problem to show (a name taken, the file not written), or null.
 */
export function addSourceForm(add: (name: string, spec: SourceSpec) => Promise<string | null>, nameProblem: (name: string) => string | null): HTMLElement {
  const root = document.createElement("div");
  root.className = "add-source";
  const open = button("+ Source", "add-source-open");
  open.title = "Add a source to this notebook's front matter: a demo stream, a webhook or a Kafka topic";
  const form = document.createElement("form");
  form.className = "add-source-form";
  form.hidden = true;

  const field = (label: string, control: HTMLElement): HTMLLabelElement => {
    const wrap = document.createElement("label");
    const text = document.createElement("span");
    text.textContent = label;
    wrap.append(text, control);
    return wrap;
  };
  const input = (className: string, placeholder = "", value = ""): HTMLInputElement => {
    const i = document.createElement("input");
    i.className = className;
    i.placeholder = placeholder;
    i.value = value;
    i.spellcheck = false;
    return i;
  };
  const select = (className: string, options: readonly string[]): HTMLSelectElement => {
    const s = document.createElement("select");
    s.className = className;
    for (const option of options) s.add(new Option(option, option));
    return s;
  };

  const name = input("add-source-name", "name, e.g. trips");
  const kind = select("add-source-kind", ["demo", "webhook", "kafka"]);
  const generator = select("add-source-generator", DEMO_GENERATORS);
  const rate = input("add-source-rate", "events per second", "20");
  rate.inputMode = "decimal";
  const signature = select("add-source-signature", ["none", "sha256", "bearer"]);
  const secret = input("add-source-secret", "secret's variable, e.g. HOOK_SECRET");
  const topic = input("add-source-topic", "topic");
  const brokers = input("add-source-brokers", "host:port, …", "127.0.0.1:9092");
  const format = select("add-source-format", ["json", "ndjson", "csv"]);
  const groups: Record<Kind, HTMLElement[]> = {
    demo: [field("generator", generator), field("rate", rate)],
    webhook: [field("signature", signature), field("secret", secret), field("format", format)],
    kafka: [field("topic", topic), field("brokers", brokers)],
  };
  const { problem, submit, cancel, actions } = formFooter("Add source", "add-source-add", "add-source-cancel", "add-source-problem");
  form.append(field("name", name), field("kind", kind), ...Object.values(groups).flat(), problem, actions);

  const showKind = () => {
    for (const [k, elements] of Object.entries(groups)) for (const element of elements) element.hidden = k !== kind.value;
    secret.disabled = signature.value === "none";
  };
  kind.addEventListener("change", showKind);
  signature.addEventListener("change", showKind);
  showKind();
  const say = (text: string | null) => {
    problem.hidden = text === null;
    problem.textContent = text ?? "";
  };
  open.addEventListener("click", () => {
    form.hidden = false;
    open.hidden = true;
    name.focus();
  });
  const close = () => {
    form.hidden = true;
    open.hidden = false;
    say(null);
    open.focus();
  };
  cancel.addEventListener("click", close);
  form.addEventListener("keydown", (event) => {
    if (event.key === "Escape") close();
  });
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const wanted = name.value.trim();
    const taken = wanted === "" ? "a source needs a name" : nameProblem(wanted);
    if (taken !== null) return say(taken);
    const entry: Record<string, unknown> =
      kind.value === "demo"
        ? { demo: { generator: generator.value, rate: Number(rate.value) } }
        : kind.value === "webhook"
          ? { webhook: { signature: signature.value, ...(signature.value === "none" || secret.value.trim() === "" ? {} : { secret: secret.value.trim() }) }, format: format.value }
          : { kafka: { topic: topic.value.trim(), brokers: brokers.value.split(",").map((b) => b.trim()).filter((b) => b !== "") } };
    const read = sourceFromForm(wanted, entry);
    if ("problems" in read) return say(read.problems.join("\n"));
    submit.disabled = true;
    void add(wanted, read.spec).then(
      (refused) => {
        submit.disabled = false;
        if (refused !== null) return say(refused);
        name.value = "";
        topic.value = "";
        close();
      },
      (error: unknown) => {
        submit.disabled = false;
        say(error instanceof Error ? error.message : String(error));
      },
    );
  });
  root.append(open, form);
  return root;
}

/** A source form's footer: the problem line (hidden until there is one), the submit button and Cancel. */
export function formFooter(submitText: string, submitClass: string, cancelClass: string, problemClass: string): { problem: HTMLElement; submit: HTMLButtonElement; cancel: HTMLButtonElement; actions: HTMLElement } {
  const problem = document.createElement("p");
  problem.className = problemClass;
  problem.setAttribute("role", "alert");
  problem.hidden = true;
  const submit = document.createElement("button");
  submit.type = "submit";
  submit.className = submitClass;
  submit.textContent = submitText;
  const cancel = button("Cancel", cancelClass);
  const actions = document.createElement("div");
  actions.className = "add-source-actions";
  actions.append(submit, cancel);
  return { problem, submit, cancel, actions };
}
