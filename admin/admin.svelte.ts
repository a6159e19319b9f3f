// The admin console's state: who is signed in, which office, its
// configuration with one revision per section, and one editor per section
// form (draft, saving, the server's field errors, a stale-revision conflict).
// One instance (`admin`); `Editor` is tested on its own with a fake transport
// (test/ui/admin-state.test.ts).
//
// The server validates every form (the zod schemas in protocol/ are the one
// source); the page only shows what it answered, next to each field.
import type { ApiError } from '../protocol/errors.ts';
import type { Bilingual, Role } from '../protocol/model.ts';
import { api, type ApiResult } from '../ui/api.ts';
import { i18n, type Lang } from '../ui/i18n.svelte.ts';
import { clone, diff, fieldErrors, type Change, type FieldIssue } from './edit.ts';
import { m } from './strings.ts';

export interface StaffUser {
  id: string;
  username: string;
  name: string;
  role: Role;
  offices: string[];
  mustChangePassword?: boolean;
}

export type Send = <T>(method: string, path: string, body?: unknown) => Promise<ApiResult<T>>;

export type SaveStatus = 'clean' | 'dirty' | 'saving' | 'saved' | 'conflict' | 'invalid' | 'error';

export interface Conflict<T> {
  /** The server's value now, and its revision. */
  value: T;
  revision: number;
  by: string | null;
  at: string | null;
  /** What the other save changed, compared with what this form started from. */
  theirs: Change[];
}

/** What a 409 stale_revision carries about the section now (read loosely: the names differ between versions of the contract). */
function currentOf<T>(error: ApiError): { value: T; revision: number; by: string | null; at: string | null } | null {
  const e = error as ApiError & { current?: unknown; details?: unknown };
  const cur = (e.current ?? (e as { data?: { current?: unknown } }).data?.current) as Record<string, unknown> | undefined;
  if (!cur || typeof cur !== 'object') return null;
  const byRaw = cur.by ?? cur.changedBy ?? cur.actor;
  const by = typeof byRaw === 'string' ? byRaw : byRaw && typeof byRaw === 'object' ? String((byRaw as { name?: string; username?: string; id?: string }).name ?? (byRaw as { username?: string }).username ?? (byRaw as { id?: string }).id ?? '') : null;
  const at = (cur.at ?? cur.changedAt ?? null) as string | null;
  return { value: cur.value as T, revision: Number(cur.revision ?? 0), by: by || null, at };
}

/** The field errors of a 400, wherever the contract puts them (`fields` or `details`). */
export function issuesOf(error: ApiError): FieldIssue[] {
  const e = error as ApiError & { fields?: FieldIssue[] };
  return (e.fields ?? e.details ?? []) as FieldIssue[];
}

/**
 * One section's form. `draft` is deep state the inputs bind to; `base` is the
 * server's value the draft started from, at `revision`.
 */
export class Editor<T> {
  draft = $state() as T;
  base = $state.raw() as T;
  revision = $state(0);
  status = $state<SaveStatus>('clean');
  errors = $state.raw<Record<string, Bilingual>>({});
  /** A refusal that is not about one field (forbidden, has waiting tickets, offline). */
  refusal = $state.raw<ApiError | null>(null);
  conflict = $state.raw<Conflict<T> | null>(null);
  savedAt = $state<number | null>(null);

  constructor(
    readonly path: string,
    value: T,
    revision: number,
    private readonly send: Send,
    /** Called with the new value and revision after each save the server took. */
    private readonly onSaved: (value: T, revision: number) => void = () => {},
  ) {
    this.base = clone(value);
    this.draft = clone(value);
    this.revision = revision;
  }

  get dirty(): boolean {
    return diff(this.base, $state.snapshot(this.draft)).length > 0;
  }

  /** My changes against what the form started from. */
  get mine(): Change[] {
    return diff(this.base, $state.snapshot(this.draft));
  }

  error(path: string): Bilingual | undefined {
    return this.errors[path];
  }

  async save(): Promise<boolean> {
    if (this.status === 'saving') return false;
    this.status = 'saving';
    this.refusal = null;
    const value = $state.snapshot(this.draft) as T;
    const r = await this.send<{ revision: number; value?: T }>('PUT', this.path, { revision: this.revision, value });
    if (r.ok) {
      const saved = r.data?.value ?? value;
      this.base = clone(saved);
      this.draft = clone(saved);
      this.revision = Number(r.data?.revision ?? this.revision + 1);
      this.errors = {};
      this.conflict = null;
      this.status = 'saved';
      this.savedAt = Date.now();
      this.onSaved(saved, this.revision);
      return true;
    }
    const code = r.error.code as string;
    if (code === 'stale_revision') {
      const cur = currentOf<T>(r.error);
      if (cur) {
        this.conflict = { ...cur, theirs: diff(this.base, cur.value) };
        this.status = 'conflict';
        return false;
      }
    }
    const issues = issuesOf(r.error);
    if (r.status === 400 && issues.length > 0) {
      this.errors = fieldErrors(issues);
      this.status = 'invalid';
      return false;
    }
    this.errors = {};
    this.refusal = r.error;
    this.status = 'error';
    return false;
  }

  /** Drops my changes and takes the server's value (after a conflict, or "batal"). */
  reload(): void {
    const c = this.conflict;
    if (c) this.take(c.value, c.revision);
    else this.take(this.base, this.revision);
  }

  /** Keeps my changes on top of the server's newer revision and saves again. */
  async reapply(): Promise<boolean> {
    const c = this.conflict;
    if (!c) return this.save();
    const mine = this.mine;
    const merged = clone(c.value) as unknown;
    for (const ch of mine) setPath(merged, ch.path, ch.after);
    this.base = clone(c.value);
    this.draft = merged as T;
    this.revision = c.revision;
    this.conflict = null;
    return this.save();
  }

  /** The server's value (a reload, or a live change while the form is clean). */
  take(value: T, revision: number): void {
    this.base = clone(value);
    this.draft = clone(value);
    this.revision = revision;
    this.errors = {};
    this.conflict = null;
    this.refusal = null;
    this.status = 'clean';
  }

  /** Another admin's save arrived live: a clean form follows it, a dirty one keeps its draft and will meet the conflict on save. */
  remote(value: T, revision: number): void {
    if (revision <= this.revision) return;
    if (!this.dirty && this.status !== 'saving') this.take(value, revision);
  }
}

/** Sets a dotted path in a JSON value (creating objects on the way); an `undefined` value removes the key. */
export function setPath(target: unknown, path: string, value: unknown): void {
  const keys = path.split('.');
  let at = target as Record<string, unknown>;
  for (const k of keys.slice(0, -1)) {
    if (typeof at[k] !== 'object' || at[k] === null) at[k] = /^\d+$/.test(keys[keys.indexOf(k) + 1] ?? '') ? [] : {};
    at = at[k] as Record<string, unknown>;
  }
  const last = keys[keys.length - 1]!;
  if (value === undefined) {
    if (Array.isArray(at)) at.splice(Number(last), 1);
    else delete at[last];
  } else at[last] = value;
}

// ------------------------------------------------------------------ the console

export type ViewId = 'office' | 'services' | 'checklists' | 'counters' | 'staff' | 'devices' | 'displays' | 'rules' | 'notify' | 'audit' | 'backup';
export const VIEWS: readonly ViewId[] = ['office', 'services', 'checklists', 'counters', 'staff', 'devices', 'displays', 'rules', 'notify', 'audit', 'backup'];

const LANG_KEY = 'giliran.admin.lang';

function storage(): Storage | null {
  try {
    return globalThis.localStorage ?? null;
  } catch {
    return null;
  }
}

export type SectionId = 'profile' | 'hours' | 'services' | 'counters' | 'displays' | 'rules' | 'notify';

/** GET /api/v1/admin/offices/{office}. */
export interface OfficeDoc {
  office: Record<string, unknown>;
  revisions: Partial<Record<SectionId, number>>;
  permissions: unknown;
}

const PROFILE_KEYS = ['name', 'shortName', 'timeZone', 'complaintChannel', 'marquee', 'whatsapp', 'logo'];

/** A section's value inside the office's configuration. */
export function sectionValue(office: Record<string, unknown>, section: SectionId): unknown {
  if (section === 'profile') return Object.fromEntries(PROFILE_KEYS.filter((k) => k in office).map((k) => [k, office[k]]));
  if (section === 'hours') return { hours: office.hours ?? {}, closedDays: office.closedDays ?? [] };
  return office[section];
}

export interface OfficeSummary {
  id: string;
  name: Bilingual;
  shortName: string;
  timeZone: string;
}

class Admin {
  phase = $state<'loading' | 'login' | 'password' | 'pick' | 'console' | 'denied'>('loading');
  notice = $state.raw<Bilingual | null>(null);
  user = $state.raw<StaffUser | null>(null);
  offices = $state.raw<OfficeSummary[]>([]);
  officeId = $state<string | null>(null);
  view = $state<ViewId>('office');

  constructor(private readonly send: Send = api) {}

  get isAdmin(): boolean {
    return this.user?.role === 'admin';
  }

  get office(): OfficeSummary | null {
    return this.offices.find((o) => o.id === this.officeId) ?? null;
  }

  async boot(): Promise<void> {
    const lang = storage()?.getItem(LANG_KEY);
    if (lang === 'en' || lang === 'id') i18n.lang = lang;
    const hash = location.hash.slice(1);
    if ((VIEWS as readonly string[]).includes(hash)) this.view = hash as ViewId;
    const s = await this.send<{ user: StaffUser }>('GET', '/api/v1/session');
    if (s.ok) return this.start(s.data.user);
    if (s.status === 0) {
      this.notice = m.serverUnreachable;
      setTimeout(() => void this.boot(), 3000);
      return;
    }
    this.phase = 'login';
  }

  setLang(lang: Lang): void {
    i18n.lang = lang;
    storage()?.setItem(LANG_KEY, lang);
  }

  async login(username: string, password: string): Promise<ApiError | null> {
    const r = await this.send<{ user: StaffUser; mustChangePassword?: boolean }>('POST', '/api/v1/session', { username, password });
    if (!r.ok) return r.error;
    this.notice = null;
    const user = { ...r.data.user, mustChangePassword: r.data.user.mustChangePassword ?? r.data.mustChangePassword ?? false };
    await this.start(user);
    return null;
  }

  async changePassword(current: string, next: string): Promise<ApiError | null> {
    const r = await this.send('POST', '/api/v1/session/password', { currentPassword: current, newPassword: next });
    if (!r.ok) return r.error;
    if (this.user) await this.start({ ...this.user, mustChangePassword: false });
    return null;
  }

  async logout(): Promise<void> {
    await this.send('DELETE', '/api/v1/session');
    this.user = null;
    this.officeId = null;
    this.phase = 'login';
  }

  private async start(user: StaffUser): Promise<void> {
    this.user = user;
    if (user.mustChangePassword) {
      this.phase = 'password';
      return;
    }
    if (user.role === 'clerk') {
      this.phase = 'denied';
      return;
    }
    const r = await this.send<{ offices: OfficeSummary[] }>('GET', '/api/v1/admin/offices');
    if (!r.ok) {
      if (r.status === 403) {
        this.phase = 'denied';
        return;
      }
      this.notice = r.error.message;
      this.phase = 'login';
      return;
    }
    this.offices = r.data.offices;
    const wanted = new URLSearchParams(location.search).get('office');
    const pick = this.offices.find((o) => o.id === wanted) ?? (this.offices.length === 1 ? this.offices[0] : null);
    if (pick) this.open(pick.id);
    else this.phase = this.offices.length === 0 ? 'denied' : 'pick';
  }

  open(officeId: string): void {
    this.officeId = officeId;
    this.phase = 'console';
    const url = new URL(location.href);
    url.searchParams.set('office', officeId);
    history.replaceState(null, '', url);
  }

  go(view: ViewId): void {
    this.view = view;
    history.replaceState(null, '', `#${view}`);
  }

  /** The office's base path under the admin API. */
  get base(): string {
    return `/api/v1/admin/offices/${encodeURIComponent(this.officeId ?? '')}`;
  }

  request<T>(method: string, path: string, body?: unknown): Promise<ApiResult<T>> {
    return this.send<T>(method, path, body);
  }

  // -------------------------------------------------------------- the office's configuration

  doc = $state.raw<OfficeDoc | null>(null);
  docError = $state.raw<ApiError | null>(null);
  private editors = new Map<string, Editor<unknown>>();

  async loadDoc(): Promise<void> {
    const r = await this.send<OfficeDoc>('GET', this.base);
    if (!r.ok) {
      this.docError = r.error;
      return;
    }
    this.docError = null;
    this.doc = r.data;
    for (const [section, ed] of this.editors) ed.remote(sectionValue(r.data.office, section as SectionId), r.data.revisions[section as SectionId] ?? 0);
  }

  /** May this user change the section (else the form is read-only)? */
  canEdit(section: SectionId): boolean {
    const p = this.doc?.permissions as unknown;
    if (!p) return this.isAdmin;
    if (Array.isArray(p)) return p.includes(section);
    const v = (p as Record<string, unknown>)[section] ?? (p as { edit?: unknown }).edit;
    if (Array.isArray(v)) return v.includes(section);
    return v === true || v === 'edit' || v === 'write';
  }

  /** The one editor of a section of the current office (made on first use). */
  editor<T>(section: SectionId): Editor<T> {
    const key = `${this.officeId}/${section}`;
    let ed = this.editors.get(key) as Editor<T> | undefined;
    if (!ed) {
      const doc = this.doc!;
      ed = new Editor<T>(`${this.base}/sections/${section}`, sectionValue(doc.office, section) as T, doc.revisions[section] ?? 0, this.send, () => void this.loadDoc());
      this.editors.set(key, ed as Editor<unknown>);
    }
    return ed;
  }
}

export { Admin };
export const admin = new Admin();
