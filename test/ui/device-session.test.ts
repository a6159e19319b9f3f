// The screens' device session (ui/device-session.ts) against a real server
// that does not trust this machine: no token → a pairing code; approved → the
// token is kept and the socket opens with it; revoked → the server says
// goodbye, the session reconnects, is refused and asks for a new code.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiError } from '../../protocol/errors.ts';
import type { QueueSnapshot } from '../../protocol/model.ts';
import { deviceSession, type PairingRequest } from '../../ui/device-session.ts';
import { login, request, startServer, type TestServer } from '../helpers/server.ts';
import { until } from '../helpers/until.ts';

let srv: TestServer;
let admin: string;

beforeAll(async () => {
  srv = await startServer({ settings: { trustLoopbackDevices: false } });
  admin = await login(srv.url, 'admin');
});
afterAll(async () => {
  await srv?.close();
});

/** localStorage for node: a Map behind the three methods the session uses. */
function memoryStorage(): Storage & { map: Map<string, string> } {
  const map = new Map<string, string>();
  return {
    map,
    getItem: (k: string) => map.get(k) ?? null,
    setItem: (k: string, v: string) => void map.set(k, v),
    removeItem: (k: string) => void map.delete(k),
  } as Storage & { map: Map<string, string> };
}

function screen(opts: { office?: string; officeFromPairing?: boolean } = {}) {
  const storage = memoryStorage();
  const seen = { codes: [] as string[], paired: [] as string[], snapshots: [] as QueueSnapshot[], refused: [] as ApiError[], up: false };
  const session = deviceSession({
    kind: 'display',
    office: opts.office ?? 'kupang',
    officeFromPairing: opts.officeFromPairing ?? false,
    name: 'TV uji',
    base: srv.url,
    storage,
    socketOptions: { transports: ['websocket'], reconnectionDelay: 100, reconnectionDelayMax: 200 },
    onPairing: (p: PairingRequest | null) => void (p && seen.codes.push(p.code)),
    onPaired: (office) => void seen.paired.push(office),
  });
  session.start({
    onSnapshot: (s) => void seen.snapshots.push(s),
    onConnection: (up) => void (seen.up = up),
    onRefused: (e) => void seen.refused.push(e),
  });
  return { session, storage, seen };
}

async function approve(code: string, office = 'kupang'): Promise<void> {
  const r = await request(srv.url, 'POST', `/api/v1/devices/pairing/${code}/approve`, { cookie: admin, body: { office, name: `TV ${code}` } });
  expect(r.status).toBe(201);
}

describe('device session', () => {
  it('asks for a pairing code, keeps the token once approved, connects with it, and pairs again when revoked', async () => {
    const { session, storage, seen } = screen();
    try {
      await until(() => seen.codes.length === 1, 10_000);
      expect(seen.codes[0]).toMatch(/^\d{6}$/);
      expect(seen.up).toBe(false);
      expect(storage.map.size).toBe(0);
      expect(session.headers()).toEqual({});
      // "Not paired" is the session's business, not the page's.
      expect(seen.refused).toEqual([]);

      await approve(seen.codes[0]!);
      await until(() => seen.snapshots.length > 0 && seen.up, 10_000);
      expect(seen.paired).toEqual(['kupang']);
      const token = storage.map.get('giliran.display.deviceToken');
      expect(token).toBeTruthy();
      expect(session.headers()).toEqual({ authorization: `Bearer ${token}` });
      expect((await request(srv.url, 'GET', '/api/v1/devices/me', { headers: session.headers() })).status).toBe(200);

      const devices = await request(srv.url, 'GET', '/api/v1/devices', { cookie: admin });
      const id = (devices.body.devices as Array<{ id: string; name: string }>).find((d) => d.name === `TV ${seen.codes[0]}`)!.id;
      expect((await request(srv.url, 'DELETE', `/api/v1/devices/${id}`, { cookie: admin })).status).toBe(204);

      await until(() => seen.codes.length === 2, 15_000);
      expect(seen.codes[1]).not.toBe(seen.codes[0]);
      expect(seen.up).toBe(false);
      expect(storage.map.has('giliran.display.deviceToken')).toBe(false);
      expect(seen.refused).toEqual([]);
    } finally {
      session.close();
    }
  });

  it('works for the office it was paired to when the page says so (a kiosk), else for the one it was opened for (a TV)', async () => {
    const kiosk = screen({ officeFromPairing: true });
    const tv = screen({ officeFromPairing: false });
    try {
      await until(() => kiosk.seen.codes.length === 1 && tv.seen.codes.length === 1, 10_000);
      await approve(kiosk.seen.codes[0]!, 'padang-panjang');
      await approve(tv.seen.codes[0]!, 'padang-panjang');
      await until(() => kiosk.seen.snapshots.length > 0, 10_000);
      expect(kiosk.session.office).toBe('padang-panjang');
      expect(kiosk.seen.snapshots[0]!.officeId).toBe('padang-panjang');
      // The TV asks for the office its address names: the server refuses a device of another office.
      await until(() => tv.seen.refused.length > 0, 10_000);
      expect(tv.session.office).toBe('kupang');
      expect(tv.seen.snapshots).toEqual([]);
    } finally {
      kiosk.session.close();
      tv.session.close();
    }
  });
});
