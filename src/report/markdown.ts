/**
 * Markdown safety for text the bot did not write itself: patrol output, reasons, holder
 * names. GitHub renders issue bodies, so such text must never ping anyone, never open or
 * close our code blocks, and never look like one of the bot's hidden markers.
 */

const ZERO_WIDTH_SPACE = '\u200B';

/**
 * `@someone` and `@org/team` become `@\u200Bsomeone`: they read the same but GitHub no longer
 * sees a mention, so quoting a patrol's output never notifies anyone.
 */
export function neutraliseMentions(text: string): string {
  return text.replace(/@(?=[A-Za-z0-9_-])/g, `@${ZERO_WIDTH_SPACE}`);
}

/**
 * Break every HTML comment opener and closer, so that no text we quote can pose as a
 * hidden marker (`<!-- cronwarden:... -->`) or end one early.
 */
export function defangMarkers(text: string): string {
  return text
    .replace(/<!--/g, `<!${ZERO_WIDTH_SPACE}--`)
    .replace(/--!?>/g, (closer) => `--${ZERO_WIDTH_SPACE}${closer.slice(2)}`);
}

/** Colour and cursor escapes from terminals; they only clutter a code block. */
// eslint-disable-next-line no-control-regex -- escapes are control characters by definition
const ANSI_ESCAPE = /\u001b\[[0-9;?]*[ -/]*[@-~]|\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)/g;

/** Text from a patrol, made safe to quote: no escapes, no mentions, no markers. */
export function sanitise(text: string): string {
  const plain = text.replace(/\r\n?/g, '\n').replace(ANSI_ESCAPE, '');
  return neutraliseMentions(defangMarkers(plain));
}

/** A fence of backticks longer than any run of backticks in `content` (at least three). */
export function fenceFor(content: string): string {
  let longest = 0;
  for (const run of content.match(/`+/g) ?? []) longest = Math.max(longest, run.length);
  return '`'.repeat(Math.max(3, longest + 1));
}

/** A fenced code block that `content` cannot close early, whatever it holds. */
export function codeBlock(content: string, language = ''): string {
  const fence = fenceFor(content);
  const body = content.endsWith('\n') ? content : `${content}\n`;
  return `${fence}${language}\n${body}${fence}`;
}

/** Inline code that survives backticks in `text`. */
export function inlineCode(text: string): string {
  const safe = sanitise(text).replace(/\n/g, ' ');
  let longest = 0;
  for (const run of safe.match(/`+/g) ?? []) longest = Math.max(longest, run.length);
  const ticks = '`'.repeat(longest + 1);
  const pad = safe.startsWith('`') || safe.endsWith('`') ? ' ' : '';
  return `${ticks}${pad}${safe}${pad}${ticks}`;
}

/** Plain text for a table cell or a sentence: sanitised, one line, pipes escaped. */
export function cellText(text: string): string {
  return escapeInline(sanitise(text)).replace(/\n+/g, ' ');
}

/** Escapes the characters that would start Markdown formatting or links in running text. */
export function escapeInline(text: string): string {
  return text.replace(/[\\`*_[\]<>#|~]/g, (c) => `\\${c}`);
}

/** A Markdown table; cells are taken as they are (escape them with cellText first). */
export function table(header: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

/** A list of facts, `- **Name**: value`, one a line (values escaped by the caller). */
export function factList(facts: [string, string][]): string {
  return facts.map(([name, value]) => `- **${name}**: ${value}`).join('\n');
}

/** `[text](url)`, or the text alone when there is no url. */
export function link(text: string, url: string | undefined): string {
  if (url === undefined || url === '') return text;
  return `[${text}](${url.replace(/[()\s]/g, encodeURIComponent)})`;
}

/** 12345 → "12,345", without the machine's locale. */
export function formatCount(n: number): string {
  return String(Math.trunc(n)).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** "1 failure", "3 failures". */
export function plural(n: number, word: string, words = `${word}s`): string {
  return `${formatCount(n)} ${n === 1 ? word : words}`;
}

/** Inline code inside a table cell, where GitHub needs `|` escaped even in code. */
export function cellCode(text: string): string {
  return inlineCode(text).replace(/\|/g, '\\|');
}
