import { button } from "./source-card.ts";

/**
 * Shows a share link (copied to the clipboard when the browser allows), or why sharing failed.
 * Focus goes into the dialog (the link selected, or Close), Escape or Close shuts it, and focus
 * returns to `opener`: a keyboard user was left on the page's body, behind the dialog, with no key
 * to close it.
 */
export function showShareLink(url: string | null, failure?: string, opener: HTMLElement | null = null): void {
  document.querySelector(".share-dialog")?.remove();
  const dialog = document.createElement("div");
  dialog.className = "share-dialog";
  dialog.setAttribute("role", "dialog");
  const title = document.createElement("h2");
  title.textContent = url === null ? "Sharing failed" : "Share link";
  dialog.append(title);
  const note = document.createElement("p");
  note.className = "share-note";
  if (url === null) {
    note.textContent = failure ?? "unknown error";
    note.classList.add("error");
    dialog.append(note);
  } else {
    const input = document.createElement("input");
    input.className = "share-url";
    input.readOnly = true;
    input.value = url;
    const copy = button("Copy", "share-copy");
    const doCopy = () =>
      navigator.clipboard.writeText(url).then(
        () => (note.textContent = "Copied. Anyone with the link sees this snapshot, read-only."),
        (error: unknown) => (note.textContent = `Select the link to copy it (${error instanceof Error ? error.message : String(error)}).`),
      );
    copy.addEventListener("click", () => void doCopy());
    dialog.append(input, copy, note);
    void doCopy();
  }
  const close = button("Close", "share-close");
  const shut = () => {
    dialog.remove();
    opener?.focus();
  };
  close.addEventListener("click", shut);
  dialog.addEventListener("keydown", (event) => {
    if (event.key === "Escape") {
      event.preventDefault();
      shut();
    }
  });
  dialog.append(close);
  document.body.append(dialog);
  const link = dialog.querySelector<HTMLInputElement>(".share-url");
  if (link !== null) {
    link.focus();
    link.select();
  } else close.focus();
}
