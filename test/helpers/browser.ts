// Real Chromium (Debian's package) driven by playwright-core, and the checks
// every e2e file makes of a screen: axe-core, and the screen rules (fits the
// viewport, targets and text large enough) with a screenshot.
import { existsSync, readFileSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type LaunchOptions, type Page } from 'playwright-core';
import { expect } from 'vitest';

export const ARTIFACTS = path.resolve(import.meta.dirname, '..', 'artifacts');

/** Chromium as the tests run it; `extraArgs` e.g. a TV's `--autoplay-policy=no-user-gesture-required`. */
export async function launchBrowser(extraArgs: string[] = []): Promise<Browser> {
  await mkdir(ARTIFACTS, { recursive: true });
  const options: LaunchOptions = {
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', ...extraArgs],
  };
  return chromium.launch(options);
}

export function artifact(name: string): string {
  return path.join(ARTIFACTS, name);
}

/**
 * A private copy of the built pages, once the HTML and assets of every page
 * named are all there: a build running meanwhile (it empties dist/ first) must
 * not pull a page from under the browser in the middle of a test. The build
 * tells no one when it is done, so dist/ is looked at again every half second,
 * for ten seconds at most.
 */
export async function copyOfDist(...pages: [string, ...string[]]): Promise<string> {
  const root = path.resolve(import.meta.dirname, '..', '..');
  const dir = path.join(await mkdtemp(path.join(tmpdir(), `giliran-${pages.join('-')}-dist-`)), 'dist');
  for (let attempt = 0; ; attempt++) {
    await rm(dir, { recursive: true, force: true });
    await cp(path.join(root, 'dist'), dir, { recursive: true }).catch(() => undefined);
    let complete = true;
    for (const page of pages) {
      const html = await readFile(path.join(dir, page, 'index.html'), 'utf8').catch(() => '');
      const assets = [...html.matchAll(/(?:src|href)="\/(assets\/[^"]+)"/g)].map((m) => path.join(dir, m[1]!));
      if (!html || !assets.every((f) => existsSync(f))) complete = false;
    }
    if (complete) return dir;
    if (attempt >= 20) throw new Error(`dist/ has no complete ${pages.join(', ')} page: run \`npm run build\` first`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

// ---------------------------------------------------------------- screen checks

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

export interface AxeOptions {
  /** Also WCAG AAA contrast, 7:1 (the kiosk's rule). */
  enhancedContrast?: boolean;
}

/**
 * axe-core's violations on what the page shows now, one line per rule
 * ("id (help): target — why | …"); [] when there are none. axe goes in as an
 * inline script, so the page's context needs `bypassCSP: true`.
 */
export async function axeViolations(page: Page, opts: AxeOptions = {}): Promise<string[]> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.addScriptTag({ content: AXE_SOURCE });
  return page.evaluate(async (enhancedContrast) => {
    type Result = { violations: Array<{ id: string; help: string; nodes: Array<{ target: unknown[]; failureSummary?: string }> }> };
    const axe = (window as unknown as { axe: { run(ctx: Document, o: object): Promise<Result> } }).axe;
    const r = await axe.run(document, { rules: { 'color-contrast-enhanced': { enabled: enhancedContrast } } });
    return r.violations.map((v) => `${v.id} (${v.help}): ${v.nodes.slice(0, 3).map((n) => `${n.target.join(' ')} — ${n.failureSummary ?? ''}`).join(' | ')}`);
  }, opts.enhancedContrast ?? false);
}

/** Resolves once the page has laid out and painted what it shows now (two animation frames). */
export async function painted(page: Page): Promise<void> {
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
}

/** Resizes the viewport and waits until the page has laid out and painted at the new size. */
export async function resize(page: Page, size: { width: number; height: number }): Promise<void> {
  await page.setViewportSize(size);
  await page.waitForFunction(([w, h]) => innerWidth === w && innerHeight === h, [size.width, size.height]);
  await painted(page);
}

/** Saves test/artifacts/<name>.png once the page has painted. */
export async function screenshot(page: Page, name: string): Promise<void> {
  await painted(page);
  await page.screenshot({ path: artifact(`${name}.png`) });
}

/** What a screen must satisfy besides axe; every rule is off unless named. */
export interface ScreenRules {
  /** No visible button smaller than this, in px, either way. */
  minTarget?: number;
  /** No visible text smaller than this font size, in px. */
  minText?: number;
  /** The page is not wider than the viewport. */
  fitsWidth?: boolean;
  /** The page is not taller than the viewport (it does not scroll). */
  fitsHeight?: boolean;
  /** These elements do not need vertical scrolling (1 px of rounding allowed). */
  noScroll?: string;
  /** These elements do not cut their content off (2 px of rounding allowed). */
  unclipped?: string;
  /** These elements lie wholly inside the viewport. */
  inViewport?: string;
}

/** The screen rules the page breaks now, one line each; [] when none. */
export async function screenProblems(page: Page, rules: ScreenRules): Promise<string[]> {
  return page.evaluate((rules) => {
    const out: string[] = [];
    const shown = (el: Element) => {
      const r = el.getBoundingClientRect();
      const cs = getComputedStyle(el);
      return r.width > 0 && r.height > 0 && cs.visibility !== 'hidden' && cs.display !== 'none';
    };
    const { minTarget, minText } = rules;
    if (minTarget) {
      for (const b of document.querySelectorAll('button')) {
        if (!shown(b)) continue;
        const r = b.getBoundingClientRect();
        if (r.width < minTarget || r.height < minTarget) out.push(`target under ${minTarget} px: "${b.textContent?.trim()}" ${Math.round(r.width)}×${Math.round(r.height)}`);
      }
    }
    if (minText) {
      const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
      for (let n = walker.nextNode(); n; n = walker.nextNode()) {
        const text = n.textContent?.trim();
        const el = n.parentElement;
        if (!text || !el || !shown(el)) continue;
        const size = parseFloat(getComputedStyle(el).fontSize);
        if (size < minText) out.push(`text under ${minText} px (${size}px): "${text.slice(0, 40)}"`);
      }
    }
    const doc = document.scrollingElement ?? document.documentElement;
    if (rules.fitsWidth && doc.scrollWidth > innerWidth) out.push(`wider than the screen: ${doc.scrollWidth} > ${innerWidth}`);
    if (rules.fitsHeight && doc.scrollHeight > innerHeight) out.push(`taller than the screen: ${doc.scrollHeight} > ${innerHeight}`);
    if (rules.noScroll) {
      for (const el of document.querySelectorAll(rules.noScroll)) {
        if (el.scrollHeight > el.clientHeight + 1) out.push(`needs scrolling: ${rules.noScroll} ${el.scrollHeight} > ${el.clientHeight}`);
      }
    }
    if (rules.unclipped) {
      for (const el of document.querySelectorAll(rules.unclipped)) {
        if (shown(el) && el.scrollHeight > el.clientHeight + 2) out.push(`text cut off in ${el.className}: "${el.textContent?.trim().slice(0, 40)}"`);
      }
    }
    if (rules.inViewport) {
      for (const el of document.querySelectorAll(rules.inViewport)) {
        const r = el.getBoundingClientRect();
        if (shown(el) && (r.bottom > innerHeight || r.right > innerWidth)) out.push(`off the screen: "${el.textContent?.trim().slice(0, 40)}" ends at ${Math.round(r.right)}×${Math.round(r.bottom)}`);
      }
    }
    return out;
  }, rules);
}

export interface ScreenCheck {
  rules?: ScreenRules;
  /** axe options; false skips axe (a screen checked by axe just before). */
  axe?: AxeOptions | false;
  /** Checks the screen at each of these sizes (the file names get the key), then restores the viewport. */
  viewports?: Record<string, { width: number; height: number }>;
}

/**
 * One screen, checked as every e2e file checks it: at each size, the
 * screenshot test/artifacts/<name>[-<size>].png, no axe violations, and no
 * broken screen rule.
 */
export async function checkScreen(page: Page, name: string, check: ScreenCheck = {}): Promise<void> {
  const original = page.viewportSize();
  const sizes = check.viewports ? Object.entries(check.viewports) : [['', null] as const];
  for (const [label, size] of sizes) {
    if (size) await resize(page, size);
    const where = label ? `${name}-${label}` : name;
    await screenshot(page, where);
    if (check.axe !== false) expect(await axeViolations(page, check.axe || {}), `axe ${where}`).toEqual([]);
    expect(await screenProblems(page, check.rules ?? {}), `screen rules ${where}`).toEqual([]);
  }
  if (check.viewports && original) await resize(page, original);
}
