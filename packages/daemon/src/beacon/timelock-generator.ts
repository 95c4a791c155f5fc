import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import {
  computeTimelockGenerator,
  DEFAULT_TIMELOCK_GENERATOR,
  type TimelockGenerator,
  verifyTimelockGenerator,
} from '@alara/protocol'
import { CorruptStoreError } from '../errors.js'
import { REPO_FILES } from '../repo/repo.js'
import { writeFileAtomic } from '../util/atomic-file.js'

/**
 * h = g^(2^T) for the network's T (DESIGN.md "Group and parameters"): the default T's
 * ships with its proof and is checked at start (milliseconds); another T's is computed
 * once (T squarings, progress reported), kept in the repo's timelock.json with its proof,
 * and checked again at every start, so a damaged file is found, not trusted.
 */
export async function loadTimelockGenerator(
  home: string,
  T: number,
  report: (message: string) => void,
  signal?: AbortSignal,
): Promise<TimelockGenerator> {
  if (T === DEFAULT_TIMELOCK_GENERATOR.T) {
    if (!verifyTimelockGenerator(DEFAULT_TIMELOCK_GENERATOR))
      throw new CorruptStoreError('the shipped time-lock generator does not verify')
    return DEFAULT_TIMELOCK_GENERATOR
  }
  const file = join(home, REPO_FILES.timelock)
  const kept = await readKept(file)
  if (kept !== undefined && kept.T === T) {
    if (verifyTimelockGenerator(kept)) return kept
    report(`${REPO_FILES.timelock}: h for T = ${T} does not verify; computing it again`)
  }
  // said only when it takes a while (more than ~4 s at BigInt's speed)
  const say = T >= 2 ** 20 ? report : () => {}
  say(`computing h = g^(2^T) for T = ${T} squarings (once; kept in ${REPO_FILES.timelock})`)
  let lastShown = 0
  const generator = await computeTimelockGenerator(T, {
    ...(signal !== undefined ? { signal } : {}),
    onProgress: ({ phase, done, total }) => {
      const percent = Math.floor((100 * done) / total)
      if (phase === 'squarings' && percent >= lastShown + 10) {
        lastShown = percent
        say(`h: ${percent} % of ${total} squarings`)
      }
    },
  })
  await writeFileAtomic(
    file,
    `${JSON.stringify({ T, h: generator.h.toString(16), proof: generator.proof.toString(16) })}\n`,
    { mode: 0o644 },
  )
  return generator
}

async function readKept(file: string): Promise<TimelockGenerator | undefined> {
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw err
  }
  try {
    const { T, h, proof } = JSON.parse(text) as { T: unknown; h: unknown; proof: unknown }
    const hex = /^[0-9a-f]{1,600}$/
    if (!Number.isSafeInteger(T) || typeof h !== 'string' || typeof proof !== 'string')
      return undefined
    if (!hex.test(h) || !hex.test(proof)) return undefined
    return { T: T as number, h: BigInt(`0x${h}`), proof: BigInt(`0x${proof}`) }
  } catch {
    return undefined
  }
}
