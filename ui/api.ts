// The one fetch helper: JSON in, JSON out, errors as ApiError.
import type { ApiError } from '../protocol/errors.ts';

export type ApiResult<T> = { ok: true; status: number; data: T } | { ok: false; status: number; error: ApiError };

/**
 * `headers` carry what some requests need besides the cookie: a pairing secret, a device token.
 * `timeoutMs` gives up on a server that does not answer (reported like an unreachable one).
 */
export async function api<T>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}, timeoutMs?: number): Promise<ApiResult<T>> {
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      credentials: 'same-origin',
      headers: body === undefined ? headers : { ...headers, 'content-type': 'application/json' },
      body: body === undefined ? null : JSON.stringify(body),
      signal: timeoutMs ? AbortSignal.timeout(timeoutMs) : null,
    });
  } catch {
    return { ok: false, status: 0, error: { code: 'unavailable', message: { id: 'Tidak dapat terhubung ke server.', en: 'Cannot reach the server.' } } };
  }
  const data = res.status === 204 ? null : await res.json().catch(() => null);
  if (res.ok) return { ok: true, status: res.status, data: data as T };
  const error = (data as { error?: ApiError } | null)?.error ?? { code: 'internal', message: { id: 'Kesalahan server.', en: 'Server error.' } };
  return { ok: false, status: res.status, error: error as ApiError };
}

export function newKey(prefix: string): string {
  const rnd = crypto.getRandomValues(new Uint32Array(2));
  return `${prefix}-${Date.now().toString(36)}-${rnd[0]!.toString(36)}${rnd[1]!.toString(36)}`;
}

export function officeFromUrl(fallback = 'kupang'): string {
  return new URLSearchParams(location.search).get('office') ?? fallback;
}
