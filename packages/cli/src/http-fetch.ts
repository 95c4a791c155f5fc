import { request } from 'node:http'

/**
 * The part of `fetch` the CLI uses, on node:http. Node's global fetch loads undici on its
 * first call, which costs more than everything else `alara status` does (docs/
 * BENCHMARKS.md, "CLI"); node:http is loaded with Node itself. The global `fetch` fits
 * this type, so tests and embedders may still pass it.
 */
export interface HttpResponse {
  ok: boolean
  status: number
  text(): Promise<string>
  json(): Promise<unknown>
}

export interface HttpRequestInit {
  method?: string
  headers?: Record<string, string>
  body?: string
  signal?: AbortSignal
}

export type HttpFetch = (url: string, init?: HttpRequestInit) => Promise<HttpResponse>

export const httpFetch: HttpFetch = (url, init = {}) => {
  const target = new URL(url)
  if (target.protocol !== 'http:') return fetch(url, init)
  return new Promise<HttpResponse>((resolve, reject) => {
    const req = request(
      target,
      {
        method: init.method ?? 'GET',
        headers: init.headers,
        ...(init.signal !== undefined ? { signal: init.signal } : {}),
      },
      (res) => {
        const chunks: Buffer[] = []
        res.on('data', (chunk: Buffer) => chunks.push(chunk))
        res.on('error', reject)
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8')
          const status = res.statusCode ?? 0
          resolve({
            ok: status >= 200 && status < 300,
            status,
            text: async () => text,
            json: async () => JSON.parse(text),
          })
        })
      },
    )
    req.on('error', (err) => {
      // as fetch does: an aborted signal's reason (a TimeoutError for AbortSignal.timeout)
      reject(init.signal?.aborted === true ? (init.signal.reason ?? err) : err)
    })
    req.end(init.body)
  })
}
