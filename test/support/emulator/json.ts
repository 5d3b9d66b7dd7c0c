import type { Actor, LabelRecord, Repository, World } from './model.js';
import { HTML_BASE } from './model.js';

/** GitHub's node ids are opaque base64 strings; these are opaque and stable too. */
export function nodeId(kind: string, id: number | string): string {
  return Buffer.from(`${kind}:${id}`, 'utf8').toString('base64').replace(/=+$/, '');
}

export function iso(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export function isoOrNull(d: Date | null): string | null {
  return d === null ? null : iso(d);
}

export function userJson(world: World, actor: Actor): Record<string, unknown> {
  const htmlPath =
    actor.type === 'Bot' ? `apps/${actor.login.replace(/\[bot\]$/, '')}` : actor.login;
  return {
    login: actor.login,
    id: actor.id,
    node_id: nodeId(actor.type, actor.id),
    avatar_url: `https://avatars.githubusercontent.com/u/${actor.id}?v=4`,
    url: `${world.baseUrl}/users/${encodeURIComponent(actor.login)}`,
    html_url: `${HTML_BASE}/${htmlPath}`,
    type: actor.type,
    site_admin: false,
  };
}

export function ownerJson(world: World, repo: Repository): Record<string, unknown> {
  return {
    login: repo.owner,
    id: repo.id + 1,
    node_id: nodeId('Organization', repo.owner),
    url: `${world.baseUrl}/users/${repo.owner}`,
    html_url: `${HTML_BASE}/${repo.owner}`,
    type: 'Organization',
    site_admin: false,
  };
}

export function repoJson(world: World, repo: Repository): Record<string, unknown> {
  return {
    id: repo.id,
    node_id: nodeId('Repository', repo.id),
    name: repo.name,
    full_name: repo.fullName,
    private: true,
    visibility: 'private',
    owner: ownerJson(world, repo),
    html_url: `${HTML_BASE}/${repo.fullName}`,
    url: world.repoUrl(repo),
    default_branch: repo.defaultBranch,
    archived: false,
    disabled: false,
    has_issues: true,
    fork: false,
    size: repo.isEmpty ? 0 : 1,
  };
}

export function labelJson(
  world: World,
  repo: Repository,
  label: LabelRecord,
): Record<string, unknown> {
  return {
    id: label.id,
    node_id: nodeId('Label', label.id),
    url: `${world.repoUrl(repo)}/labels/${encodeURIComponent(label.name)}`,
    name: label.name,
    color: label.color,
    default: false,
    description: label.description,
  };
}
