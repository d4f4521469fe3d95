// The demo's generated histories are deterministic: every run of a seed draws the same numbers
// from its own seed (mulberry32, a small well-known generator).

/** A generator of numbers in [0, 1) from `seed`, and `pick` of a list's items with it. */
export function seeded(seed) {
  let state = seed;
  const random = () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const pick = (list) => list[Math.floor(random() * list.length)];
  return { random, pick };
}
