// This kiosk's pairing: the device token kept in localStorage, asking for a
// pairing code, collecting the token, and the few requests that must carry it.
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


export function pollPairing(req: PairingRequest): Promise<ApiResult<PairingStatus>> {
  return api<PairingStatus>('GET', `/api/v1/devices/pairing/${encodeURIComponent(req.requestId)}`, undefined, { 'x-pairing-secret': req.secret });
}

/** A POST as this kiosk: with its device token when paired (a loopback demo kiosk needs none). */
export function postAsKiosk<T>(path: string, body: unknown): Promise<ApiResult<T>> {
  const device = storedDevice();
  return api<T>('POST', path, body, device ? { authorization: `Bearer ${device.token}` } : {});
}
