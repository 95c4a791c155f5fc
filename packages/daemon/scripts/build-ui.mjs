#!/usr/bin/env node
// Bundles @alara/client (and what it imports: @alara/protocol/wire, protons-runtime,
// uint8arrays) into one browser ES module for the dashboard's beacon panel:
// dist-ui/alara-client.js, served at /ui/vendor/alara-client.js (src/api/ui.ts). Built
// from the client's dist, so run it after `tsc -b` (scripts/setup and `pnpm build` do).
// The bundle is for browsers only: a Node built-in anywhere on its path fails the build.
import { mkdir, writeFile } from 'node:fs/promises'
import { dirname, join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'

const here = dirname(fileURLToPath(import.meta.url))
const outdir = join(here, '..', 'dist-ui')
const entry = fileURLToPath(import.meta.resolve('@alara/client'))

const result = await build({
  entryPoints: [entry],
  bundle: true,
  format: 'esm',
  platform: 'browser',
  // the browsers with WebCrypto Ed25519 (Chromium 137, Firefox 129, Safari 17)
  target: ['chrome137', 'firefox129', 'safari17'],
  outfile: join(outdir, 'alara-client.js'),
  minify: true,
  sourcemap: 'linked',
  legalComments: 'linked',
  metafile: true,
  logLevel: 'warning',
})

// platform 'browser' already refuses to resolve node:* modules; this also catches any
// import left external (which a browser could not load from /ui/vendor/)
const output = Object.values(result.metafile.outputs).find((o) => o.entryPoint !== undefined)
const external = (output?.imports ?? []).filter((i) => i.external).map((i) => i.path)
const nodeInputs = Object.keys(result.metafile.inputs).filter((p) => /^node:|\(disabled\)/.test(p))
if (external.length > 0 || nodeInputs.length > 0) {
  console.error(
    `build-ui: the client bundle must stand alone in a browser; it imports ${[...external, ...nodeInputs].join(', ')}`,
  )
  process.exit(1)
}
await mkdir(outdir, { recursive: true })
await writeFile(join(outdir, 'meta.json'), JSON.stringify(result.metafile))
const bytes = Object.entries(result.metafile.outputs)
  .filter(([path]) => path.endsWith('.js'))
  .map(([path, o]) => `${relative(process.cwd(), path)} ${(o.bytes / 1024).toFixed(1)} KiB`)
console.error(`build-ui: ${bytes.join(', ')}`)
