import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/** 192 random bits: the whole of the server's access control besides the loopback address. */
export function makeToken(): string {
  return randomBytes(24).toString('base64url');
}

export function tokenMatches(candidate: string | null | undefined, token: string): boolean {
  if (typeof candidate !== 'string') return false;
  const a = Buffer.from(candidate);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Cookies are shared by every port on a host, so the name carries the port: two servers do not mix tokens. */
export function cookieName(port: number): string {
  return `h5blocks_token_${port}`;
}

export function cookieValue(request: IncomingMessage, name: string): string | undefined {
  for (const part of (request.headers.cookie ?? '').split(';')) {
    const [key, ...value] = part.trim().split('=');
    if (key === name) return value.join('=');
  }
  return undefined;
}

/** The token from `?token=` or, for the page's own requests, the cookie set when it was opened. */
export function requestToken(request: IncomingMessage, url: URL, port: number): string | undefined {
  return url.searchParams.get('token') ?? cookieValue(request, cookieName(port));
}
