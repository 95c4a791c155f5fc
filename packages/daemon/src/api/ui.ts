import { createRequire } from 'node:module'
import { dirname } from 'node:path'
import { fileURLToPath } from 'node:url'
import fastifyStatic from '@fastify/static'
import type { FastifyInstance, FastifyReply } from 'fastify'

/**
 * The live dashboard, `/ui/` on the control API: static files shipped in this package
 * (ui/) and uPlot from its npm package, served without a token (they hold no data; the
 * page reads the token from its URL fragment and calls /v1/* with it). Nothing is loaded
 * from elsewhere, so it works with no internet; the CSP says so to the browser too.
 */

export const UI_DIR = fileURLToPath(new URL('../../ui/', import.meta.url))
const UPLOT_DIR = dirname(createRequire(import.meta.url).resolve('uplot'))
const UPLOT_FILES = new Set(['/uPlot.iife.min.js', '/uPlot.min.css'])

const HEADERS: Record<string, string> = {
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-cache',
}

/** Whether a request path is the dashboard's (served without a token). */
export function isUiPath(path: string): boolean {
  return path === '/ui' || path.startsWith('/ui/')
}

export function registerUi(app: FastifyInstance): void {
  const setHeaders = (reply: FastifyReply): void => {
    void reply.headers(HEADERS)
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
}
