/**
 * Renders a notebook's prose: headings, paragraphs, lists, block quotes,
 * inline code, emphasis and links. Simple on purpose; text is escaped before
 * any markup is added, so prose can never inject HTML.
 */
export function renderMarkdown(source: string): HTMLElement {
  const root = document.createElement("div");
  root.className = "prose";
  const html: string[] = [];
  let list: "ul" | "ol" | null = null;
  let paragraph: string[] = [];
  const closeParagraph = () => {
    if (paragraph.length > 0) html.push(`<p>${inline(paragraph.join(" "))}</p>`);
    paragraph = [];
  };
  // A list's items are held until the list ends: a line under an item that starts no block continues it.
  let items: string[] = [];
  const closeList = () => {
    if (list !== null) html.push(`<${list}>${items.map((item) => `<li>${inline(item)}</li>`).join("")}</${list}>`);
    list = null;
    items = [];
  };
  let fence: { marker: string; lines: string[] } | null = null;
  for (const line of source.split(/\r?\n/)) {
    if (fence !== null) {
      if (line.trim().startsWith(fence.marker)) {
        html.push(`<pre><code>${escape(fence.lines.join("\n"))}</code></pre>`);
        fence = null;
      } else fence.lines.push(line);
      continue;
    }
    const opening = /^ {0,3}(`{3,}|~{3,})/.exec(line);
    if (opening) {
      closeParagraph();
      closeList();
      fence = { marker: opening[1]!, lines: [] };
      continue;
    }
    const heading = /^ {0,3}(#{1,6})\s+(.*?)\s*#*\s*$/.exec(line);
    const bullet = /^\s*[-*+]\s+(.*)$/.exec(line);
    const numbered = /^\s*\d+[.)]\s+(.*)$/.exec(line);
    const quote = /^\s*>\s?(.*)$/.exec(line);
    if (line.trim() === "") {
      closeParagraph();
      closeList();
    } else if (heading) {
      closeParagraph();
      closeList();
      const level = heading[1]!.length;
      html.push(`<h${level}>${inline(heading[2]!)}</h${level}>`);
    } else if (bullet || numbered) {
      closeParagraph();
      const kind = bullet ? "ul" : "ol";
      if (list !== kind) {
        closeList();
        list = kind;
      }
      items.push((bullet ?? numbered)![1]!);
    } else if (quote) {
      closeParagraph();
      closeList();
      html.push(`<blockquote>${inline(quote[1]!)}</blockquote>`);
    } else if (list !== null) {
      items[items.length - 1] += ` ${line.trim()}`;
    } else {
      paragraph.push(line.trim());
    }
  }
  if (fence !== null) html.push(`<pre><code>${escape(fence.lines.join("\n"))}</code></pre>`);
  closeParagraph();
  closeList();
  root.innerHTML = html.join("");
  return root;
}

function escape(text: string): string {
  return text.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;").replaceAll('"', "&quot;");
}

function inline(text: string): string {
  const parts = text.split(/(`[^`]+`)/);
  return parts
    .map((part) => {
      if (/^`[^`]+`$/.test(part)) return `<code>${escape(part.slice(1, -1))}</code>`;
      return escape(part)
        .replace(/\*\*(.+?)\*\*/g, "<strong>$1</strong>")
        .replace(/(^|[^*])\*([^*]+)\*/g, "$1<em>$2</em>")
        .replace(/\[([^\]]+)\]\((https?:\/\/[^)\s]+|\.{0,2}\/[^)\s]*)\)/g, '<a href="$2" rel="noopener noreferrer">$1</a>');
    })
    .join("");
}
