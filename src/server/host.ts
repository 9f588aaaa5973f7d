/**
 * Loopback checks. The server binds to 127.0.0.1 by default: the dashboard runs simulations for whoever can reach
 * it, so anything else is the user's explicit choice (and `serve` warns). Bound to loopback, it also answers only
 * requests whose Host header names a loopback address: a web page cannot then reach it through a DNS name that
 * resolves to 127.0.0.1 (DNS rebinding).
 */
import { isIP } from 'node:net';

/** 'localhost', 127.0.0.0/8, ::1 (with or without brackets), ::ffff:127.x. */
export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  if (h === 'localhost' || h.endsWith('.localhost')) return true;
  if (isIP(h) === 4) return h.startsWith('127.');
  if (isIP(h) === 6) return h === '::1' || /^::ffff:127\./.test(h) || /^(0+:){7}0*1$/.test(h);
  return false;
}

/** The host part of a Host header ('[::1]:8737' -> '::1', 'localhost:80' -> 'localhost'). */
export function hostOfHeader(header: string): string {
  const m = /^\[([^\]]*)\](?::\d+)?$/.exec(header);
  if (m) return m[1];
  const i = header.lastIndexOf(':');
  return i >= 0 && header.indexOf(':') === i ? header.slice(0, i) : header;
}
