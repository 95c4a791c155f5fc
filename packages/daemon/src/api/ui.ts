import { createRequire } from 'node:module'
import { dirname } from 'node:path'
import { fileURLToPath } from 'node:url'
import fastifyStatic from '@fastify/static'
import type { FastifyInstance, FastifyReply } from 'fastify'

/**
 * The live dashboard, `/ui/` on the control API: static files shipped in this package
 * (ui/) and uPlot from its npm package, served without a token (they hold no data; the
 * page reads the token from its URL fragment and calls /v1/* with it). Nothing is loaded
 * from elsewhere, so it works with no internet; the CSP says so to the browser too. The
 * beacon panel runs @alara/client, bundled for the browser at build time into dist-ui/
 * (scripts/build-ui.mjs), and may connect to one more origin: this node's public beacon
 * API, when it is on.
 */

export const UI_DIR = fileURLToPath(new URL('../../ui/', import.meta.url))
const UPLOT_DIR = dirname(createRequire(import.meta.url).resolve('uplot'))
const UPLOT_FILES = new Set(['/uPlot.iife.min.js', '/uPlot.min.css'])
export const CLIENT_BUNDLE_DIR = fileURLToPath(new URL('../../dist-ui/', import.meta.url))
const CLIENT_FILES = new Set(['/alara-client.js', '/alara-client.js.map'])

const HEADERS: Record<string, string> = {
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-cache',
}

/** The hosts a listener bound to every interface reports; a browser cannot fetch them. */
const WILDCARD_HOSTS = new Set(['0.0.0.0', '[::]'])

/**
 * The origin the page fetches the public beacon API from: its URL, with a wildcard bind
 * address replaced by the host the page itself was loaded from (the dashboard does the
 * same). Undefined when the URL is not http(s).
 */
export function publicApiOrigin(publicApiUrl: string, pageHostname: string): string | undefined {
  let url: URL
  try {
    url = new URL(publicApiUrl)
  } catch {
    return undefined
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined
  if (WILDCARD_HOSTS.has(url.hostname)) url.hostname = pageHostname
  return url.origin
}

/** The page's CSP: nothing from elsewhere, but reads from this node's public beacon API. */
export function contentSecurityPolicy(beaconOrigin: string | undefined): string {
  const connect = beaconOrigin === undefined ? "'self'" : `'self' ${beaconOrigin}`
  return `default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src ${connect}; base-uri 'none'; frame-ancestors 'none'`
}

export interface UiOptions {
  /** this node's public beacon API (`publicApi` on), for the beacon panel */
  publicApiUrl?: string
}

/** Whether a request path is the dashboard's (served without a token). */
export function isUiPath(path: string): boolean {
  return path === '/ui' || path.startsWith('/ui/')
}

export function registerUi(app: FastifyInstance, options: UiOptions = {}): void {
  const setHeaders = (reply: FastifyReply): void => {
    const origin =
      options.publicApiUrl === undefined
        ? undefined
        : publicApiOrigin(options.publicApiUrl, reply.request.hostname)
    void reply.headers({ ...HEADERS, 'content-security-policy': contentSecurityPolicy(origin) })
  }
  app.get('/ui', (_request, reply) => reply.redirect('/ui/'))
  void app.register(fastifyStatic, {
    root: UI_DIR,
    prefix: '/ui/',
    index: 'index.html',
    decorateReply: false,
    setHeaders,
  })
  void app.register(fastifyStatic, {
    root: UPLOT_DIR,
    prefix: '/ui/vendor/uplot/',
    decorateReply: false,
    index: false,
    allowedPath: (path) => UPLOT_FILES.has(path),
    setHeaders,
  })
  void app.register(fastifyStatic, {
    root: CLIENT_BUNDLE_DIR,
    prefix: '/ui/vendor/client/',
    decorateReply: false,
    index: false,
    allowedPath: (path) => CLIENT_FILES.has(path),
    setHeaders,
  })
}
