/** Admission after close (DESIGN.md, "Epochs and consensus"): the round clock and the book. */
export * from './book.js'
export * from './re-vote.js'
export * from './rounds.js'
