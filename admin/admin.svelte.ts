// The admin console's state: who is signed in, which office, its
// configuration with one revision per section, and one editor per section
// form (draft, saving, the server's field errors, a stale-revision conflict).
// One instance (`admin`); `Editor` is tested on its own with a fake transport
// (test/ui/admin-state.test.ts).
//
// The server validates every form (the zod schemas in protocol/ are the one
// source); the page only shows what it answered, next to each field.
import type { AdminOffice, AdminOfficeList, AdminOfficeView, Section, SectionPermission, SectionView, StaleRevision } from '../protocol/admin.ts';
import { adminOpsPaths } from '../protocol/admin-ops-paths.ts';
import type { PasswordChange } from '../protocol/admin-ops.ts';
import type { ApiError } from '../protocol/errors.ts';
import type { Bilingual, Role } from '../protocol/model.ts';
import { dateIn } from '../ui/format.ts';
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

/** An answer; a refusal keeps the whole body too (a 409 stale_revision carries `current` beside its error). */
export type Result<T> = { ok: true; status: number; data: T } | { ok: false; status: number; error: ApiError; body: unknown };
export type Send = <T>(method: string, path: string, body?: unknown) => Promise<Result<T>>;

/** The console's one fetch: JSON in and out, like ui/api.ts, but a refusal keeps its body. */
export async function sendJson<T>(method: string, path: string, body?: unknown): Promise<Result<T>> {
  let res: Response;
  try {
    res = await fetch(path, { method, credentials: 'same-origin', headers: body === undefined ? {} : { 'content-type': 'application/json' }, body: body === undefined ? null : JSON.stringify(body) });
  } catch {
    return { ok: false, status: 0, error: { code: 'unavailable', message: { id: 'Tidak dapat terhubung ke server.', en: 'Cannot reach the server.' } }, body: null };
  }
  const data: unknown = res.status === 204 ? null : await res.json().catch(() => null);
  if (res.ok) return { ok: true, status: res.status, data: data as T };
  const error = (data as { error?: ApiError } | null)?.error ?? { code: 'internal', message: { id: 'Kesalahan server.', en: 'Server error.' } };
  return { ok: false, status: res.status, error: error as ApiError, body: data };
}

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

/** What a 409 stale_revision says is saved now. */
function currentOf<T>(body: unknown): { value: T; revision: number; by: string | null; at: string | null } | null {
  const cur = (body as Partial<StaleRevision> | null)?.current;
  if (!cur || typeof cur !== 'object') return null;
  return { value: cur.value as T, revision: cur.revision, by: cur.by, at: cur.at };
}

/** The field errors of a 400, wherever the contract puts them (`fields` or `details`). */
export function issuesOf(error: ApiError): FieldIssue[] {
  return error.fields ?? error.details ?? [];
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
    /** Reads the saved value and its revision out of the server's answer to a save (default: the answer is `{ value, revision }`). */
    private readonly accept: (answer: unknown) => { value: T; revision: number } | null = (a) => (a && typeof a === 'object' && 'revision' in a ? (a as { value: T; revision: number }) : null),
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
    const r = await this.send<unknown>('PUT', this.path, { revision: this.revision, value });
    if (r.ok) {
      const got = this.accept(r.data);
      const saved = got?.value ?? value;
      this.base = clone(saved);
      this.draft = clone(saved);
      this.revision = got?.revision ?? this.revision + 1;
      this.errors = {};
      this.conflict = null;
      this.status = 'saved';
      this.savedAt = Date.now();
      return true;
    }
    const code = r.error.code;
    if (code === 'stale_revision') {
      const cur = currentOf<T>(r.body);
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

export type ViewId = 'office' | 'services' | 'checklists' | 'counters' | 'staff' | 'devices' | 'displays' | 'rules' | 'notify' | 'audit' | 'backup' | 'bookings' | 'reports' | 'survey' | 'complaints' | 'sync';
export const VIEWS: readonly ViewId[] = ['office', 'services', 'checklists', 'counters', 'staff', 'devices', 'displays', 'rules', 'notify', 'audit', 'backup', 'bookings', 'reports', 'survey', 'complaints', 'sync'];

const LANG_KEY = 'giliran.admin.lang';

function storage(): Storage | null {
  try {
    return globalThis.localStorage ?? null;
  } catch {
    return null;
  }
}

export type SectionId = Section;

/** Which fields of the office each section's value holds (protocol/admin.ts SECTION_KEYS, spelled here: pages import no zod). */
export const SECTION_KEYS = {
  profile: ['name', 'shortName', 'timeZone', 'complaintChannel', 'marquee', 'whatsapp'],
  hours: ['hours', 'closedDays'],
  services: ['services'],
  counters: ['counters'],
  displays: ['displays'],
  rules: ['rules', 'kiosk'],
  notify: ['notify'],
} as const satisfies { [S in Section]: ReadonlyArray<keyof SectionView<S> & keyof AdminOffice> };

/** A section's value inside the office's configuration. */
export function sectionValue<S extends Section>(office: AdminOffice, section: S): SectionView<S> {
  const keys: readonly string[] = SECTION_KEYS[section];
  const o = office as unknown as Record<string, unknown>;
  return Object.fromEntries(keys.map((k) => [k, o[k]])) as SectionView<S>;
}

/** The permission of a section in an office view (no entry = none). */
export function permissionOf(view: Pick<AdminOfficeView, 'permissions'> | null, section: Section): SectionPermission {
  return view?.permissions.find((x) => x.section === section) ?? { read: false, write: false };
}

/** May this field of the section be changed (a supervisor may change only some)? Without a field: any of it. */
export function mayWrite(view: Pick<AdminOfficeView, 'permissions'> | null, section: Section, field?: string): boolean {
  const p = permissionOf(view, section);
  if (!p.write) return false;
  return !p.fields || field === undefined || p.fields.includes(field);
}

export type OfficeSummary = AdminOfficeList['offices'][number];

class Admin {
  phase = $state<'loading' | 'login' | 'password' | 'pick' | 'console' | 'denied'>('loading');
  notice = $state.raw<Bilingual | null>(null);
  user = $state.raw<StaffUser | null>(null);
  offices = $state.raw<OfficeSummary[]>([]);
  officeId = $state<string | null>(null);
  view = $state<ViewId>('office');
  doc = $state.raw<AdminOfficeView | null>(null);
  docError = $state.raw<ApiError | null>(null);
  private editors = new Map<string, Editor<unknown>>();

  constructor(private readonly send: Send = sendJson) {}

  /** The user's role in the open office. */
  get role(): Role | null {
    return this.office?.role ?? this.user?.role ?? null;
  }

  get isAdmin(): boolean {
    return this.role === 'admin';
  }

  get office(): OfficeSummary | null {
    return this.offices.find((o) => o.id === this.officeId) ?? null;
  }

  get timeZone(): string | undefined {
    return this.doc?.office.timeZone;
  }

  /** Today in the office's zone: the reports', survey's and audit's periods are office days (after midnight WITA it is already tomorrow in UTC terms). */
  today(): string {
    return dateIn(new Date(), this.timeZone);
  }

  async boot(): Promise<void> {
    const lang = storage()?.getItem(LANG_KEY);
    if (lang === 'en' || lang === 'id') i18n.lang = lang;
    const hash = typeof location === 'undefined' ? '' : location.hash.slice(1);
    if ((VIEWS as readonly string[]).includes(hash)) this.view = hash as ViewId;
    const s = await this.send<{ user: StaffUser; mustChangePassword?: boolean }>('GET', '/api/v1/session');
    if (s.ok) return this.start(s.data.user, s.data.mustChangePassword ?? false);
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
    await this.start(r.data.user, r.data.mustChangePassword ?? false);
    return null;
  }

  async changePassword(current: string, next: string): Promise<ApiError | null> {
    const body: PasswordChange = { current, next };
    const r = await this.send('POST', adminOpsPaths.password, body);
    if (!r.ok) return r.error;
    if (this.user) await this.start(this.user, false);
    return null;
  }

  async logout(): Promise<void> {
    await this.send('DELETE', '/api/v1/session');
    this.user = null;
    this.officeId = null;
    this.doc = null;
    this.editors.clear();
    this.phase = 'login';
  }

  private async start(user: StaffUser, mustChangePassword: boolean): Promise<void> {
    this.user = user;
    if (mustChangePassword) {
      this.phase = 'password';
      return;
    }
    if (user.role === 'clerk') {
      this.phase = 'denied';
      return;
    }
    const r = await this.send<AdminOfficeList>('GET', '/api/v1/admin/offices');
    if (!r.ok) {
      if (r.status === 403) {
        this.phase = 'denied';
        return;
      }
      this.notice = r.error.message;
      this.phase = 'login';
      return;
    }
    this.offices = r.data.offices.filter((o) => o.role !== 'clerk');
    const wanted = typeof location === 'undefined' ? null : new URLSearchParams(location.search).get('office');
    const pick = this.offices.find((o) => o.id === wanted) ?? (this.offices.length === 1 ? this.offices[0] : null);
    if (pick) await this.open(pick.id);
    else this.phase = this.offices.length === 0 ? 'denied' : 'pick';
  }

  async open(officeId: string): Promise<void> {
    if (officeId !== this.officeId) {
      this.doc = null;
      this.editors.clear();
    }
    this.officeId = officeId;
    this.phase = 'console';
    if (typeof location !== 'undefined') {
      const url = new URL(location.href);
      url.searchParams.set('office', officeId);
      history.replaceState(null, '', url);
    }
    await this.loadDoc();
  }

  go(view: ViewId): void {
    this.view = view;
    if (typeof history !== 'undefined') history.replaceState(null, '', `#${view}`);
  }

  /** The office's base path under the admin API. */
  get base(): string {
    return `/api/v1/admin/offices/${encodeURIComponent(this.officeId ?? '')}`;
  }

  request<T>(method: string, path: string, body?: unknown): Promise<Result<T>> {
    return this.send<T>(method, path, body);
  }

  // -------------------------------------------------------------- the office's configuration

  /** Loads the office (again): clean forms follow the server, forms with changes keep them. */
  async loadDoc(): Promise<void> {
    const office = this.officeId;
    const r = await this.send<AdminOfficeView>('GET', this.base);
    if (office !== this.officeId) return;
    if (!r.ok) {
      this.docError = r.error;
      return;
    }
    this.takeDoc(r.data);
  }

  private takeDoc(view: AdminOfficeView): void {
    this.docError = null;
    this.doc = view;
    for (const [key, ed] of this.editors) {
      const section = key.slice(key.indexOf('/') + 1) as Section;
      ed.remote(sectionValue(view.office, section), view.revisions[section].revision);
    }
  }

  /** Field by field (a supervisor may write some fields of a section only). */
  canEdit(section: Section, field?: string): boolean {
    return mayWrite(this.doc, section, field);
  }

  /** The one editor of a section of the open office (made on first use, once the office is loaded). */
  editor<S extends Section>(section: S): Editor<SectionView<S>> {
    const key = `${this.officeId}/${section}`;
    let ed = this.editors.get(key) as Editor<SectionView<S>> | undefined;
    if (!ed) {
      const doc = this.doc!;
      // A save answers with the whole office as GET shows it: the console takes it (other forms follow if clean).
      const accept = (answer: unknown) => {
        const view = answer as AdminOfficeView;
        if (!view?.office || !view.revisions) return null;
        this.takeDoc(view);
        return { value: sectionValue(view.office, section), revision: view.revisions[section].revision };
      };
      ed = new Editor<SectionView<S>>(`${this.base}/sections/${section}`, sectionValue(doc.office, section), doc.revisions[section].revision, this.send, accept);
      this.editors.set(key, ed as Editor<unknown>);
    }
    return ed;
  }
}

export { Admin };
export const admin = new Admin();
