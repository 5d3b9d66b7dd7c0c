import { codeBlock, formatCount, plural, sanitise } from '../markdown.js';
import { GITHUB_BODY_LIMIT } from './limits.js';

/** Output this short is shown as it is; longer output is folded, with its last lines shown. */
const SHORT_OUTPUT_LINES = 30;
const PREVIEW_LINES = 10;
const PREVIEW_CHARS = 2_000;

export interface OutputOptions {
  /** At most this many characters of output (the end is kept). */
  budget: number;
  /** The runner kept only the tail of a longer output. */
  runnerTruncated?: boolean;
  heading?: string;
}

/** The tail of `text` within `budget` characters, starting at a line when it can. */
function tail(text: string, budget: number): { text: string; cut: number } {
  if (text.length <= budget) return { text, cut: 0 };
  let start = text.length - budget;
  const lineStart = text.indexOf('\n', start);
  if (lineStart >= 0 && lineStart < text.length - 1) start = lineStart + 1;
  return { text: text.slice(start), cut: start };
}

/**
 * A patrol's output, quoted safely: no mention, no marker and no fence in it works. Long
 * output is folded in a <details> block under a preview of its last lines.
 */
export function renderOutput(output: string | undefined, options: OutputOptions): string {
  const heading = options.heading ?? '### Output';
  if (output === undefined) return `${heading}\n\n_No output was kept for this run._`;
  const clean = sanitise(output).replace(/\n+$/, '');
  if (clean.trim() === '') return `${heading}\n\n_The patrol printed nothing._`;

  const kept = tail(clean, options.budget);
  const notes: string[] = [];
  if (options.runnerTruncated === true) {
    notes.push('The runner kept only the end of a longer output.');
  }
  if (kept.cut > 0) {
    notes.push(
      `${formatCount(kept.cut)} more characters of output were cut to keep this issue ` +
        `within GitHub's limit of ${formatCount(GITHUB_BODY_LIMIT)} characters.`,
    );
  }
  const note = notes.length === 0 ? '' : `\n\n> ✂️ ${notes.join(' ')}`;
  const lines = kept.text.split('\n');
  if (lines.length <= SHORT_OUTPUT_LINES) {
    return `${heading}${note}\n\n${codeBlock(kept.text, 'text')}`;
  }
  const preview = tail(lines.slice(-PREVIEW_LINES).join('\n'), PREVIEW_CHARS).text;
  return [
    `${heading}${note}`,
    `The last ${PREVIEW_LINES} lines:`,
    codeBlock(preview, 'text'),
    `<details><summary>All ${plural(lines.length, 'line')} kept</summary>`,
    codeBlock(kept.text, 'text'),
    '</details>',
  ].join('\n\n');
}

/** A few last lines for a comment, which should stay short. */
export function renderOutputExcerpt(output: string | undefined, lineCount = 15): string {
  if (output === undefined) return '';
  const clean = sanitise(output).replace(/\n+$/, '');
  if (clean.trim() === '') return '';
  const lines = clean.split('\n').slice(-lineCount);
  const short = tail(lines.join('\n'), 3_000).text;
  return `Last lines of the output:\n\n${codeBlock(short, 'text')}`;
}
