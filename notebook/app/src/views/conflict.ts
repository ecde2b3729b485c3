import type { NotebookVersion } from "../api.ts";
import { button } from "./source-card.ts";

/**
 * The notebook changed on disk since this page loaded it. Shows both
 * versions side by side; the person keeps theirs (written over the disk
 * version) or takes the disk version (the page reloads it).
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
  const title = document.createElement("h2");
  title.textContent = "This notebook changed somewhere else";
  const hint = document.createElement("p");
  hint.textContent = "Your edits were not saved. Choose the version to keep.";
  const panes = document.createElement("div");
  panes.className = "conflict-panes";
  panes.append(pane("Your version", options.mine, "conflict-mine"), pane("Version on disk", options.theirs?.text ?? "(deleted)", "conflict-theirs"));
  const actions = document.createElement("div");
  actions.className = "conflict-actions";
  const keep = button("Keep mine", "conflict-keep-mine");
  keep.addEventListener("click", () => {
    dialog.remove();
    options.keepMine();
  });
  const take = button("Take the version on disk", "conflict-take-theirs");
  take.addEventListener("click", () => {
    dialog.remove();
    options.takeTheirs();
  });
  actions.append(keep, take);
  dialog.append(title, hint, panes, actions);
  document.body.append(dialog);
  return dialog;
}

function pane(label: string, text: string, className: string): HTMLElement {
  const box = document.createElement("section");
  box.className = className;
  const h = document.createElement("h3");
  h.textContent = label;
  const pre = document.createElement("pre");
  pre.textContent = text;
  box.append(h, pre);
  return box;
}
