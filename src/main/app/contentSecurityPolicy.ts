// The renderer's Content-Security-Policy, one definition for every place it is
// set: the <meta> in src/renderer/index.html (test/electron-window.test.ts keeps
// them equal), Electron's response headers, and `h5blocks serve`'s headers.
//
// Only the app's own scripts run (no inline script, no eval, nothing remote).
// Inline styles are allowed because charting and virtualised tables position
// elements with style attributes; a style cannot run code, and with images,
// fonts and connections limited to the app itself it cannot send data out.

const DIRECTIVES: [string, string][] = [
  ['default-src', "'none'"],
  ['script-src', "'self'"],
  ['style-src', "'self' 'unsafe-inline'"],
  ['img-src', "'self' data: blob:"],
  ['font-src', "'self' data:"],
  // 'self' also covers the page's own ws:// origin (the serve transport).
  ['connect-src', "'self'"],
  ['worker-src', "'self' blob:"],
  ['object-src', "'none'"],
  ['frame-src', "'none'"],
  ['base-uri', "'none'"],
  ['form-action', "'none'"],
];

// Browsers ignore this one in a <meta> (and warn), so it is sent only as a header.
const HEADER_ONLY: [string, string][] = [['frame-ancestors', "'none'"]];

const join = (directives: [string, string][]) => directives.map(([name, value]) => `${name} ${value}`).join('; ');

/** The policy as written in index.html's <meta http-equiv="Content-Security-Policy">. */
export const CONTENT_SECURITY_POLICY = join(DIRECTIVES);

/** The policy as a response header. */
export const CONTENT_SECURITY_POLICY_HEADER = join([...DIRECTIVES, ...HEADER_ONLY]);
