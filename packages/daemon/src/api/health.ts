import { createHmac } from 'node:crypto'

/**
 * The unauthenticated liveness and identity answer of `GET /v1/healthz`. A client that
 * holds the repo's token checks, before sending that token, that the process answering
 * is the repo's daemon: it sends a random `challenge` and compares `proof`, an HMAC of
 * the challenge and the answer under the token (so the proof reveals nothing about it,
 * and only a process that knows the token can make it). Shared by daemon and CLI.
 */

export interface HealthAnswer {
  ok: true
  peerId?: string
  pid: number
  /** hex HMAC-SHA256, present when a challenge was given */
  proof?: string
}

/** 16 to 64 bytes, hex */
export const CHALLENGE_RE = /^[0-9a-f]{32,128}$/

export function healthProof(token: string, challenge: string, peerId: string, pid: number): string {
  return createHmac('sha256', token)
    .update(`alara-api-health\n${challenge}\n${peerId}\n${pid}`)
    .digest('hex')
}
