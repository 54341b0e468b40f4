/**
 * Browser security headers for every answer (helmet): a strict Content-Security-Policy, no framing,
 * no MIME sniffing, no referrer. Issue 18 ("Headers"); docs/security.md, "Hardening".
 *
 * The policy is what the built UI (ui/dist) needs and no more:
 * - scripts only from this origin: the Vite build emits `<script type="module" src="/assets/…">` and
 *   nothing inline; no bundled library calls `eval`/`new Function` (bpmn-js, form-js, feelin, uPlot),
 *   so there is no 'unsafe-eval'; no inline event handlers (`script-src-attr 'none'`);
 * - styles only from this origin's style sheets: no `<style>` element, no `style="…"` attribute
 *   (the shell pages set styles through CSSOM, which CSP does not restrict). One exception, the
 *   designer page (`/designer`): the form editor's FEEL/JSON editors (CodeMirror 6, through
 *   style-mod) and its date picker (flatpickr) insert `<style>` elements at run time, and diagram-js,
 *   bpmn-js and the properties panel build their DOM from HTML strings with `style="…"`. CodeMirror
 *   could take a nonce (EditorView.cspNonce) but form-js creates its editors without one, so that page
 *   alone gets `'unsafe-inline'` for styles — never for scripts. CSS cannot run script; the page
 *   needs a designer's login;
 * - images and fonts from this origin plus `data:` (bpmn-js's icon font and SVG markers, the empty
 *   favicon) and `blob:` (downloads and previews the pages create with URL.createObjectURL);
 * - fetch/XHR to this origin only; no plugins, no `<base>`, forms post only here; never framed.
 * A test (test/ui harness) fails on any `securitypolicyviolation`, so a page needing more shows at once.
 */
import helmet from 'helmet';
import type { RequestHandler } from 'express';

export const CONTENT_SECURITY_POLICY = {
  'default-src': ["'self'"],
  'base-uri': ["'none'"],
  'script-src': ["'self'"],
  'script-src-attr': ["'none'"],
  'style-src': ["'self'"],
  'style-src-elem': ["'self'"],
  'style-src-attr': ["'none'"],
  'img-src': ["'self'", 'data:', 'blob:'],
  'font-src': ["'self'", 'data:'],
  'connect-src': ["'self'"],
  'worker-src': ["'self'"],
  'manifest-src': ["'self'"],
  'media-src': ["'self'", 'blob:'],
  'object-src': ["'none'"],
  'frame-src': ["'none'"],
  'frame-ancestors': ["'none'"],
  'form-action': ["'self'"],
} as const;

/** The designer page's policy: the same, with inline styles allowed (see above). */
export const DESIGNER_CONTENT_SECURITY_POLICY = {
  ...CONTENT_SECURITY_POLICY,
  'style-src': ["'self'", "'unsafe-inline'"],
  'style-src-elem': ["'self'", "'unsafe-inline'"],
  'style-src-attr': ["'unsafe-inline'"],
} as const;

/** Pages served with {@link DESIGNER_CONTENT_SECURITY_POLICY}. */
const INLINE_STYLE_PAGES = new Set(['/designer', '/designer/']);

export function securityHeaders(): RequestHandler {
  const strict = headers(CONTENT_SECURITY_POLICY);
  const designer = headers(DESIGNER_CONTENT_SECURITY_POLICY);
  return (req, res, next) => (INLINE_STYLE_PAGES.has(req.path) ? designer : strict)(req, res, next);
}

function headers(policy: Record<string, readonly string[]>): RequestHandler {
  return helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      // Not `upgrade-insecure-requests`: the platform is also served over plain HTTP on a LAN or localhost.
      directives: Object.fromEntries(Object.entries(policy).map(([k, v]) => [k, [...v]])),
    },
    // X-Frame-Options for browsers without frame-ancestors.
    xFrameOptions: { action: 'deny' },
    referrerPolicy: { policy: 'no-referrer' },
    // HSTS only matters behind TLS; not for subdomains the operator may run elsewhere.
    strictTransportSecurity: { maxAge: 15_552_000, includeSubDomains: false },
    // Open311 and API clients are not browsers; other sites' pages must not embed our answers.
    crossOriginResourcePolicy: { policy: 'same-origin' },
    crossOriginOpenerPolicy: { policy: 'same-origin' },
    crossOriginEmbedderPolicy: false,
  });
}
