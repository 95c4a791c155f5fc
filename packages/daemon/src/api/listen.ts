import type { FastifyInstance } from 'fastify'
import { PortInUseError } from '../errors.js'

export interface Listening {
  /** base URL, an IPv6 host in brackets */
  url: string
  close(): Promise<void>
}

/**
 * Binds a built fastify app (the control API, the public beacon API) to HOST:PORT. A busy
 * port becomes a PortInUseError naming the listener and the flag that moves it; port 0
 * reports the port the system picked.
 */
export async function listenOn(
  app: FastifyInstance,
  at: { host: string; port: number },
  what: string,
  flag: string,
): Promise<Listening> {
  try {
    await app.listen({ host: at.host, port: at.port })
  } catch (err) {
    await app.close()
    if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE')
      throw new PortInUseError(
        what,
        `${at.host}:${at.port}`,
        `stop what uses it or pick another with ${flag} HOST:PORT (port 0 picks a free one)`,
      )
    throw err
  }
  const address = app.server.address()
  const port = typeof address === 'object' && address !== null ? address.port : at.port
  const host = at.host.includes(':') ? `[${at.host}]` : at.host
  return { url: `http://${host}:${port}`, close: () => app.close() }
}
