import type { NotebookVersion } from "../api.ts";
import { button } from "./source-card.ts";

/**
 * The notebook changed on disk since this page loaded it. Shows both
 * versions side by side; the person keeps theirs (written over the disk
 * version) or takes the disk version (the page reloads it). The dialog is
 * modal: until the person chooses, the page behind it takes no input, so
 * nothing typed there is lost between the two versions shown and the one kept.
 */
export function showConflict(options: {
  mine: string;
  theirs: NotebookVersion | null;
  keepMine: () => void;
  takeTheirs: () => void;
}): HTMLElement {
  const dialog = document.createElement("div");
  dialog.className = "conflict";
  dialog.setAttribute("role", "dialog");
  dialog.setAttribute("aria-modal", "true");
  const backdrop = document.createElement("div");
  backdrop.className = "conflict-backdrop";
  // Everything else on the page is inert (no focus, no typing, no clicks) while the dialog is open.
  const behind = [...document.body.children].filter((e): e is HTMLElement => e instanceof HTMLElement && !e.inert);
  for (const element of behind) element.inert = true;
  const close = () => {
    dialog.remove();
    backdrop.remove();
    for (const element of behind) element.inert = false;
  };
  const title = document.createElement("h2");
  title.textContent = "This notebook changed somewhere else";
  const hint = document.createElement("p");
  hint.textContent = "Your edits were not saved. Choose the version to keep.";
  const panes = document.createElement("div");
  panes.className = "conflict-panes";
  const theirs = options.theirs?.text ?? "(deleted)";
  panes.append(pane("Your version", options.mine, theirs, "conflict-mine"), pane("Version on disk", theirs, options.mine, "conflict-theirs"));
  const actions = document.createElement("div");
  actions.className = "conflict-actions";
  const keep = button("Keep mine", "conflict-keep-mine");
  keep.addEventListener("click", () => {
    close();
    options.keepMine();
  });
  const take = button("Take the version on disk", "conflict-take-theirs");
  take.addEventListener("click", () => {
    close();
    options.takeTheirs();
  });
  actions.append(keep, take);
  dialog.append(title, hint, panes, actions);
  document.body.append(backdrop, dialog);
  // Focus goes to the dialog, not a button: someone still typing must not choose with a space or Enter.
  dialog.tabIndex = -1;
  dialog.focus();
  return dialog;
}

/** One version, its lines that the other version lacks marked, and scrolled to the first of them. */
function pane(label: string, text: string, other: string, className: string): HTMLElement {
  const box = document.createElement("section");
  box.className = className;
  const h = document.createElement("h3");
  h.textContent = label;
  const pre = document.createElement("pre");
  const others = new Set(other.split("\n"));
  let first: HTMLElement | null = null;
  for (const line of text.split("\n")) {
    const span = document.createElement("span");
    // One block per line; an empty line keeps its height with a space.
    span.textContent = line === "" ? " " : line;
    if (!others.has(line)) {
      span.className = "conflict-changed";
      first ??= span;
    }
    pre.append(span);
  }
  box.append(h, pre);
  if (first !== null) {
    const target = first;
    requestAnimationFrame(() => (pre.scrollTop = Math.max(0, target.offsetTop - pre.offsetTop - 40)));
  }
  return box;
}
