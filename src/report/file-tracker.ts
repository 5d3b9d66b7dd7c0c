import { mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { IssuePatch, IssueTracker, NewIssue, TrackedIssue } from './tracker.js';

/** The author of the issues a file tracker writes. */
export const FILE_BOT_LOGIN = 'cronwarden';

/**
 * Issues as Markdown files in a directory, one per issue (`issue-0007.md`): front matter
 * with the number, title, state, author and labels; the body; then each comment after a
 * separator line. `cronwarden tick --report-dir DIR` writes here, so a maintainer can read
 * what the bot would post without touching GitHub.
 */
export class FileTracker implements IssueTracker {
  constructor(
    private readonly directory: string,
    readonly botLogin = FILE_BOT_LOGIN,
  ) {}

  async *listIssues(): AsyncIterable<TrackedIssue> {
    for (const number of await this.numbers()) {
      yield (await this.read(number)).issue;
    }
  }

  async createIssue(issue: NewIssue): Promise<TrackedIssue> {
    await mkdir(this.directory, { recursive: true });
    const number = Math.max(0, ...(await this.numbers())) + 1;
    const created: TrackedIssue = {
      number,
      title: issue.title,
      body: issue.body,
      state: 'open',
      author: this.botLogin,
      url: pathToFileURL(this.file(number)).href,
      labels: [...issue.labels],
    };
    await this.write({ issue: created, comments: [] });
    return created;
  }

  async updateIssue(number: number, patch: IssuePatch): Promise<TrackedIssue> {
    const stored = await this.read(number);
    const issue = { ...stored.issue, ...definedOnly(patch) };
    await this.write({ issue, comments: stored.comments });
    return issue;
  }

  async comment(number: number, body: string): Promise<void> {
    const stored = await this.read(number);
    await this.write({ issue: stored.issue, comments: [...stored.comments, body] });
  }

  async ensureLabels(names: string[]): Promise<string[]> {
    return [...names];
  }

  private file(number: number): string {
    return path.join(this.directory, `issue-${String(number).padStart(4, '0')}.md`);
  }

  private async numbers(): Promise<number[]> {
    let names: string[];
    try {
      names = await readdir(this.directory);
    } catch (error: unknown) {
      if ((error as { code?: unknown }).code === 'ENOENT') return [];
      throw error;
    }
    return names
      .map((n) => /^issue-(\d+)\.md$/.exec(n)?.[1])
      .filter((n): n is string => n !== undefined)
      .map(Number)
      .sort((a, b) => a - b);
  }

  private async read(number: number): Promise<StoredIssue> {
    const file = this.file(number);
    return parseIssueFile(await readFile(file, 'utf8'), pathToFileURL(file).href);
  }

  /** Written to a temporary file and renamed, so a reader never sees half a file. */
  private async write(stored: StoredIssue): Promise<void> {
    const file = this.file(stored.issue.number);
    const temporary = `${file}.tmp`;
    await writeFile(temporary, formatIssueFile(stored), 'utf8');
    await rename(temporary, file);
  }
}

export interface StoredIssue {
  issue: TrackedIssue;
  comments: string[];
}

function definedOnly(patch: IssuePatch): IssuePatch {
  return Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined));
}

const separator = (n: number) => `<!-- cronwarden-file-tracker: comment ${n} -->`;
const SEPARATOR_LINE = /^<!-- cronwarden-file-tracker: comment \d+ -->$/m;

/**
 * Front matter values are JSON (valid YAML too), so any title survives. Bodies written by the
 * reporter never hold the separator: quoted text has every `<!--` defanged.
 */
export function formatIssueFile({ issue, comments }: StoredIssue): string {
  const front = [
    '---',
    `number: ${issue.number}`,
    `title: ${JSON.stringify(issue.title)}`,
    `state: ${issue.state}`,
    `author: ${JSON.stringify(issue.author)}`,
    `labels: ${JSON.stringify(issue.labels)}`,
    '---',
    '',
  ].join('\n');
  const parts = [issue.body, ...comments.map((c, i) => `\n${separator(i + 1)}\n\n${c}`)];
  return front + parts.join('\n');
}

export function parseIssueFile(text: string, url: string): StoredIssue {
  const match = /^---\n([\s\S]*?)\n---\n/.exec(text);
  if (match === null) throw new Error(`${url} has no front matter`);
  const fields = new Map<string, string>();
  for (const line of (match[1] as string).split('\n')) {
    const colon = line.indexOf(':');
    if (colon > 0) fields.set(line.slice(0, colon).trim(), line.slice(colon + 1).trim());
  }
  const json = (key: string): unknown => JSON.parse(fields.get(key) ?? 'null');
  // Each separator line stands between two blank lines (see formatIssueFile).
  const chunks = text.slice(match[0].length).split(SEPARATOR_LINE);
  const last = chunks.length - 1;
  const [body, ...comments] = chunks.map((chunk, i) => {
    const head = i > 0 ? chunk.replace(/^\n\n/, '') : chunk;
    return i < last ? head.replace(/\n\n$/, '') : head;
  });
  return {
    issue: {
      number: Number(fields.get('number')),
      title: String(json('title') ?? ''),
      body: body ?? '',
      state: fields.get('state') === 'closed' ? 'closed' : 'open',
      author: String(json('author') ?? ''),
      url,
      labels: (json('labels') as string[] | null) ?? [],
    },
    comments,
  };
}
