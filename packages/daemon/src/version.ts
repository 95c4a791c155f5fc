/** Reported by `alara id` and the API; kept equal to the packages' version. */
export const VERSION = '0.1.0'
