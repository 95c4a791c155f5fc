import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { beforeAll, describe, expect, it } from 'vitest'
import { type Fixture, info, makeEpoch } from './beacon.fixture.js'

// The dashboard's browser bundle (packages/daemon/scripts/build-ui.mjs: platform-browser.ts
// in place of platform.ts) verifies what the Node build verifies.
const BUNDLE = fileURLToPath(new URL('../../daemon/dist-ui/alara-client.js', import.meta.url))

let fx: Fixture
beforeAll(async () => {
  fx = await makeEpoch('lab', 42, 1, { members: 3, withhold: 1 })
})

describe.skipIf(!existsSync(BUNDLE))('the browser bundle', () => {
  it('verifies a recovered epoch like the Node build', async () => {
    const body = await info('lab')
    // a browser has no Buffer: nothing on the bundle's path may lean on Node's global
    const g = globalThis as { Buffer?: unknown }
    const saved = g.Buffer
    delete g.Buffer
    try {
      const { verifyBeaconAnswer, verifyTimelockInfo } = await import(BUNDLE)
      const params = verifyTimelockInfo(body)
      const v = await verifyBeaconAnswer(fx.answer, { network: 'lab', epoch: 42, ...params })
      expect(v).toMatchObject({ status: 'recovered', beacon: fx.answer.beacon })
    } finally {
      g.Buffer = saved
    }
  })
})
