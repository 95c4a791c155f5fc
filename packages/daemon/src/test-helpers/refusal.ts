import { AlaraError } from '@alara/protocol'
import { expect } from 'vitest'

/** Refusal helpers: what a refused call threw, as an AlaraError (config, repo tests). */

/** Runs `fn` and returns the AlaraError it throws (fails when it does not throw one). */
export function refusal(fn: () => unknown): AlaraError {
  try {
    fn()
  } catch (err) {
    expect(err).toBeInstanceOf(AlaraError)
    return err as AlaraError
  }
  throw new Error('expected a refusal, but the call returned')
}

export async function refusalOf(promise: Promise<unknown>): Promise<AlaraError> {
  try {
    await promise
  } catch (err) {
    expect(err).toBeInstanceOf(AlaraError)
    return err as AlaraError
  }
  throw new Error('expected a refusal, but the call resolved')
}
