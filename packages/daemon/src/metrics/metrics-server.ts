import { createServer } from 'node:http'
import type { Registry } from 'prom-client'
import { PortInUseError } from '../errors.js'

/**
 * The metrics listener: `GET /metrics` in the Prometheus text format, nothing else, no
 * token (what it tells is counts and timings; bind it where your scraper reaches it).
 */

export interface MetricsServer {
  url: string
  close(): Promise<void>
}

export async function startMetricsServer(init: {
  host: string
  port: number
  registry: Registry
}): Promise<MetricsServer> {
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0]
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res
        .writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain' })
        .end('method not allowed\n')
      return
    }
    if (path !== '/metrics') {
      res
        .writeHead(404, { 'content-type': 'text/plain' })
        .end('not found: the metrics are at /metrics\n')
      return
    }
    init.registry.metrics().then(
      (text) => {
        res.writeHead(200, { 'content-type': init.registry.contentType })
        res.end(req.method === 'HEAD' ? undefined : text)
      },
      (err: Error) => {
        res.writeHead(500, { 'content-type': 'text/plain' }).end(`metrics failed: ${err.message}\n`)
      },
    )
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => {
      reject(
        err.code === 'EADDRINUSE'
          ? new PortInUseError(
              'metrics',
              `${init.host}:${init.port}`,
              'stop what uses it or pick another with --metrics HOST:PORT (port 0 picks a free one)',
            )
          : err,
      )
    })
    server.listen(init.port, init.host, () => resolve())
  })
  const address = server.address()
  const port = typeof address === 'object' && address !== null ? address.port : init.port
  const host = init.host.includes(':') ? `[${init.host}]` : init.host
  return {
    url: `http://${host}:${port}`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}
