/**
 * Every failure ALARA reports carries a stable `code`: the CLI prints it with the message,
 * the control API returns it as `{ error: { code, message } }`, and tests match on it.
 */
export class AlaraError extends Error {
  readonly code: string

  constructor(code: string, message: string, options?: ErrorOptions) {
    super(message, options)
    this.name = 'AlaraError'
    this.code = code
  }
}

/** A message or frame that cannot be decoded, or decodes to something out of range. */
export class DecodeError extends AlaraError {
  constructor(message: string, options?: ErrorOptions) {
    super('ERR_DECODE', message, options)
    this.name = 'DecodeError'
  }
}

/**
 * A message that parses but is not in its one canonical encoding (fields in number order,
 * zero/empty fields omitted, no unknown fields, minimal varints): refused like bad bytes.
 */
export class NonCanonicalError extends DecodeError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options)
    this.name = 'NonCanonicalError'
  }
}

/** Input handed to an encoder or signer that breaks a rule of the protocol (docs/PROTOCOL.md). */
export class InvalidInputError extends AlaraError {
  constructor(message: string, options?: ErrorOptions) {
    super('ERR_INVALID_INPUT', message, options)
    this.name = 'InvalidInputError'
  }
}

/**
 * Protocol parameters that cannot work together (resolveParams): code ERR_BAD_CONFIG, as
 * the daemon's own configuration errors, since these come from config.json and flags.
 */
export class ParamsError extends AlaraError {
  constructor(message: string) {
    super('ERR_BAD_CONFIG', message)
    this.name = 'ParamsError'
  }
}

/**
 * Bytes that are not an element of the beacon's group Z_N^* / {±1} in its one encoding
 * (256 bytes big-endian, value in [2, (N−1)/2]): refused, docs/PROTOCOL.md "version 2".
 */
export class BadElementError extends AlaraError {
  constructor(message: string, options?: ErrorOptions) {
    super('ERR_BAD_ELEMENT', message, options)
    this.name = 'BadElementError'
  }
}
