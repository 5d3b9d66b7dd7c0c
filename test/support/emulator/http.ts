import { STATUS_CODES } from 'node:http';

/** What a route handler answers; the pipeline adds GitHub's common headers. */
export interface Answer {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

/** One entry of GitHub's `errors` array on a 422 "Validation Failed". */
export interface FieldError {
  resource?: string;
  field?: string;
  code: string;
  message?: string;
  value?: unknown;
}

/**
 * A failure answered the way GitHub answers it: `{message, errors?, documentation_url,
 * status}`. The pipeline fills in documentation_url from the route that threw it.
 */
export class ApiError extends Error {
  override name = 'ApiError';

  constructor(
    readonly status: number,
    message: string,
    readonly errors?: FieldError[],
    readonly headers?: Record<string, string>,
  ) {
    super(message);
  }
}

export const notFound = (): ApiError => new ApiError(404, 'Not Found');

export const validationFailed = (...errors: FieldError[]): ApiError =>
  new ApiError(422, 'Validation Failed', errors);

export const unprocessable = (message: string): ApiError => new ApiError(422, message);

/** GitHub's error body. Since 2024 it repeats the status as a string. */
export function errorBody(
  status: number,
  message: string,
  documentationUrl: string,
  errors?: FieldError[],
): Record<string, unknown> {
  return {
    message,
    ...(errors === undefined ? {} : { errors }),
    documentation_url: documentationUrl,
    status: String(status),
  };
}

/** The message GitHub-like servers give a bare status (used by injected faults). */
export function statusMessage(status: number): string {
  if (status === 500) {
    return 'Server Error';
  }
  return STATUS_CODES[status] ?? 'Error';
}

/** A JSON object body, or an empty one; anything else is GitHub's "Problems parsing JSON". */
export function parseJsonBody(raw: string): unknown {
  if (raw.trim() === '') {
    return {};
  }
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    throw new ApiError(400, 'Problems parsing JSON');
  }
}

/** Read a field of a request body that must be an object. */
export function bodyObject(body: unknown): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new ApiError(400, 'Problems parsing JSON');
  }
  return body as Record<string, unknown>;
}

export function optionalString(
  body: Record<string, unknown>,
  field: string,
  resource: string,
): string | undefined {
  const value = body[field];
  if (value === undefined || value === null) {
    return undefined;
  }
  if (typeof value !== 'string') {
    throw invalidField(resource, field, value);
  }
  return value;
}

export function requiredString(
  body: Record<string, unknown>,
  field: string,
  resource: string,
): string {
  const value = optionalString(body, field, resource);
  if (value === undefined) {
    throw validationFailed({ resource, field, code: 'missing_field' });
  }
  return value;
}

/**
 * GitHub rejects a wrongly typed field before looking at the request; its message names
 * the field and the JSON schema rule, which is more than callers need here.
 */
export function invalidField(resource: string, field: string, value: unknown): ApiError {
  return validationFailed({ resource, field, code: 'invalid', value });
}

export interface Page<T> {
  items: T[];
  link?: string;
}

/**
 * Cut one page out of `all` the way GitHub's list endpoints do (per_page at most 100,
 * default 30, pages from 1), with a `Link` header naming prev/next/last/first.
 */
export function paginate<T>(all: T[], query: URLSearchParams, selfUrl: URL): Page<T> {
  const perPage = clampInt(query.get('per_page'), 30, 1, 100);
  const page = clampInt(query.get('page'), 1, 1, Number.MAX_SAFE_INTEGER);
  const lastPage = Math.max(1, Math.ceil(all.length / perPage));
  const items = all.slice((page - 1) * perPage, page * perPage);
  const link = linkHeader(selfUrl, page, lastPage);
  return link === undefined ? { items } : { items, link };
}

function clampInt(raw: string | null, fallback: number, min: number, max: number): number {
  const n = raw === null ? NaN : Number.parseInt(raw, 10);
  if (!Number.isFinite(n)) {
    return fallback;
  }
  return Math.min(max, Math.max(min, n));
}

function linkHeader(selfUrl: URL, page: number, lastPage: number): string | undefined {
  const rels: string[] = [];
  const at = (n: number, rel: string): void => {
    const url = new URL(selfUrl);
    url.searchParams.set('page', String(n));
    rels.push(`<${url.toString()}>; rel="${rel}"`);
  };
  if (page > 1) {
    at(Math.min(page - 1, lastPage), 'prev');
  }
  if (page < lastPage) {
    at(page + 1, 'next');
    at(lastPage, 'last');
  }
  if (page > 1) {
    at(1, 'first');
  }
  return rels.length === 0 ? undefined : rels.join(', ');
}
