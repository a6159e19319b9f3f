// This kiosk's pairing: the device token kept in localStorage, asking for a
// pairing code, collecting the token, and the few requests that must carry it.
import type { ApiError } from '../protocol/errors.ts';
import { api, type ApiResult } from '../ui/api.ts';

const TOKEN_KEY = 'giliran.kiosk.deviceToken';
const OFFICE_KEY = 'giliran.kiosk.office';

export interface StoredDevice {
  token: string;
  office: string | null;
}

export function storedDevice(): StoredDevice | null {
  try {
    const token = localStorage.getItem(TOKEN_KEY);
    return token ? { token, office: localStorage.getItem(OFFICE_KEY) } : null;
  } catch {
    return null;
  }
}

export function saveDevice(token: string, office: string): void {
  localStorage.setItem(TOKEN_KEY, token);
  localStorage.setItem(OFFICE_KEY, office);
}

export function forgetDevice(): void {
  localStorage.removeItem(TOKEN_KEY);
  localStorage.removeItem(OFFICE_KEY);
}

export interface PairingRequest {
  requestId: string;
  code: string;
  secret: string;
  expiresAt: string;
}

export type PairingStatus = { status: 'pending' } | { status: 'approved'; token: string; device: { id: string; officeId: string } };

export function requestPairing(): Promise<ApiResult<PairingRequest>> {
  return api<PairingRequest>('POST', '/api/v1/devices/pairing', { kind: 'kiosk' });
}

/**
 * ui/api.ts takes no extra headers; these two requests need one (the pairing
 * secret, the device token), so they go through this thin twin of it.
 */
async function withHeaders<T>(method: string, path: string, headers: Record<string, string>, body?: unknown): Promise<ApiResult<T>> {
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      credentials: 'same-origin',
      headers: body === undefined ? headers : { ...headers, 'content-type': 'application/json' },
      body: body === undefined ? null : JSON.stringify(body),
    });
  } catch {
    return { ok: false, status: 0, error: { code: 'unavailable', message: { id: 'Tidak dapat terhubung ke server.', en: 'Cannot reach the server.' } } };
  }
  const data = (await res.json().catch(() => null)) as unknown;
  if (res.ok) return { ok: true, status: res.status, data: data as T };
  const error = (data as { error?: ApiError } | null)?.error ?? { code: 'internal', message: { id: 'Kesalahan server.', en: 'Server error.' } };
  return { ok: false, status: res.status, error: error as ApiError };
}

export function pollPairing(req: PairingRequest): Promise<ApiResult<PairingStatus>> {
  return withHeaders<PairingStatus>('GET', `/api/v1/devices/pairing/${encodeURIComponent(req.requestId)}`, { 'x-pairing-secret': req.secret });
}

/** A POST as this kiosk: with its device token when paired (a loopback demo kiosk needs none). */
export function postAsKiosk<T>(path: string, body: unknown): Promise<ApiResult<T>> {
  const device = storedDevice();
  return withHeaders<T>('POST', path, device ? { authorization: `Bearer ${device.token}` } : {}, body);
}
