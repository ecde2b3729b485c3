// The package does not export its stylesheet, so it is imported by file path.
import "../../../node_modules/@observablehq/inspector/dist/inspector.css";
import "./style.css";
import { NotebookPage } from "./notebook-page.ts";
import { renderNotebookList } from "./views/notebook-list.ts";
import { isExplainedFailure, renderPageFailure } from "./views/page-failure.ts";

/**
 * Routes: `/s/<id>` opens a shared snapshot read-only, `/?notebook=<path>`
 * opens a notebook for editing, anything else lists the notebooks.
 */
async function start(): Promise<void> {
  const root = document.getElementById("app")!;
  const share = /^\/s\/([^/]+)\/?$/.exec(location.pathname);
  const path = new URLSearchParams(location.search).get("notebook");
  if (share !== null) {
    const page = new NotebookPage(root, { kind: "share", id: decodeURIComponent(share[1]!) });
    exposeForTests(page);
    await page.open();
  } else if (path !== null) {
    const page = new NotebookPage(root, { kind: "edit", path });
    exposeForTests(page);
    await page.open();
  } else {
    await renderNotebookList(root);
  }
  document.body.dataset.ready = "true";
}

function exposeForTests(page: NotebookPage): void {
  (window as unknown as { runnel: unknown }).runnel = { page };
}

start().catch((error: unknown) => {
  if (!isExplainedFailure(error)) console.error(error);
  document.body.append(renderPageFailure(error));
  document.body.dataset.ready = "failed";
});
