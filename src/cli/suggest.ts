/**
 * "Did you mean": the closest word within a small edit distance (Damerau–Levenshtein with adjacent
 * transpositions, so `snyc` → `sync`). By hand: a dozen lines, and commander's own matcher is not
 * exported for the values (stages, reports) it does not know about.
 */
export const editDistance = (a: string, b: string): number => {
  const d: Array<Array<number>> = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0))
  )
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1
      let best = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost)
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, d[i - 2]![j - 2]! + 1)
      d[i]![j] = best
    }
  }
  return d[a.length]![b.length]!
}

/** The nearest candidate at distance ≤ max(1, ⌊length/3⌋), or undefined. */
export const closest = (word: string, candidates: ReadonlyArray<string>): string | undefined => {
  const limit = Math.max(1, Math.floor(word.length / 3))
  let best: { word: string; distance: number } | undefined
  for (const candidate of candidates) {
    const distance = editDistance(word.toLowerCase(), candidate.toLowerCase())
    if (distance <= limit && (best === undefined || distance < best.distance)) best = { word: candidate, distance }
  }
  return best?.word
}
