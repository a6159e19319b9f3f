// Staff sessions (httpOnly cookie, stored hashed so a copied sessions.json
// cannot be replayed), login throttling, and device pairing.
import { parse as parseCookieHeader } from 'cookie';
import { PASSWORD_MIN_LENGTH } from '../../protocol/admin-ops.ts';
import type { DeviceKind } from '../../protocol/model.ts';
import type { DeviceRecord, Store, UserRecord } from '../store/types.ts';
import { RefusalAudit } from './audit.ts';
import { HostPolicy } from './hosts.ts';
import { LoginThrottle } from './login-throttle.ts';
import { BusyError, DEFAULT_PASSWORD_COST, PasswordHasher } from './passwords.ts';
import { LOOPBACK_DEVICE, type Principal } from './permissions.ts';
import { generatedPassword, pairingCode, randomToken, sha256 } from './tokens.ts';

export const SESSION_COOKIE = 'giliran_session';

export interface AuthSettings {
  trustLoopbackDevices: boolean;
  sessionHours: number;
  /** Sign-in attempts per username+address in 15 minutes (×4 per address; ×2 per account before the delay). */
  loginAttempts: number;
  /** log2 of scrypt's N for new hashes (17 = OWASP's minimum; tests pass less). */
  passwordCost?: number;
  /** Host names this server answers to besides localhost and its own addresses ("*": any). */
  allowedHosts?: readonly string[];
  publicUrl?: string | undefined;
}

export type LoginResult =
  | { ok: true; token: string; user: UserRecord; expiresAt: Date }
  | { ok: false; error: 'invalid_credentials' }
  | { ok: false; error: 'rate_limited'; retryAfterMs: number };

export interface RequestIdentity {
  cookieHeader?: string | undefined;
  authorization?: string | undefined;
  deviceToken?: string | undefined;
  remoteAddress?: string | undefined;
  /** The Host header: loopback trust needs it to name this server (DNS rebinding). */
  host?: string | undefined;
}

interface PairRequest {
  id: string;
  code: string;
  secretHash: string;
  kind: DeviceKind;
  name: string;
  address: string;
  expiresAt: number;
  approved: { device: DeviceRecord; token: string } | null;
}

const PAIR_TTL_MS = 15 * 60_000;
/**
 * Pending pairing requests per requesting address (a new one beyond it replaces that address's
 * oldest: a screen reloaded again and again keeps working), and in all (beyond it: refused).
 * Codes are six digits: the total stays far below 10^6.
 */
export const PAIR_PENDING_PER_ADDRESS = 5;
export const PAIR_PENDING_TOTAL = 1000;

export function isLoopback(address: string | undefined): boolean {
  if (!address) return false;
  const a = address.startsWith('::ffff:') ? address.slice(7) : address;
  return a === '::1' || a.startsWith('127.');
}

/** A password a person chose: long enough, and not the username. */
export function acceptablePassword(password: string, username: string): boolean {
  return password.length >= PASSWORD_MIN_LENGTH && password.trim().toLowerCase() !== username.trim().toLowerCase();
}

export function parseCookies(header: string | undefined): Record<string, string | undefined> {
  return header ? parseCookieHeader(header) : {};
}

export class AuthService {
  readonly throttle: LoginThrottle;
  readonly hasher: PasswordHasher;
  readonly hosts: HostPolicy;
  /** Refused sign-ins in the audit log: the first ones, then a summary per window. */
  readonly refusals: RefusalAudit;
  /** By id, in order of creation (so of expiry); and the unapproved ones by code. */
  #pairs = new Map<string, PairRequest>();
  #pairsByCode = new Map<string, PairRequest>();
  #pairsByAddress = new Map<string, PairRequest[]>();
  #onRevoke: Array<(r: { sessionHash?: string; deviceId?: string }) => void> = [];

  constructor(
    private readonly store: Store,
    readonly settings: AuthSettings,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.throttle = new LoginThrottle(settings.loginAttempts, () => this.now().getTime());
    this.hasher = new PasswordHasher(settings.passwordCost ?? DEFAULT_PASSWORD_COST);
    this.hosts = new HostPolicy(settings.allowedHosts, settings.publicUrl);
    this.refusals = new RefusalAudit(store.audit, now);
  }

  /** Checks a password; the attempt is counted before the hash runs, so parallel guesses cannot outrun the limits. */
  async login(username: string, password: string, address: string, signal?: AbortSignal): Promise<LoginResult> {
    const admitted = this.throttle.admit(username, address);
    if (!admitted.ok) return { ok: false, error: 'rate_limited', retryAfterMs: admitted.retryAfterMs };
    const user = this.store.config.get().users.find((u) => u.username.toLowerCase() === username.toLowerCase() && !u.disabled);
    let check: { ok: boolean; rehash: boolean };
    try {
      check = await this.hasher.verify(password, user?.passwordHash ?? null, signal);
    } catch (err) {
      // A full hash queue, or a client that left before its turn: nothing was checked.
      if (err instanceof BusyError || signal?.aborted) return { ok: false, error: 'rate_limited', retryAfterMs: 1000 };
      throw err;
    }
    if (!check.ok || !user) return { ok: false, error: 'invalid_credentials' };
    this.throttle.succeeded(username, address);
    if (check.rehash) await this.#rehash(user, password);
    const token = randomToken();
    const created = this.now();
    const expiresAt = new Date(created.getTime() + this.settings.sessionHours * 3_600_000);
    await this.store.sessions.put({ idHash: sha256(token), userId: user.id, createdAt: created.toISOString(), expiresAt: expiresAt.toISOString() });
    return { ok: true, token, user, expiresAt };
  }

  /** Stores a hash at today's cost for a password that was just verified against an older one. */
  async #rehash(user: UserRecord, password: string): Promise<void> {
    try {
      const fresh = await this.hasher.hash(password);
      await this.store.config.update((d) => {
        const u = d.users.find((x) => x.id === user.id);
        if (u && u.passwordHash === user.passwordHash) u.passwordHash = fresh; // unless changed meanwhile
      });
    } catch {
      // Not stored: the next sign-in tries again; the old hash still works.
    }
  }

  /** Writes the pending refusal summary and ends the hashing threads (before the store closes). */
  async close(): Promise<void> {
    await this.refusals.flush();
    await this.hasher.close();
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
    let cookie: string | undefined;
    try {
      cookie = parseCookies(req.cookieHeader)[SESSION_COOKIE];
    } catch {
      cookie = undefined; // a malformed Cookie header is no session
    }
    if (cookie) {
      const idHash = sha256(cookie);
      const s = this.store.sessions.get(idHash);
      if (s && s.expiresAt > this.now().toISOString()) {
        const user = this.store.config.get().users.find((u) => u.id === s.userId && !u.disabled);
        if (user) return { kind: 'user', user, sessionHash: idHash };
      }
    }
    if (opts.allowLoopbackDevice && this.settings.trustLoopbackDevices && isLoopback(req.remoteAddress) && this.hosts.allows(req.host)) {
      return { kind: 'device', device: LOOPBACK_DEVICE, loopback: true };
    }
    return null;
  }

  /** An unpaired screen asks to be paired: it shows `code`, keeps `secret` to collect its token. Null when the caps are reached. */
  startPairing(kind: DeviceKind, name: string | undefined, address = '?'): { requestId: string; code: string; secret: string; expiresAt: string } | null {
    const t = this.now().getTime();
    this.#expirePairs(t);
    const mine = this.#pairsByAddress.get(address) ?? [];
    if (mine.length >= PAIR_PENDING_PER_ADDRESS) {
      const oldest = mine.find((p) => !p.approved);
      if (!oldest) return null;
      this.#dropPair(oldest);
    }
    if (this.#pairs.size >= PAIR_PENDING_TOTAL) return null;
    // At most 1,000 of 10^6 codes are taken: a free one is found in one draw almost always, in 8 all but never.
    let code: string | null = null;
    for (let i = 0; i < 8 && code === null; i++) {
      const c = pairingCode();
      if (!this.#pairsByCode.has(c)) code = c;
    }
    if (code === null) return null;
    const secret = randomToken(24);
    const req: PairRequest = {
      id: randomToken(12),
      code,
      secretHash: sha256(secret),
      kind,
      name: name ?? `${kind} ${code}`,
      address,
      expiresAt: t + PAIR_TTL_MS,
      approved: null,
    };
    this.#pairs.set(req.id, req);
    this.#pairsByCode.set(code, req);
    this.#pairsByAddress.set(address, [...(this.#pairsByAddress.get(address) ?? []), req]);
    return { requestId: req.id, code, secret, expiresAt: new Date(req.expiresAt).toISOString() };
  }

  #dropPair(req: PairRequest): void {
    this.#pairs.delete(req.id);
    if (this.#pairsByCode.get(req.code) === req) this.#pairsByCode.delete(req.code);
    const rest = (this.#pairsByAddress.get(req.address) ?? []).filter((p) => p !== req);
    if (rest.length) this.#pairsByAddress.set(req.address, rest);
    else this.#pairsByAddress.delete(req.address);
  }

  /** Every request lives PAIR_TTL_MS, so the oldest come first: stops at the first still alive. */
  #expirePairs(t: number): void {
    for (const req of this.#pairs.values()) {
      if (req.expiresAt > t) break;
      this.#dropPair(req);
    }
  }

  /** The screen polls; once approved it receives its token exactly once. */
  pairingStatus(requestId: string, secret: string): { status: 'pending' } | { status: 'approved'; token: string; device: DeviceRecord } | null {
    const req = this.#pairs.get(requestId);
    if (!req || req.expiresAt <= this.now().getTime() || req.secretHash !== sha256(secret)) return null;
    if (!req.approved) return { status: 'pending' };
    this.#dropPair(req);
    return { status: 'approved', token: req.approved.token, device: req.approved.device };
  }

  pendingPairings(): Array<{ code: string; kind: DeviceKind; name: string; expiresAt: string }> {
    const t = this.now().getTime();
    this.#expirePairs(t);
    return [...this.#pairsByCode.values()]
      .filter((p) => !p.approved && p.expiresAt > t)
      .map((p) => ({ code: p.code, kind: p.kind, name: p.name, expiresAt: new Date(p.expiresAt).toISOString() }));
  }

  /** An admin approves the code shown on the screen; the device record is on disk before this resolves. */
  async approvePairing(code: string, officeId: string, name: string | undefined, approvedBy: string): Promise<DeviceRecord | null> {
    const t = this.now().getTime();
    const req = this.#pairsByCode.get(code);
    if (!req || req.approved || req.expiresAt <= t) return null;
    // Taken off the codes at once: a second approval racing this one finds nothing. The request waits for its collection.
    this.#pairsByCode.delete(code);
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

  /** Refuses a pairing request: the screen's next poll finds nothing (pairing_not_found). */
  rejectPairing(code: string): boolean {
    const req = this.#pairsByCode.get(code);
    if (!req || req.approved || req.expiresAt <= this.now().getTime()) return false;
    this.#dropPair(req);
    return true;
  }

  /** Pending requests with where they came from and when (the admin console's list). */
  pendingRequests(): Array<{ code: string; kind: DeviceKind; name: string; requestedAt: string; address: string }> {
    const t = this.now().getTime();
    this.#expirePairs(t);
    return [...this.#pairsByCode.values()]
      .filter((p) => !p.approved && p.expiresAt > t)
      .map((p) => ({ code: p.code, kind: p.kind, name: p.name, requestedAt: new Date(p.expiresAt - PAIR_TTL_MS).toISOString(), address: p.address.replace(/^::ffff:/, '') }));
  }

  // ------------------------------------------------------------ staff accounts

  /** Ends every session of a user at once (disabled, demoted, password reset): their open sockets are cut too. */
  async endSessionsOf(userId: string, keep?: string): Promise<void> {
    const ended = await this.store.sessions.deleteForUser(userId, keep);
    for (const sessionHash of ended) for (const cb of this.#onRevoke) cb({ sessionHash });
  }

  /** A new staff account with a generated password, which it must change at its first sign-in. The password is returned once. */
  async createUser(fields: Pick<UserRecord, 'username' | 'name' | 'role' | 'offices'>): Promise<{ user: UserRecord; password: string } | 'username_taken'> {
    const taken = (users: UserRecord[]) => users.some((u) => u.username.toLowerCase() === fields.username.toLowerCase());
    if (taken(this.store.config.get().users)) return 'username_taken';
    const password = generatedPassword();
    const user: UserRecord = { id: `u-${randomToken(9)}`, ...fields, passwordHash: await this.hasher.hash(password), mustChangePassword: true };
    let clash = false;
    await this.store.config.update((d) => {
      clash = taken(d.users); // a second create of the same name while this one hashed
      if (!clash) d.users.push(user);
    });
    return clash ? 'username_taken' : { user, password };
  }

  /** A new generated password for an account (shown once); its sessions end and it must change the password at sign-in. */
  async resetPassword(userId: string): Promise<string | null> {
    const password = generatedPassword();
    const hash = await this.hasher.hash(password);
    let found = false;
    await this.store.config.update((d) => {
      const u = d.users.find((x) => x.id === userId);
      if (!u) return;
      found = true;
      u.passwordHash = hash;
      u.mustChangePassword = true;
    });
    if (!found) return null;
    await this.endSessionsOf(userId);
    return password;
  }

  /**
   * The signed-in user changes their own password. The current one is checked
   * (counted by the sign-in throttle like a sign-in); the other sessions end.
   */
  async changePassword(
    p: { user: UserRecord; sessionHash: string },
    current: string,
    next: string,
    address: string,
  ): Promise<{ ok: true } | { ok: false; error: 'wrong_password' | 'weak_password' | 'rate_limited'; retryAfterMs?: number }> {
    const admitted = this.throttle.admit(p.user.username, address);
    if (!admitted.ok) return { ok: false, error: 'rate_limited', retryAfterMs: admitted.retryAfterMs };
    const user = this.store.config.get().users.find((u) => u.id === p.user.id);
    if (!user) return { ok: false, error: 'wrong_password' };
    let check: { ok: boolean };
    try {
      check = await this.hasher.verify(current, user.passwordHash);
    } catch (err) {
      if (err instanceof BusyError) return { ok: false, error: 'rate_limited', retryAfterMs: 1000 };
      throw err;
    }
    if (!check.ok) return { ok: false, error: 'wrong_password' };
    this.throttle.succeeded(p.user.username, address);
    if (!acceptablePassword(next, user.username) || next === current) return { ok: false, error: 'weak_password' };
    const hash = await this.hasher.hash(next);
    await this.store.config.update((d) => {
      const u = d.users.find((x) => x.id === user.id);
      if (!u) return;
      u.passwordHash = hash;
      delete u.mustChangePassword;
    });
    await this.endSessionsOf(user.id, p.sessionHash);
    return { ok: true };
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
