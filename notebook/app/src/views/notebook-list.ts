import { stringify } from "yaml";
import { listNotebooks, saveNotebook } from "../api.ts";
import { button } from "./source-card.ts";

/** The start page: every notebook under the gateway's root, and a form to create one. */
export async function renderNotebookList(root: HTMLElement): Promise<void> {
  root.replaceChildren();
  const header = document.createElement("header");
  header.className = "topbar";
  header.innerHTML = `<a class="brand" href="/">runnel</a><h1 class="notebook-title">Notebooks</h1>`;
  const main = document.createElement("main");
  main.className = "list-page";
  root.append(header, main);

  const list = document.createElement("ul");
  list.className = "notebook-list";
  for (const entry of await listNotebooks()) {
    const item = document.createElement("li");
    const link = document.createElement("a");
    link.href = `/?notebook=${encodeURIComponent(entry.path)}`;
    link.textContent = entry.title;
    const path = document.createElement("span");
    path.className = "muted";
    path.textContent = entry.path;
    item.append(link, " ", path);
    list.append(item);
  }

  const form = document.createElement("form");
  form.className = "new-notebook";
  const name = document.createElement("input");
  name.name = "name";
  name.placeholder = "new-notebook";
  name.pattern = "[A-Za-z0-9_\\-]+";
  name.required = true;
  name.setAttribute("aria-label", "New notebook name");
  // The browser shows the title when the pattern does not match, instead of a bare "match the requested format".
  name.title = "Letters, digits, - and _ only (the file will be <name>.md)";
  const create = button("Create notebook", "create-notebook");
  create.type = "submit";
  const problem = document.createElement("span");
  problem.className = "error";
  form.append(name, create, problem);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const path = `${name.value.trim()}.md`;
    saveNotebook(path, template(name.value.trim()), null).then(
      (result) => {
        if (result.kind === "conflict") problem.textContent = `${path} already exists`;
        else location.href = `/?notebook=${encodeURIComponent(path)}`;
      },
      (error: unknown) => (problem.textContent = error instanceof Error ? error.message : String(error)),
    );
  });
  main.append(list, form);
}

/**
 * A new notebook's text. The title is the name as YAML reads it back: written bare, a name YAML
 * reads as something else came back changed (`0x1F` as the title "31", `1e3` as "1000") or, `-`,
 * made the whole front matter invalid, so the new notebook opened with its source broken.
 */
export function template(name: string): string {
  return `---
title: ${stringify(name).trimEnd()}
sources:
  events:
    demo: turnstile
---

# ${name}

Events from the demo turnstile stream.

\`\`\`sql id=recent
SELECT * FROM events LIMIT 100
\`\`\`
`;
}
