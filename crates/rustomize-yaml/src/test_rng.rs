//! The pseudo-random numbers the randomised tests draw (xorshift64): the
//! same sequence for a seed on every machine, so a failure reruns alike.

/// A generator of the xorshift64 sequence from `seed` (not 0).
pub(crate) fn xorshift(seed: u64) -> impl FnMut() -> u64 {
    let mut state = seed;
    move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    }
}
