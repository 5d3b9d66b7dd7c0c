import { formatCount } from '../markdown.js';

/** GitHub refuses issue and comment bodies longer than this (422 "body is too long"). */
export const GITHUB_BODY_LIMIT = 65_536;

/**
 * What the bot writes at most. The margin covers GitHub counting characters differently
 * from JavaScript's UTF-16 length, and a line ending rewritten on the way.
 */
export const BODY_LIMIT = 60_000;

/** Room kept for the note that says how much was cut. */
const NOTE_ROOM = 400;

/**
 * Render a body whose patrol output can shrink: first in full, then with the output cut by
 * what does not fit (the renderer keeps the end of the output, the most telling part, and
 * says how much it cut), and as a last resort cut as a whole. The marker is the first line,
 * so it survives any cut.
 */
export function fitBody(
  render: (outputBudget: number) => string,
  outputLength: number,
  limit = BODY_LIMIT,
): string {
  const full = render(Number.POSITIVE_INFINITY);
  if (full.length <= limit) return full;

  const overflow = full.length - limit;
  const budget = Math.max(0, outputLength - overflow - NOTE_ROOM);
  const shorter = render(budget);
  if (shorter.length <= limit) return shorter;
  return cutBody(shorter, limit);
}

/**
 * Cut a body to `limit` at a line end, close a code block left open, and say how much was
 * cut. Never cuts the first line (the marker).
 */
export function cutBody(body: string, limit = BODY_LIMIT): string {
  if (body.length <= limit) return body;
  const firstLineEnd = body.indexOf('\n');
  const keepAtLeast = firstLineEnd < 0 ? body.length : firstLineEnd;
  let end = body.lastIndexOf('\n', limit - NOTE_ROOM);
  if (end < keepAtLeast) end = Math.max(keepAtLeast, limit - NOTE_ROOM);
  let kept = body.slice(0, end);
  const fence = openFence(kept);
  if (fence !== null) kept += `\n${fence}`;
  const cut = body.length - end;
  const note =
    `> ✂️ ${formatCount(cut)} characters were cut here to stay within GitHub's limit of ` +
    `${formatCount(GITHUB_BODY_LIMIT)} characters.`;
  return `${kept}\n\n${note}\n`;
}

/** The fence of a code block still open at the end of `text`, or null. */
function openFence(text: string): string | null {
  let open: string | null = null;
  for (const line of text.split('\n')) {
    const fence = /^(`{3,}|~{3,})/.exec(line)?.[1];
    if (fence === undefined) continue;
    if (open === null) open = fence;
    else if (
      line.trim() === line.slice(0, fence.length) &&
      fence[0] === open[0] &&
      fence.length >= open.length
    ) {
      open = null;
    }
  }
  return open;
}
