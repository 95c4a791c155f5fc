export * from './inspect.js'
export * from './thread-jobs.js'
