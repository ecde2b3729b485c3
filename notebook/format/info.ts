/**
 * A fence's info string: the language, then `key=value` attributes, as in
 * Observable Framework (`sql id=clean sink=lake`).
 */

export interface InfoAttribute {
  key: string;
  /** The value, unquoted; null for a bare word such as `echo`. */
  value: string | null;
  /** Offset of the key within the info string. */
  offset: number;
  /** Offset of the value within the info string (the key's when there is no value). */
  valueOffset: number;
}

export interface Info {
  language: string;
  attributes: InfoAttribute[];
}

const TOKEN = /([^\s=]+)(?:=("[^"]*"|'[^']*'|\S*))?/g;

/** Reads an info string into its language and attributes, keeping each attribute's offset. */
export function parseInfo(info: string): Info {
  const words = /^\S*/.exec(info)![0];
  const attributes: InfoAttribute[] = [];
  TOKEN.lastIndex = words.length;
  for (let match = TOKEN.exec(info); match; match = TOKEN.exec(info)) {
    const raw = match[2];
    const quoted = raw !== undefined && raw.length >= 2 && (raw[0] === '"' || raw[0] === "'");
    attributes.push({
      key: match[1]!,
      value: raw === undefined ? null : quoted ? raw.slice(1, -1) : raw,
      offset: match.index,
      valueOffset: raw === undefined ? match.index : match.index + match[1]!.length + 1 + (quoted ? 1 : 0),
    });
  }
  return { language: words, attributes };
}

/** Writes the info string for a cell: language, then `id=` and `sink=` when set. */
export function formatInfo(language: string, id: string | null, sink: string | null): string {
  return [language, id === null ? null : `id=${id}`, sink === null ? null : `sink=${sink}`].filter((part) => part !== null).join(" ");
}
