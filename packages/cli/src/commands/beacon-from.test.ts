import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Fixture, info, makeEpoch } from '../../../client/src/beacon.fixture.js'
import { alara } from '../cli.fixtures.js'

/** `alara beacon --from URL`: version 2's fields, verified through @alara/client. */

let fx: Fixture
let server: Server
let url: string
let answer: () => unknown

beforeAll(async () => {
  fx = await makeEpoch('lab', 42, 2, { members: 3, withhold: 1 })
  answer = () => fx.answer
  const infoBody = JSON.stringify(await info('lab'))
  server = createServer((req, res) => {
    res.setHeader('content-type', 'application/json')
    if (req.url === '/public/info') return res.end(infoBody)
    if (req.url === '/public/42' || req.url === '/public/latest')
      return res.end(JSON.stringify(answer()))
    res.statusCode = 404
    res.end(JSON.stringify({ error: { code: 'ERR_NOT_FOUND', message: 'not final' } }))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())))

describe('beacon --from', () => {
  it('prints Ω_r, its status and members, the pool beacon, all verified', async () => {
    const r = await alara(['beacon', '42', '--from', url, '--json'])
    expect(r.code).toBe(0)
    const out = JSON.parse(r.stdout)
    expect(out).toMatchObject({
      epoch: 42,
      beacon: fx.answer.beacon,
      status: 'recovered',
      commitsDigest: fx.answer.commitsDigest,
      withheld: fx.answer.withheld,
      equivocating: [],
      poolBeacon: fx.answer.poolBeacon,
      count: 2,
      verified: true,
      source: url,
    })
    expect(out.commits).toHaveLength(3)
    const human = await alara(['beacon', 'latest', '--from', url])
    expect(human.stdout).toMatch(new RegExp(`^beacon\\s+${fx.answer.beacon}$`, 'm'))
    expect(human.stdout).toMatch(/^status\s+recovered$/m)
    expect(human.stdout).toMatch(/^verified\s+true \(every signature, D_r/m)
  })

  it('fails on a source whose Ω does not verify', async () => {
    answer = () => ({ ...fx.answer, beacon: 'ab'.repeat(32) })
    const r = await alara(['beacon', '42', '--from', url])
    expect(r.code).toBe(1)
    expect(r.stderr).toMatch(/ERR_VERIFY: epoch 42: the beacon is not Ω_r/)
    answer = () => fx.answer
  })
})
