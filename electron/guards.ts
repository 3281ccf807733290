/**
 * The security decisions of the Electron shell as pure functions, so they are tested
 * under plain Node (no Electron binary here). main.ts only wires them to Electron events.
 */

/** The custom protocol the app is served from (never file://). */
export const appScheme = 'app';
export const appHost = 'tilldesk';
export const appOrigin = `${appScheme}://${appHost}`;

/** True for URLs inside the app itself: the only place a window may navigate to. */
export function isAppUrl(url: string | undefined | null): boolean {
  if (!url) return false;
  try {
    const parsed = new URL(url);
    return parsed.protocol === `${appScheme}:` && parsed.host === appHost;
  } catch {
    return false;
  }
}

/** IPC is answered only for the app's own top frame. */
export function isTrustedSender(frameUrl: string | undefined | null, isMainFrame: boolean): boolean {
  return isMainFrame && isAppUrl(frameUrl);
}

/** Hosts a link in the app may open in the system browser; everything else is dropped. */
export const externalHosts = new Set(['tilldesk.app', 'docs.tilldesk.app']);

export function isVettedExternalUrl(url: string): boolean {
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'https:' && externalHosts.has(parsed.hostname) && parsed.username === '' && parsed.password === '';
  } catch {
    return false;
  }
}

/** Resolves an app:// request to a file inside the renderer folder, or null (traversal, other host). */
export function resolveAppFile(
  url: string,
  rendererDir: string,
  join: (...parts: string[]) => string,
  sep: string,
): string | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return null;
  }
  if (parsed.protocol !== `${appScheme}:` || parsed.host !== appHost) return null;
  let path: string;
  try {
    path = decodeURIComponent(parsed.pathname);
  } catch {
    return null;
  }
  if (path.includes('\0')) return null;
  const relative = path === '/' || path === '' ? 'index.html' : path.replace(/^\/+/, '');
  const file = join(rendererDir, relative);
  return file.startsWith(rendererDir + sep) ? file : null;
}

/** Every permission request (camera, notifications, geolocation, ...) is refused. */
export function permissionDecision(_permission: string): false {
  return false;
}
