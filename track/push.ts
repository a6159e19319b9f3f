// Web Push for the reminders (contract C4): permission is asked only after the
// citizen taps "Izinkan notifikasi"; the subscription goes with PUT …/notify.
import type { Bilingual } from '../protocol/model.ts';

export type PushState = 'off' | 'on' | 'denied' | 'unsupported';

export function pushSupport(): PushState {
  if (typeof Notification === 'undefined' || !('serviceWorker' in navigator) || typeof PushManager === 'undefined') return 'unsupported';
  return Notification.permission === 'denied' ? 'denied' : 'off';
}

function keyBytes(base64url: string): Uint8Array<ArrayBuffer> {
  const b = atob(base64url.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (base64url.length % 4)) % 4));
  const out = new Uint8Array(new ArrayBuffer(b.length));
  for (let i = 0; i < b.length; i++) out[i] = b.charCodeAt(i);
  return out;
}

const FAILED: Bilingual = { id: 'Notifikasi tidak dapat diaktifkan di ponsel ini.', en: 'Notifications cannot be turned on on this phone.' };

export async function subscribePush(): Promise<{ state: PushState; subscription: PushSubscriptionJSON | null; error: Bilingual | null }> {
  if (pushSupport() === 'unsupported') return { state: 'unsupported', subscription: null, error: null };
  const permission = await Notification.requestPermission();
  if (permission !== 'granted') return { state: permission === 'denied' ? 'denied' : 'off', subscription: null, error: null };
  try {
    const res = await fetch('/api/v1/push/public-key');
    if (!res.ok) return { state: 'off', subscription: null, error: FAILED };
    const { key } = (await res.json()) as { key: string };
    const reg = await navigator.serviceWorker.ready;
    const sub = (await reg.pushManager.getSubscription()) ?? (await reg.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: keyBytes(key) }));
    return { state: 'on', subscription: sub.toJSON(), error: null };
  } catch {
    return { state: 'off', subscription: null, error: FAILED };
  }
}
