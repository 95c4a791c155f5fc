import { fileURLToPath } from 'node:url'

/** The checkout's root and the built CLI entry point, as a user runs it. */
export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url))
export { CLI_BIN } from '@alara/cli'

/** T of every daemon the tests start, unless a test sets ALARA_TIMELOCK_SQUARINGS itself */
export const TEST_TIMELOCK_SQUARINGS = String(2 ** 12)

/** The environment a test's processes get: no ALARA_HOME or log settings leak in; `extra` wins. */
export function childEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env }
  delete env.ALARA_HOME
  delete env.ALARA_LOG
  delete env.DEBUG
  // A small time-lock: a daemon these tests stop between its commit and its reveal leaves
  // its peers a recovery of T squarings, ~70 s of a core at the default T (2^24). 2^12
  // keeps the rule (recover, check, combine) and costs milliseconds. A test of the
  // default T sets the variable itself.
  env.ALARA_TIMELOCK_SQUARINGS = TEST_TIMELOCK_SQUARINGS
  return { ...env, ...extra }
}
