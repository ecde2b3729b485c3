import type { SourceSpec } from "../../../format/index.ts";
import { button } from "./source-card.ts";

/** A test delivery for a webhook source with no events yet: what to know first, and a command to paste in a shell. */
export interface WebhookTry {
  text: string;
  command: string;
}

/** What the example delivery sends, a row in the source's format, and its content type. */
function example(format: SourceSpec["format"]): { body: string; type: string } {
  return format === "csv" ? { body: "id,hello\n1,world\n", type: "text/csv" } : { body: '{"id": 1, "hello": "world"}', type: "application/json" };
}

/** A string as one single-quoted shell word. */
function shellWord(text: string): string {
  return `'${text.replaceAll("'", `'\\''`)}'`;
}

/**
 * How to send a first event to a webhook source by hand, as a `curl` command for the schemes a
 * sender of one's own uses (none, sha256, bearer), or null for a provider's scheme (GitHub, Stripe,
 * …, signed by the provider). The card said "Bearer <the gateway's token>" without saying where the
 * token is, and "HMAC-SHA256 in hex" without a way to make one, so a first test delivery was a 401.
 */
export function webhookTry(url: string, spec: Extract<SourceSpec, { kind: "webhook" }>): WebhookTry | null {
  const { body, type } = example(spec.format);
  const post = `curl -X POST ${shellWord(url)} \\\n  -H ${shellWord(`Content-Type: ${type}`)}`;
  // A secret named in the notebook is an environment variable of the gateway; the shell that sends needs it too.
  const secret = spec.secret === null ? "SECRET" : spec.secret;
  if (spec.signature === "none") {
    return {
      text: "The gateway's token is in the file .runnel/token in the folder the gateway was started from (or is $RUNNEL_TOKEN when that is set). A test delivery, from that folder:",
      command: `${post} \\\n  -H "Authorization: Bearer $(cat .runnel/token)" \\\n  --data-binary ${shellWord(body)}`,
    };
  }
  if (spec.signature === "sha256") {
    return {
      text: `A test delivery, signed with openssl, from a shell where $${secret} holds the secret the gateway has:`,
      command:
        `body=${shellWord(body)}\n` +
        `${post} \\\n  -H "X-Signature-256: sha256=$(printf '%s' "$body" | openssl dgst -sha256 -hmac "$${secret}" -r | cut -d' ' -f1)" \\\n  --data-binary "$body"`,
    };
  }
  if (spec.signature === "bearer") {
    return {
      text: `A test delivery, from a shell where $${secret} holds the secret the gateway has:`,
      command: `${post} \\\n  -H "Authorization: Bearer $${secret}" \\\n  --data-binary ${shellWord(body)}`,
    };
  }
  return null;
}

/** The card's box for {@link webhookTry}: the words, the command, and Copy. */
export function renderWebhookTry(help: WebhookTry): HTMLElement {
  const box = document.createElement("div");
  box.className = "source-try";
  const text = document.createElement("p");
  text.textContent = help.text;
  const command = document.createElement("pre");
  command.className = "source-try-command";
  command.textContent = help.command;
  const copy = button("Copy", "source-try-copy");
  copy.addEventListener("click", () => {
    navigator.clipboard.writeText(help.command).then(
      () => (copy.textContent = "Copied"),
      // No clipboard (an http page on another host than localhost): the command is selected for Ctrl-C instead.
      () => {
        getSelection()?.selectAllChildren(command);
        copy.textContent = "Selected: press Ctrl-C";
      },
    );
  });
  box.append(text, command, copy);
  return box;
}
