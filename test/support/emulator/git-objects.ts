import { createHash } from 'node:crypto';

/**
 * Git objects with their real SHA-1 ids (`<type> <size>\0<body>`), so ids the emulator
 * hands out are the ids git and GitHub would compute for the same content.
 */

export const EMPTY_TREE_SHA = '4b825dc642cb6eb9a060e54bf8d69288fbee4904';

export type ObjectType = 'blob' | 'tree' | 'commit';

export interface Signature {
  name: string;
  email: string;
  date: Date;
  /** Git's zone suffix, e.g. `+0000`; kept so the commit id matches what was sent. */
  zone: string;
}

export interface TreeEntry {
  name: string;
  /** As the API shows it: `100644`, `100755`, `040000`, `160000`, `120000`. */
  mode: string;
  type: ObjectType;
  sha: string;
}

export interface BlobObject {
  type: 'blob';
  sha: string;
  content: Buffer;
}

export interface TreeObject {
  type: 'tree';
  sha: string;
  entries: TreeEntry[];
}

export interface CommitObject {
  type: 'commit';
  sha: string;
  tree: string;
  parents: string[];
  author: Signature;
  committer: Signature;
  message: string;
}

export type GitObject = BlobObject | TreeObject | CommitObject;

export const TREE_MODES = ['100644', '100755', '040000', '160000', '120000'] as const;

export function hashObject(type: ObjectType, body: Buffer): string {
  const header = Buffer.from(`${type} ${body.length}\0`, 'utf8');
  return createHash('sha1').update(header).update(body).digest('hex');
}

/** Git orders tree entries bytewise, comparing a subtree's name as if it ended in `/`. */
export function sortTreeEntries(entries: TreeEntry[]): TreeEntry[] {
  const key = (e: TreeEntry): Buffer => Buffer.from(e.type === 'tree' ? `${e.name}/` : e.name);
  return [...entries].sort((a, b) => Buffer.compare(key(a), key(b)));
}

function treeBody(entries: TreeEntry[]): Buffer {
  const parts: Buffer[] = [];
  for (const e of entries) {
    // Git writes a subtree's mode without the leading zero the API shows.
    const mode = e.mode === '040000' ? '40000' : e.mode;
    parts.push(Buffer.from(`${mode} ${e.name}\0`, 'utf8'), Buffer.from(e.sha, 'hex'));
  }
  return Buffer.concat(parts);
}

function signatureLine(role: string, s: Signature): string {
  return `${role} ${s.name} <${s.email}> ${Math.floor(s.date.getTime() / 1000)} ${s.zone}`;
}

function commitBody(c: Omit<CommitObject, 'type' | 'sha'>): Buffer {
  const lines = [`tree ${c.tree}`];
  for (const p of c.parents) {
    lines.push(`parent ${p}`);
  }
  lines.push(signatureLine('author', c.author), signatureLine('committer', c.committer));
  return Buffer.from(`${lines.join('\n')}\n\n${c.message}`, 'utf8');
}

/** The objects of one repository. Objects are immutable; storing one twice is a no-op. */
export class ObjectStore {
  private readonly objects = new Map<string, GitObject>();

  get(sha: string): GitObject | undefined {
    return this.objects.get(sha.toLowerCase());
  }

  has(sha: string, type?: ObjectType): boolean {
    const o = this.get(sha);
    return o !== undefined && (type === undefined || o.type === type);
  }

  blob(sha: string): BlobObject | undefined {
    const o = this.get(sha);
    return o?.type === 'blob' ? o : undefined;
  }

  tree(sha: string): TreeObject | undefined {
    const o = this.get(sha);
    return o?.type === 'tree' ? o : undefined;
  }

  commit(sha: string): CommitObject | undefined {
    const o = this.get(sha);
    return o?.type === 'commit' ? o : undefined;
  }

  putBlob(content: Buffer): BlobObject {
    const blob: BlobObject = { type: 'blob', sha: hashObject('blob', content), content };
    return this.remember(blob);
  }

  putTree(entries: TreeEntry[]): TreeObject {
    const sorted = sortTreeEntries(entries);
    const tree: TreeObject = {
      type: 'tree',
      sha: hashObject('tree', treeBody(sorted)),
      entries: sorted,
    };
    return this.remember(tree);
  }

  putCommit(c: Omit<CommitObject, 'type' | 'sha'>): CommitObject {
    const commit: CommitObject = { type: 'commit', sha: hashObject('commit', commitBody(c)), ...c };
    return this.remember(commit);
  }

  /**
   * Whether `ancestor` is reachable from `descendant` through parents (a commit counts as
   * its own ancestor). This is the fast-forward test of `PATCH git/refs`.
   */
  isAncestor(ancestor: string, descendant: string): boolean {
    const seen = new Set<string>();
    const queue = [descendant];
    while (queue.length > 0) {
      const sha = queue.pop() as string;
      if (sha === ancestor) {
        return true;
      }
      if (seen.has(sha)) {
        continue;
      }
      seen.add(sha);
      queue.push(...(this.commit(sha)?.parents ?? []));
    }
    return false;
  }

  /**
   * Commits reachable from `tip`, newest first by committer date; ties keep the order in
   * which the walk met them, so a linear history reads tip first whatever the dates.
   */
  history(tip: string): CommitObject[] {
    const out: CommitObject[] = [];
    const seen = new Set<string>([tip]);
    const pending: CommitObject[] = [];
    const first = this.commit(tip);
    if (first !== undefined) {
      pending.push(first);
    }
    while (pending.length > 0) {
      const next = takeNewest(pending);
      out.push(next);
      for (const p of next.parents) {
        const parent = this.commit(p);
        if (parent !== undefined && !seen.has(p)) {
          seen.add(p);
          pending.push(parent);
        }
      }
    }
    return out;
  }

  private remember<T extends GitObject>(o: T): T {
    const known = this.objects.get(o.sha);
    if (known !== undefined) {
      return known as T;
    }
    this.objects.set(o.sha, o);
    return o;
  }
}

function takeNewest(pending: CommitObject[]): CommitObject {
  let best = 0;
  for (let i = 1; i < pending.length; i += 1) {
    const a = (pending[i] as CommitObject).committer.date.getTime();
    if (a > (pending[best] as CommitObject).committer.date.getTime()) {
      best = i;
    }
  }
  return pending.splice(best, 1)[0] as CommitObject;
}
