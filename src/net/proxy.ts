/**
 * Which proxy, if any, a request goes through: the `HTTPS_PROXY` / `HTTP_PROXY` / `NO_PROXY`
 * conventions, decided per target URL. proxy-from-env only reads `process.env`, and the agent's
 * settings may come from its config file, so the same rules are implemented here over a value.
 */

/** The proxies the agent uses; empty strings and absent keys both mean "none". */
export interface ProxySettings {
  /** Proxy for `https:` and `wss:` targets (`HTTPS_PROXY`). */
  httpsProxy?: string;
  /** Proxy for `http:` and `ws:` targets (`HTTP_PROXY`). */
  httpProxy?: string;
  /** Hosts reached directly (`NO_PROXY`): comma/space list of `*`, hosts, domain suffixes, `host:port`. */
  noProxy?: string;
}

const DEFAULT_PORTS: Record<string, number> = { 'http:': 80, 'https:': 443, 'ws:': 80, 'wss:': 443 };

/**
 * The proxy settings of an environment: `https_proxy`/`HTTPS_PROXY`, `http_proxy`/`HTTP_PROXY`,
 * `no_proxy`/`NO_PROXY` (the lower-case name wins when both are set, as in curl and proxy-from-env).
 * Empty values are left out.
 */
export function proxySettings(env: NodeJS.ProcessEnv = process.env): ProxySettings {
  const read = (name: string) => env[name.toLowerCase()] || env[name.toUpperCase()] || undefined;
  const settings: ProxySettings = {};
  const httpsProxy = read('https_proxy');
  const httpProxy = read('http_proxy');
  const noProxy = read('no_proxy');
  if (httpsProxy) settings.httpsProxy = httpsProxy;
  if (httpProxy) settings.httpProxy = httpProxy;
  if (noProxy) settings.noProxy = noProxy;
  return settings;
}

/** A proxy URL with a scheme: `proxy:3128` is taken as `http://proxy:3128`, as curl does. */
export function normalizeProxyUrl(value: string): string {
  return value.includes('://') ? value : `http://${value}`;
}

/**
 * The problem with a proxy URL, or undefined when it is usable: it must parse, use `http:` or
 * `https:`, and name a host. The message never repeats the value (it may hold a password).
 */
export function proxyUrlProblem(value: string): string | undefined {
  let url: URL;
  try {
    url = new URL(normalizeProxyUrl(value));
  } catch {
    return 'is not a valid URL (expected http://[user:password@]host:port)';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return 'must be an http:// or https:// proxy URL';
  if (!url.hostname) return 'names no host';
  return undefined;
}

/**
 * The proxy URL for a request to `target`, or undefined to connect directly: `httpsProxy` for
 * `https:`/`wss:` targets, `httpProxy` for `http:`/`ws:` targets, none when `noProxy` matches.
 * Loopback targets are not exempt unless `noProxy` says so.
 */
export function proxyFor(target: string | URL, settings: ProxySettings): string | undefined {
  let url: URL;
  try {
    url = typeof target === 'string' ? new URL(target) : target;
  } catch {
    return undefined;
  }
  const secure = url.protocol === 'https:' || url.protocol === 'wss:';
  const proxy = secure ? settings.httpsProxy : url.protocol === 'http:' || url.protocol === 'ws:' ? settings.httpProxy : undefined;
  if (!proxy) return undefined;
  const port = url.port ? Number(url.port) : (DEFAULT_PORTS[url.protocol] ?? 0);
  if (matchesNoProxy(url.hostname, port, settings.noProxy)) return undefined;
  return normalizeProxyUrl(proxy);
}

/**
 * True when `host:port` is excluded by a `NO_PROXY` list. Entries are separated by commas or
 * spaces and compared case-insensitively: `*` matches everything; `example.com`, `.example.com`
 * and `*.example.com` all match `example.com` and every subdomain of it; an IP address matches
 * itself; `entry:port` matches only that port. IPv6 addresses may be written with or without
 * brackets. CIDR ranges are not supported.
 */
export function matchesNoProxy(hostname: string, port: number, noProxy: string | undefined): boolean {
  if (!noProxy) return false;
  const host = unbracket(hostname.toLowerCase()).replace(/\.$/, '');
  for (const raw of noProxy.toLowerCase().split(/[\s,]+/)) {
    if (!raw) continue;
    if (raw === '*') return true;
    const { name, entryPort } = splitEntry(raw);
    if (entryPort !== undefined && entryPort !== port) continue;
    const domain = name.replace(/^\*/, '').replace(/^\./, '').replace(/\.$/, '');
    if (!domain) continue;
    if (host === domain || host.endsWith(`.${domain}`)) return true;
  }
  return false;
}

/** `host`, `host:port`, `[v6]`, `[v6]:port` or a bare IPv6 address. */
function splitEntry(entry: string): { name: string; entryPort?: number } {
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(entry);
  if (bracketed) return { name: bracketed[1], ...(bracketed[2] ? { entryPort: Number(bracketed[2]) } : {}) };
  const colons = entry.split(':').length - 1;
  if (colons === 1) {
    const [name, port] = entry.split(':');
    if (/^\d+$/.test(port)) return { name, entryPort: Number(port) };
  }
  return { name: entry };
}

function unbracket(host: string): string {
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}

/**
 * A URL safe to print: any user name and password are replaced by `***` and a query string by
 * `?redacted` (it may carry a token). Strings that do not parse as a URL with a host
 * (`user:pass@proxy:3128`, typos) are masked textually up to the last `@`, so a malformed proxy
 * URL cannot leak its password either.
 */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.username || u.password || u.search) {
      if (u.username || u.password) u.username = '***';
      u.password = '';
      if (u.search) u.search = '?redacted';
      return u.toString();
    }
    if (u.host) return url;
  } catch {
    // masked below
  }
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/)?[^@]*@/i, (_m, scheme: string | undefined) => `${scheme ?? ''}***@`);
}
