// Paged collections: ?page=N (0-based) and optional ?per_page=K → {results, entries}, with an
// empty `entries` past the end (clients walk pages until they see an empty one).
import { errors } from './errors';

export const DEFAULT_PER_PAGE = 50;
export const MAX_PER_PAGE = 1000;

function nonNegativeInt(query: URLSearchParams, key: string): number | undefined {
  const raw = query.get(key);
  if (raw === null) return undefined;
  if (!/^\d+$/.test(raw)) throw errors.validation(`Invalid value of '${key}': '${raw}'.`);
  return Number(raw);
}

/** Without `page` the whole collection is returned (still wrapped in {results, entries}). */
export function paginate<T>(
  items: readonly T[],
  query: URLSearchParams,
  render: (item: T) => unknown,
): { results: number; entries: unknown[] } {
  const page = nonNegativeInt(query, 'page');
  const perPageRaw = nonNegativeInt(query, 'per_page');
  if (perPageRaw === 0) throw errors.validation("Invalid value of 'per_page': '0'.");
  if (page === undefined && perPageRaw === undefined) return { results: items.length, entries: items.map(render) };
  const perPage = Math.min(perPageRaw ?? DEFAULT_PER_PAGE, MAX_PER_PAGE);
  const start = (page ?? 0) * perPage;
  return { results: items.length, entries: items.slice(start, start + perPage).map(render) };
}
