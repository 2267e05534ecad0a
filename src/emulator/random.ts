/**
 * Deterministic randomness, ids and Bill.com's timestamp rendering. Everything the emulator
 * generates flows through these helpers, so two emulators started from the same seed serve
 * byte-identical data and fault sequences.
 */

/** 32-bit FNV-1a followed by a murmur3 finaliser: fast, well mixed, stable across runs. */
export const hash32 = (text: string): number => {
  let h = 0x811c9dc5
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i)
    h = Math.imul(h, 0x01000193)
  }
  h ^= h >>> 16
  h = Math.imul(h, 0x85ebca6b)
  h ^= h >>> 13
  h = Math.imul(h, 0xc2b2ae35)
  h ^= h >>> 16
  return h >>> 0
}

/** A uniform number in [0, 1) derived from a key — used for per-request fault decisions. */
export const unitFromKey = (key: string): number => hash32(key) / 4294967296

/** sfc32: a small, fast PRNG with a 128-bit state; good enough for synthetic data. */
export class Random {
  private a: number
  private b: number
  private c: number
  private d: number

  constructor(seed: string) {
    this.a = hash32(`${seed}/a`)
    this.b = hash32(`${seed}/b`)
    this.c = hash32(`${seed}/c`)
    this.d = hash32(`${seed}/d`) | 1
    for (let i = 0; i < 12; i++) this.next()
  }

  /** Uniform in [0, 1). */
  next(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0
    this.d = (this.d + 1) | 0
    this.a = this.b ^ (this.b >>> 9)
    this.b = (this.c + (this.c << 3)) | 0
    this.c = (this.c << 21) | (this.c >>> 11)
    this.c = (this.c + t) | 0
    return (t >>> 0) / 4294967296
  }

  /** Integer in [min, max] inclusive. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1))
  }

  chance(p: number): boolean {
    return this.next() < p
  }

  pick<A>(items: ReadonlyArray<A>): A {
    if (items.length === 0) throw new Error("Random.pick on an empty array")
    return items[Math.floor(this.next() * items.length)] as A
  }

  /** Pick by weight; `weights[i]` belongs to `items[i]`. */
  weighted<A>(items: ReadonlyArray<A>, weights: ReadonlyArray<number>): A {
    let total = 0
    for (const w of weights) total += w
    let r = this.next() * total
    for (let i = 0; i < items.length; i++) {
      r -= weights[i] ?? 0
      if (r < 0) return items[i] as A
    }
    return items[items.length - 1] as A
  }

  alnum(length: number): string {
    const codes = new Array<number>(length)
    for (let i = 0; i < length; i++) codes[i] = ALNUM.charCodeAt(Math.floor(this.next() * 62))
    return String.fromCharCode(...codes)
  }

  digits(length: number): string {
    const codes = new Array<number>(length)
    for (let i = 0; i < length; i++) codes[i] = 48 + Math.floor(this.next() * 10)
    return String.fromCharCode(...codes)
  }
}

/**
 * Flatten a concatenated string: V8 keeps `a + b` as a rope until first read, and a rope per
 * generated field adds up across a million records. Reading a char flattens it in place.
 */
export const flat = (text: string): string => {
  text.charCodeAt(0)
  return text
}

const ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

/**
 * Bill.com ids: 3-character type prefix + "02" + 15 alphanumerics (§2.1): 10 random characters
 * (upper case first, like the real ones) then a 5-character base-62 counter, so ids are unique by
 * construction without remembering every id issued (a 200k-bill organisation has ~1M of them).
 * Factories for the same organisation use disjoint counter ranges (`counterBase`).
 */
export class IdFactory {
  private counter: number
  constructor(
    private readonly random: Random,
    counterBase = 1
  ) {
    this.counter = counterBase
  }

  make(prefix: string): string {
    // Built from char codes: string concatenation would leave rope nodes behind (~10× the memory).
    const codes = this.codes
    for (let i = 0; i < 3; i++) codes[i] = prefix.charCodeAt(i)
    codes[3] = 48
    codes[4] = 50
    for (let i = 5; i < 11; i++) codes[i] = ALNUM_CODES[Math.floor(this.random.next() * 26)]!
    for (let i = 11; i < 15; i++) codes[i] = ALNUM_CODES[Math.floor(this.random.next() * 62)]!
    // A bijection on [0, 62^5) (multiplier coprime to 62) keeps ids unique without looking sequential.
    let n = mulMod(this.counter++, 387_420_489, 916_132_832)
    for (let i = 19; i >= 15; i--) {
      codes[i] = ALNUM_CODES[n % 62]!
      n = Math.floor(n / 62)
    }
    return String.fromCharCode(...codes)
  }

  private readonly codes: Array<number> = new Array<number>(20).fill(0)
}

/** (a × b) mod m without leaving the 2^53 safe-integer range (a, m < 2^30). */
const mulMod = (a: number, b: number, m: number): number =>
  (((a * Math.floor(b / 65536)) % m) * 65536 + a * (b % 65536)) % m

const ALNUM_CODES = Array.from(ALNUM, (c) => c.charCodeAt(0))

/** Counter range for ids minted while the emulator runs (the generator uses the lower half). */
export const RUNTIME_ID_BASE = Math.floor(62 ** 5 / 2)

export const DAY_MS = 86_400_000

/** v3 timestamp: `yyyy-MM-ddTHH:mm:ss.SSS+00:00` (§2.1). */
export const formatTimestamp = (ms: number): string => new Date(ms).toISOString().slice(0, 23) + "+00:00"

/** v2 timestamp: `yyyy-MM-ddTHH:mm:ss.SSS+0000` (§2.1). */
export const formatTimestampV2 = (ms: number): string => new Date(ms).toISOString().slice(0, 23) + "+0000"

/** Business date `yyyy-MM-dd` from a day number (days since 1970-01-01 UTC). */
export const formatDay = (day: number): string => new Date(day * DAY_MS).toISOString().slice(0, 10)

export const dayOf = (ms: number): number => Math.floor(ms / DAY_MS)

export const parseDay = (text: string): number => Math.floor(Date.parse(`${text}T00:00:00.000Z`) / DAY_MS)

/** Money is generated and stored in integer cents; rendered as a JSON number with 2 decimals. */
export const money = (cents: number): number => Math.round(cents) / 100
