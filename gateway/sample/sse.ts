/** One server-sent event as a client parses it. */
export interface SseEvent {
  event: string;
  id: string | null;
  data: string;
}

/**
 * Reads SSE from a response body until `count` events (not comments) have
 * arrived or `timeoutMs` passes; comments (`: ping`) are counted apart. A
 * small client for tests and benches, following the EventSource parsing rules
 * the gateway's streams use (LF line ends, one `data:` line per event).
 */
export async function readSse(body: ReadableStream<Uint8Array>, count: number, timeoutMs = 10_000): Promise<{ events: SseEvent[]; comments: string[] }> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  const events: SseEvent[] = [];
  const comments: string[] = [];
  let buffer = "";
  const deadline = Date.now() + timeoutMs;
  try {
    while (events.length < count && Date.now() < deadline) {
      const timeout = new Promise<null>((r) => setTimeout(() => r(null), Math.max(0, deadline - Date.now())));
      const chunk = await Promise.race([reader.read(), timeout]);
      if (chunk === null || chunk.done) break;
      buffer += decoder.decode(chunk.value, { stream: true });
      let cut: number;
      while ((cut = buffer.indexOf("\n\n")) >= 0 && events.length < count) {
        const block = buffer.slice(0, cut);
        buffer = buffer.slice(cut + 2);
        const event: SseEvent = { event: "message", id: null, data: "" };
        let isEvent = false;
        for (const line of block.split("\n")) {
          if (line.startsWith(":")) comments.push(line.slice(1).trim());
          else if (line.startsWith("data: ")) { event.data += (isEvent && event.data ? "\n" : "") + line.slice(6); isEvent = true; }
          else if (line.startsWith("id: ")) event.id = line.slice(4);
          else if (line.startsWith("event: ")) event.event = line.slice(7);
        }
        if (isEvent) events.push(event);
      }
    }
  } finally {
    await reader.cancel();
  }
  return { events, comments };
}
