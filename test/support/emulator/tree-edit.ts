import { unprocessable } from './http.js';
import type { ObjectStore, ObjectType, TreeEntry } from './git-objects.js';
import { TREE_MODES } from './git-objects.js';

/** One entry of `POST git/trees`: a path (may be nested) and what to put there. */
export interface TreeEdit {
  path: string;
  mode: string;
  type?: ObjectType;
  /** `null` deletes the path from the base tree. */
  sha?: string | null;
  content?: string;
}

type Node =
  | { kind: 'leaf'; mode: string; type: ObjectType; sha: string }
  | { kind: 'dir'; sha: string | null; children: Map<string, Node> | null };

const BOTH_OR_NEITHER =
  'Must supply either tree.sha or tree.content. Request will be rejected if both are present.';

/**
 * Build a tree from `base` (or nothing) and `edits`, writing every new blob and subtree
 * into `store`, and answer the new root tree. Subtrees the edits never touch are reused by
 * id, as git does, so editing one file in a large tree stays cheap.
 */
export function buildTree(store: ObjectStore, base: string | undefined, edits: TreeEdit[]): string {
  const root: Node = { kind: 'dir', sha: base ?? null, children: null };
  for (const edit of edits) {
    applyEdit(store, root, edit);
  }
  return writeDir(store, root) ?? store.putTree([]).sha;
}

function applyEdit(store: ObjectStore, root: Node, edit: TreeEdit): void {
  const parts = edit.path.split('/');
  if (parts.some((p) => p === '' || p === '.' || p === '..')) {
    throw unprocessable('Invalid tree info');
  }
  if (!(TREE_MODES as readonly string[]).includes(edit.mode)) {
    throw unprocessable('Invalid tree info');
  }
  const hasContent = edit.content !== undefined;
  const hasSha = edit.sha !== undefined;
  if (hasContent === hasSha && !(edit.sha === null && !hasContent)) {
    throw unprocessable(BOTH_OR_NEITHER);
  }
  if (edit.sha === null) {
    deletePath(store, root, parts);
    return;
  }
  setPath(store, root, parts, leafFor(store, edit));
}

function leafFor(store: ObjectStore, edit: TreeEdit): Node {
  const type = edit.type ?? typeForMode(edit.mode);
  if (edit.content !== undefined) {
    const blob = store.putBlob(Buffer.from(edit.content, 'utf8'));
    return { kind: 'leaf', mode: edit.mode, type: 'blob', sha: blob.sha };
  }
  const sha = (edit.sha as string).toLowerCase();
  // A submodule entry names a commit of another repository, which is never checked.
  if (type !== 'commit' && !store.has(sha, type)) {
    throw unprocessable(`tree.sha ${sha} is not a valid ${type}`);
  }
  if (type === 'tree') {
    return { kind: 'dir', sha, children: null };
  }
  return { kind: 'leaf', mode: edit.mode, type, sha };
}

function typeForMode(mode: string): ObjectType {
  if (mode === '040000') {
    return 'tree';
  }
  return mode === '160000' ? 'commit' : 'blob';
}

function childrenOf(store: ObjectStore, dir: Node & { kind: 'dir' }): Map<string, Node> {
  if (dir.children !== null) {
    return dir.children;
  }
  const children = new Map<string, Node>();
  const tree = dir.sha === null ? undefined : store.tree(dir.sha);
  for (const e of tree?.entries ?? []) {
    children.set(
      e.name,
      e.type === 'tree'
        ? { kind: 'dir', sha: e.sha, children: null }
        : { kind: 'leaf', mode: e.mode, type: e.type, sha: e.sha },
    );
  }
  dir.children = children;
  return children;
}

function setPath(store: ObjectStore, root: Node, parts: string[], leaf: Node): void {
  let dir = root as Node & { kind: 'dir' };
  for (const name of parts.slice(0, -1)) {
    const children = childrenOf(store, dir);
    let next = children.get(name);
    if (next === undefined || next.kind === 'leaf') {
      next = { kind: 'dir', sha: null, children: new Map() };
      children.set(name, next);
    }
    dir = next;
  }
  childrenOf(store, dir).set(parts[parts.length - 1] as string, leaf);
}

function deletePath(store: ObjectStore, root: Node, parts: string[]): void {
  let dir = root as Node & { kind: 'dir' };
  for (const name of parts.slice(0, -1)) {
    const next = childrenOf(store, dir).get(name);
    if (next === undefined || next.kind === 'leaf') {
      throw unprocessable('GitRPC::BadObjectState');
    }
    dir = next;
  }
  const last = parts[parts.length - 1] as string;
  if (!childrenOf(store, dir).delete(last)) {
    throw unprocessable('GitRPC::BadObjectState');
  }
}

/** Write a directory bottom-up; an emptied subdirectory disappears, as in git. */
function writeDir(store: ObjectStore, dir: Node & { kind: 'dir' }): string | null {
  if (dir.children === null) {
    return dir.sha;
  }
  const entries: TreeEntry[] = [];
  for (const [name, node] of dir.children) {
    if (node.kind === 'leaf') {
      entries.push({ name, mode: node.mode, type: node.type, sha: node.sha });
      continue;
    }
    const sha = writeDir(store, node);
    if (sha !== null) {
      entries.push({ name, mode: '040000', type: 'tree', sha });
    }
  }
  return entries.length === 0 ? null : store.putTree(entries).sha;
}
