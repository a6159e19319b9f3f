// Which Host names this server answers to as itself. A page from another
// site can point its own name at 127.0.0.1 (DNS rebinding): its requests then
// come from loopback, same-origin to the browser. So loopback trust and the
// Origin check hold only for the names listed here: localhost, this
// machine's own addresses and host name, the public URL's host, and the
// configured `allowedHosts` ("*" turns the check off, e.g. behind a proxy
// that checks Host itself).
import { hostname, networkInterfaces } from 'node:os';

const ADDRESS_REFRESH_MS = 10_000;

/** The name part of a Host header or URL host ("[::1]:3000" → "::1"), lower case; null if it is not one. */
export function hostName(host: string | undefined): string | null {
  if (!host) return null;
  try {
    const name = new URL(`http://${host}`).hostname.toLowerCase();
    return name.startsWith('[') && name.endsWith(']') ? name.slice(1, -1) : name.replace(/\.$/, '');
  } catch {
    return null;
  }
}

export class HostPolicy {
  readonly any: boolean;
  #names: Set<string>;
  #addresses = new Set<string>();
  #addressesAt = -Infinity;

  constructor(allowedHosts: readonly string[] = [], publicUrl?: string) {
    this.any = allowedHosts.includes('*');
    const names = allowedHosts.filter((h) => h !== '*').map((h) => hostName(h) ?? h.toLowerCase());
    if (publicUrl) names.push(hostName(new URL(publicUrl).host) ?? '');
    const own = hostname().toLowerCase();
    names.push('localhost', own, `${own}.local`);
    this.#names = new Set(names.filter(Boolean));
  }

  /** Whether a Host header (or an Origin's host) names this server. */
  allows(host: string | undefined): boolean {
    if (this.any) return true;
    const name = hostName(host);
    if (!name) return false;
    if (this.#names.has(name) || name.endsWith('.localhost')) return true;
    if (name.startsWith('127.') || name === '::1' || name === '::ffff:127.0.0.1') return /^[\d.:a-f]+$/.test(name);
    return this.#machineAddresses().has(name);
  }

  #machineAddresses(): Set<string> {
    // Addresses change (DHCP, a cable plugged in): looked up again every few seconds at most.
    const t = performance.now();
    if (t - this.#addressesAt > ADDRESS_REFRESH_MS) {
      this.#addressesAt = t;
      const s = new Set<string>();
      for (const list of Object.values(networkInterfaces())) for (const a of list ?? []) s.add(a.address.toLowerCase().replace(/%.*$/, ''));
      this.#addresses = s;
    }
    return this.#addresses;
  }
}
