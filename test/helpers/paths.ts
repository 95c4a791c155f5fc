import { fileURLToPath } from 'node:url'

/** The checkout's root and the built CLI entry point, as a user runs it. */
export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url))
export { CLI_BIN } from '@alara/cli'

/** The environment a test's processes get: no ALARA_HOME or log settings leak in; `extra` wins. */
export function childEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env }
  delete env.ALARA_HOME
  delete env.ALARA_LOG
  delete env.DEBUG
  return { ...env, ...extra }
}
