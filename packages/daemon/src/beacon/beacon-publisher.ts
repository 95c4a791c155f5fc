/** Where version 2's messages go out (the gossip service; a test's collector). */
export interface BeaconPublisher {
  publishCommit(epoch: number, encoded: Uint8Array): Promise<void>
  publishReveal(epoch: number, encoded: Uint8Array): Promise<void>
  publishRecovery(epoch: number, encoded: Uint8Array): Promise<void>
}
