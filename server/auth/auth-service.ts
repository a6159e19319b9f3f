// Staff sessions (httpOnly cookie, stored hashed so a copied sessions.json
// cannot be replayed), login throttling, and device pairing.
import type { DeviceKind } from '../../protocol/model.ts';
import type { DeviceRecord, Store, UserRecord } from '../store/types.ts';
import { dummyHash, verifyPassword } from './passwords.ts';
import { LOOPBACK_DEVICE, type Principal } from './permissions.ts';
import { RateLimiter } from './rate-limit.ts';
import { pairingCode, randomToken, sha256 } from './tokens.ts';

export const SESSION_COOKIE = 'giliran_session';

export interface AuthSettings {
  trustLoopbackDevices: boolean;
  sessionHours: number;
  /** Failed logins allowed per username+address, and per address, in 15 minutes. */
  loginAttempts: number;
}

export interface RequestIdentity {
  cookieHeader?: string | undefined;
  authorization?: string | undefined;
  deviceToken?: string | undefined;
  remoteAddress?: string | undefined;
}

interface PairRequest {
  id: string;
  code: string;
  secretHash: string;
  kind: DeviceKind;
  name: string;
  expiresAt: number;
  approved: { device: DeviceRecord; token: string } | null;
}

const PAIR_TTL_MS = 15 * 60_000;

export function isLoopback(address: string | undefined): boolean {
  if (!address) return false;
  const a = address.startsWith('::ffff:') ? address.slice(7) : address;
  return a === '::1' || a.startsWith('127.');
}

export function parseCookies(header: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!header) return out;
  for (const part of header.split(';')) {
    const i = part.indexOf('=');
    if (i < 0) continue;
    const k = part.slice(0, i).trim();
    const v = part.slice(i + 1).trim();
    try {
      out[k] = decodeURIComponent(v);
    } catch {
      out[k] = v;
    }
  }
  return out;
}

export class AuthService {
  readonly loginByUser: RateLimiter;
  readonly loginByAddress: RateLimiter;
  #pairs = new Map<string, PairRequest>();
  #onRevoke: Array<(r: { sessionHash?: string; deviceId?: string }) => void> = [];

  constructor(
    private readonly store: Store,
    readonly settings: AuthSettings,
    private readonly now: () => Date = () => new Date(),
  ) {
    const nowMs = () => this.now().getTime();
    this.loginByUser = new RateLimiter(settings.loginAttempts, 15 * 60_000, nowMs);
    this.loginByAddress = new RateLimiter(settings.loginAttempts * 4, 15 * 60_000, nowMs);
  }

  /** Checks a password. Returns the session cookie value, 'rate_limited' or 'invalid_credentials'. */
  async login(username: string, password: string, address: string): Promise<{ token: string; user: UserRecord; expiresAt: Date } | 'rate_limited' | 'invalid_credentials'> {
    const userKey = `${username.toLowerCase()}|${address}`;
    if (this.loginByUser.isBlocked(userKey) || this.loginByAddress.isBlocked(address)) return 'rate_limited';
    const user = this.store.config.get().users.find((u) => u.username.toLowerCase() === username.toLowerCase() && !u.disabled);
    const ok = await verifyPassword(password, user?.passwordHash ?? (await dummyHash()));
    if (!ok || !user) {
      this.loginByUser.hit(userKey);
      this.loginByAddress.hit(address);
      return 'invalid_credentials';
    }
    this.loginByUser.reset(userKey);
    const token = randomToken();
    const created = this.now();
    const expiresAt = new Date(created.getTime() + this.settings.sessionHours * 3_600_000);
    await this.store.sessions.put({ idHash: sha256(token), userId: user.id, createdAt: created.toISOString(), expiresAt: expiresAt.toISOString() });
    return { token, user, expiresAt };
  }

  async logout(sessionHash: string): Promise<void> {
    await this.store.sessions.delete(sessionHash);
    for (const cb of this.#onRevoke) cb({ sessionHash });
  }

  /** Called when a session ends or a device is revoked, so open sockets can be cut off. */
  onRevoke(cb: (r: { sessionHash?: string; deviceId?: string }) => void): void {
    this.#onRevoke.push(cb);
  }

  /** Whether a principal identified earlier (a socket's, at connect) still holds: session alive, user enabled, device paired. */
  isStillValid(p: Principal): boolean {
    if (p.kind === 'device') return p.loopback ? this.settings.trustLoopbackDevices : this.store.config.get().devices.some((d) => d.id === p.device.id);
    const s = this.store.sessions.get(p.sessionHash);
    return !!s && s.expiresAt > this.now().toISOString() && this.store.config.get().users.some((u) => u.id === p.user.id && !u.disabled);
  }

  /** Who is asking: a signed-in user, a paired device, a loopback demo screen, or nobody. */
  identify(req: RequestIdentity, opts: { allowLoopbackDevice: boolean }): Principal | null {
    // A token the screen presents on purpose wins over a staff cookie in the same browser.
    const bearer = req.authorization?.startsWith('Bearer ') ? req.authorization.slice(7).trim() : undefined;
    const deviceToken = req.deviceToken ?? bearer;
    if (deviceToken) {
      const hash = sha256(deviceToken);
      const device = this.store.config.get().devices.find((d) => d.tokenHash === hash);
      if (device) return { kind: 'device', device, loopback: false };
    }
    const cookie = parseCookies(req.cookieHeader)[SESSION_COOKIE];
    if (cookie) {
      const idHash = sha256(cookie);
      const s = this.store.sessions.get(idHash);
      if (s && s.expiresAt > this.now().toISOString()) {
        const user = this.store.config.get().users.find((u) => u.id === s.userId && !u.disabled);
        if (user) return { kind: 'user', user, sessionHash: idHash };
      }
    }
    if (opts.allowLoopbackDevice && this.settings.trustLoopbackDevices && isLoopback(req.remoteAddress)) {
      return { kind: 'device', device: LOOPBACK_DEVICE, loopback: true };
    }
    return null;
  }

  /** An unpaired screen asks to be paired: it shows `code`, keeps `secret` to collect its token. */
  startPairing(kind: DeviceKind, name: string | undefined): { requestId: string; code: string; secret: string; expiresAt: string } {
    const t = this.now().getTime();
    for (const [k, p] of this.#pairs) if (p.expiresAt <= t) this.#pairs.delete(k);
    let code = pairingCode();
    const inUse = new Set([...this.#pairs.values()].map((p) => p.code));
    while (inUse.has(code)) code = pairingCode();
    const secret = randomToken(24);
    const req: PairRequest = {
      id: randomToken(12),
      code,
      secretHash: sha256(secret),
      kind,
      name: name ?? `${kind} ${code}`,
      expiresAt: t + PAIR_TTL_MS,
      approved: null,
    };
    this.#pairs.set(req.id, req);
    return { requestId: req.id, code, secret, expiresAt: new Date(req.expiresAt).toISOString() };
  }

  /** The screen polls; once approved it receives its token exactly once. */
  pairingStatus(requestId: string, secret: string): { status: 'pending' } | { status: 'approved'; token: string; device: DeviceRecord } | null {
    const req = this.#pairs.get(requestId);
    if (!req || req.expiresAt <= this.now().getTime() || req.secretHash !== sha256(secret)) return null;
    if (!req.approved) return { status: 'pending' };
    this.#pairs.delete(requestId);
    return { status: 'approved', token: req.approved.token, device: req.approved.device };
  }

  pendingPairings(): Array<{ code: string; kind: DeviceKind; name: string; expiresAt: string }> {
    const t = this.now().getTime();
    return [...this.#pairs.values()]
      .filter((p) => !p.approved && p.expiresAt > t)
      .map((p) => ({ code: p.code, kind: p.kind, name: p.name, expiresAt: new Date(p.expiresAt).toISOString() }));
  }

  /** An admin approves the code shown on the screen; the device record is on disk before this resolves. */
  async approvePairing(code: string, officeId: string, name: string | undefined, approvedBy: string): Promise<DeviceRecord | null> {
    const t = this.now().getTime();
    const req = [...this.#pairs.values()].find((p) => p.code === code && !p.approved && p.expiresAt > t);
    if (!req) return null;
    const token = randomToken();
    const device: DeviceRecord = {
      id: `dev-${randomToken(9)}`,
      kind: req.kind,
      officeId,
      name: name ?? req.name,
      tokenHash: sha256(token),
      createdAt: this.now().toISOString(),
      approvedBy,
    };
    await this.store.config.update((d) => {
      d.devices.push(device);
    });
    req.approved = { device, token };
    return device;
  }

  async revokeDevice(id: string): Promise<boolean> {
    if (!this.store.config.get().devices.some((d) => d.id === id)) return false;
    await this.store.config.update((d) => {
      d.devices = d.devices.filter((x) => x.id !== id);
    });
    for (const cb of this.#onRevoke) cb({ deviceId: id });
    return true;
  }
}
