// The kiosk's rules as plain functions: what a pre-check outcome is, who a
// sub-case is for, what to print on the "what to bring" list, what may be
// chosen. No state here (the citizen's way through the screens is flow.ts).
import type { Bilingual, PrecheckResult, PublicOffice, QueueSnapshot, Requirement, ServiceConfig, Subcase } from '../protocol/model.ts';
import { evaluatePrecheck, requirementText, type PrecheckAnswers } from '../protocol/rules.ts';
import type { OfficeAvailability } from '../server/domain/availability.ts';
import { fill, type Lang } from '../ui/i18n.svelte.ts';
import { AGE_RULE, T } from './texts.ts';

export type Answers = PrecheckAnswers;

export interface PrecheckOutcome {
  result: PrecheckResult;
  /** Mandatory items the citizen lacks and the kiosk can judge: these block a ticket. */
  blocking: Requirement[];
  /** Items not brought that do not block (optional, or only staff can judge). */
  notBlocking: Requirement[];
}

/** Questions and items still to answer (protocol/rules.ts evaluatePrecheck). */
export function unanswered(subcase: Subcase, answers: Answers): string[] {
  return evaluatePrecheck(subcase, answers).open;
}

export function precheckOutcome(subcase: Subcase, answers: Answers): PrecheckOutcome {
  const { result, missing, blocking } = evaluatePrecheck(subcase, answers);
  return { result, blocking, notBlocking: missing.filter((r) => !blocking.includes(r)) };
}

export type PrecheckRow = { condition: NonNullable<Requirement['condition']> } | { item: Requirement };

/**
 * The pre-check screen's rows in checklist order: a question once, before the
 * first item it guards; its items only once it is answered yes.
 */
export function precheckRows(subcase: Subcase, answers: Answers): PrecheckRow[] {
  const rows: PrecheckRow[] = [];
  const asked = new Set<string>();
  for (const r of subcase.requirements) {
    const c = r.condition;
    if (c && !asked.has(c.id)) {
      asked.add(c.id);
      rows.push({ condition: c });
    }
    if (!c || answers.conditions[c.id] === true) rows.push({ item: r });
  }
  return rows;
}

type Eligibility = NonNullable<Subcase['eligibility']>;

export function needsAgeCheck(subcase: Subcase | null): subcase is Subcase & { eligibility: Eligibility } {
  const e = subcase?.eligibility;
  return !!e && (e.minAge !== undefined || e.maxAge !== undefined);
}

/** "usia 17 tahun ke atas" / "usia di bawah 5 tahun" / "usia 5 sampai 16 tahun". */
export function ageRule(e: Eligibility): Bilingual {
  const pick = (lang: Lang): string => {
    if (e.minAge !== undefined && e.maxAge !== undefined) return fill(AGE_RULE.range[lang], { min: e.minAge, max: e.maxAge });
    if (e.minAge !== undefined) return fill(AGE_RULE.min[lang], { min: e.minAge });
    return fill(AGE_RULE.max[lang], { limit: (e.maxAge ?? 0) + 1 });
  };
  return { id: pick('id'), en: pick('en') };
}

export function fitsAge(e: Eligibility | undefined, age: number): boolean {
  if (!e) return true;
  return (e.minAge === undefined || age >= e.minAge) && (e.maxAge === undefined || age <= e.maxAge);
}

/** Is the NIK asked about a child (an upper age limit), so the screen says "NIK anak"? */
export function isChildCheck(e: Eligibility): boolean {
  return e.maxAge !== undefined && (e.minAge === undefined || e.minAge < 17);
}

/** Sub-cases of other services whose age rule fits: "perhaps you need KIA". */
export function alternativesFor(services: ServiceConfig[], current: ServiceConfig, age: number): Array<{ service: ServiceConfig; subcase: Subcase }> {
  const out: Array<{ service: ServiceConfig; subcase: Subcase }> = [];
  for (const service of services) {
    if (service.id === current.id) continue;
    for (const subcase of service.subcases) if (needsAgeCheck(subcase) && fitsAge(subcase.eligibility, age)) out.push({ service, subcase });
  }
  return out.slice(0, 2);
}

/** The "what to bring" list as short text, for the QR code (stays under the server's limit). */
export function bringListText(officeName: string, service: ServiceConfig, subcase: Subcase, outcome: PrecheckOutcome, lang: Lang, maxBytes = 1000): string {
  const name = service.subcases.length > 1 ? `${service.name[lang]} — ${subcase.name[lang]}` : service.name[lang];
  const lines = [officeName, fill(T.bringSlipTitle[lang], { service: name }) + ':'];
  for (const r of outcome.blocking) lines.push(`- ${requirementText(r)[lang]}`);
  const optional = outcome.notBlocking.filter((r) => !r.staffJudged);
  if (optional.length > 0) {
    lines.push(T.bringOptional[lang]);
    for (const r of optional) lines.push(`- ${requirementText(r)[lang]}`);
  }
  lines.push(T.freeShort[lang] + '.');
  let text = lines.join('\n');
  const bytes = (s: string) => new TextEncoder().encode(s).length;
  while (bytes(text) > maxBytes && text.length > 0) text = text.slice(0, -10);
  return text;
}

/** Names of the counters that serve a service today (the day's settings first, else the configuration). */
export function countersFor(office: PublicOffice, snapshot: QueueSnapshot | null, serviceId: string): string[] {
  const today = snapshot?.counters;
  return office.counters
    .filter((c) => (today?.find((s) => s.id === c.id)?.services ?? c.services).includes(serviceId))
    .map((c) => c.name);
}

/**
 * Whether the figures moved in a way that can change what the kiosk may issue
 * (a quota filling up, a service closed or reopened): then the kiosk asks the
 * server for availability again.
 */
export function availabilityMayHaveChanged(before: QueueSnapshot | null, after: QueueSnapshot): boolean {
  if (!before) return true;
  return after.services.some((s) => {
    const b = before.services.find((x) => x.serviceId === s.serviceId);
    return !b || b.issuedToday !== s.issuedToday || b.closedToday !== s.closedToday;
  });
}

/** Whether a service may be chosen now (unknown availability falls back to the snapshot). */
export function canChoose(s: ServiceConfig, availability: OfficeAvailability | null, snapshot: QueueSnapshot | null): boolean {
  const a = availability?.services.find((x) => x.serviceId === s.id);
  if (a) return a.available;
  return s.active && !snapshot?.services.find((x) => x.serviceId === s.id)?.closedToday;
}
