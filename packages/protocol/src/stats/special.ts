import { AlaraError, InvalidInputError } from '../errors.js'

/**
 * Special functions for the SP 800-22 p-values: log-gamma, the regularized incomplete
 * gamma functions (P = igam, Q = igamc) and erfc. No math library (STATISTICS.md); the
 * methods are the classic ones of Numerical Recipes §6.1–6.2 and Cephes:
 * - lnGamma: Stirling's series with Bernoulli coefficients, after shifting x ≥ 15 by the
 *   recurrence Γ(x+1) = xΓ(x); the series error there is below 1e-19.
 * - igam/igamc: the power series for x < a + 1, else the continued fraction (modified
 *   Lentz). The common factor x^a e^-x / Γ(a) is formed in log space; for large a it uses
 *   a·(ln(1+t) − t) with t = (x − a)/a, which keeps full precision where a·ln x, x and
 *   lnΓ(a) are each ~1e5 and nearly cancel (serial test with m = 16: a = 2^14).
 * - erfc(x) = igamc(½, x²) (Numerical Recipes' erffc).
 */

const EPS = Number.EPSILON
/** Smallest magnitude the Lentz recurrence lets a denominator take. */
const TINY = 1e-300
const HALF_LN_2PI = 0.5 * Math.log(2 * Math.PI)
/** Below this, lnGamma shifts its argument up before Stirling's series. */
const STIRLING_MIN = 15

/** Σ B_2k / (2k(2k−1) x^(2k−1)) for k = 1..7: Stirling's series without its leading terms. */
function stirlingTail(x: number): number {
  const r = 1 / x
  const r2 = r * r
  return (
    r *
    (1 / 12 +
      r2 *
        (-1 / 360 +
          r2 * (1 / 1260 + r2 * (-1 / 1680 + r2 * (1 / 1188 + r2 * (-691 / 360360 + r2 / 156))))))
  )
}

function checkFinitePositive(name: string, value: number): void {
  if (!(value > 0) || !Number.isFinite(value))
    throw new InvalidInputError(`${name} must be a positive finite number, got ${value}`)
}

/** ln Γ(x) for x > 0. */
export function lnGamma(x: number): number {
  checkFinitePositive('x', x)
  if (x >= STIRLING_MIN) return (x - 0.5) * Math.log(x) - x + HALF_LN_2PI + stirlingTail(x)
  // ln Γ(x) = ln Γ(x + k) − ln(x (x+1) … (x+k−1)); the product stays far from overflow.
  let product = 1
  let y = x
  while (y < STIRLING_MIN) {
    product *= y
    y += 1
  }
  return (y - 0.5) * Math.log(y) - y + HALF_LN_2PI + stirlingTail(y) - Math.log(product)
}

/** ln(x^a e^-x / Γ(a)), the factor shared by the series and the continued fraction. */
function logPrefactor(a: number, x: number): number {
  if (a < STIRLING_MIN) return a * Math.log(x) - x - lnGamma(a)
  // a ln x − x − lnΓ(a) = a(ln(1+t) − t) + ½ ln(a/2π) − stirlingTail(a), t = (x − a)/a
  const t = (x - a) / a
  // Far below a, 1 + t loses digits: use ln(x/a) directly there.
  const core = Math.abs(t) <= 0.5 ? Math.log1p(t) - t : Math.log(x / a) - t
  return a * core + 0.5 * Math.log(a) - HALF_LN_2PI - stirlingTail(a)
}

/** Iteration budget: both expansions need O(√a) terms near x ≈ a. */
function maxIterations(a: number): number {
  return 1000 + Math.ceil(100 * Math.sqrt(a))
}

function notConverged(what: string, a: number, x: number): never {
  throw new AlaraError('ERR_NUMERIC', `${what} did not converge for a = ${a}, x = ${x}`)
}

/** Σ x^n / (a(a+1)…(a+n)), the series of P(a, x); used for x < a + 1. */
function lowerSeries(a: number, x: number): number {
  let term = 1 / a
  let sum = term
  let ap = a
  const limit = maxIterations(a)
  for (let n = 1; n <= limit; n++) {
    ap += 1
    term *= x / ap
    sum += term
    if (Math.abs(term) < Math.abs(sum) * EPS) return sum
  }
  return notConverged('igam series', a, x)
}

/** Continued fraction of Q(a, x) divided by the prefactor; used for x ≥ a + 1. */
function upperFraction(a: number, x: number): number {
  let b = x + 1 - a
  let c = 1 / TINY
  let d = 1 / b
  let h = d
  const limit = maxIterations(a)
  for (let i = 1; i <= limit; i++) {
    const an = -i * (i - a)
    b += 2
    d = an * d + b
    if (Math.abs(d) < TINY) d = TINY
    c = b + an / c
    if (Math.abs(c) < TINY) c = TINY
    d = 1 / d
    const delta = d * c
    h *= delta
    if (Math.abs(delta - 1) < EPS) return h
  }
  return notConverged('igamc continued fraction', a, x)
}

function checkGammaArgs(a: number, x: number): void {
  checkFinitePositive('a', a)
  if (!(x >= 0)) throw new InvalidInputError(`x must be a number >= 0, got ${x}`)
}

/** Regularized lower incomplete gamma P(a, x) = γ(a, x)/Γ(a), a > 0, x ≥ 0. */
export function igam(a: number, x: number): number {
  checkGammaArgs(a, x)
  if (x === 0) return 0
  if (x === Number.POSITIVE_INFINITY) return 1
  if (x < a + 1) return lowerSeries(a, x) * Math.exp(logPrefactor(a, x))
  return 1 - upperFraction(a, x) * Math.exp(logPrefactor(a, x))
}

/** Regularized upper incomplete gamma Q(a, x) = Γ(a, x)/Γ(a) = 1 − P(a, x), a > 0, x ≥ 0. */
export function igamc(a: number, x: number): number {
  checkGammaArgs(a, x)
  if (x === 0) return 1
  if (x === Number.POSITIVE_INFINITY) return 0
  if (x < a + 1) return 1 - lowerSeries(a, x) * Math.exp(logPrefactor(a, x))
  return upperFraction(a, x) * Math.exp(logPrefactor(a, x))
}

/** Complementary error function. */
export function erfc(x: number): number {
  if (Number.isNaN(x)) throw new InvalidInputError('erfc of NaN')
  if (x === 0) return 1
  const q = igamc(0.5, x * x)
  return x > 0 ? q : 2 - q
}

/** Standard normal cumulative distribution Φ(x). */
export function normalCdf(x: number): number {
  return 0.5 * erfc(-x * Math.SQRT1_2)
}
