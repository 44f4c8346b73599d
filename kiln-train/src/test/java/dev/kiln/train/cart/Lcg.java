package dev.kiln.train.cart;

/**
 * 64-bit linear congruential generator whose doubles the Python reference scripts reproduce bit for bit
 * (state * 6364136223846793005 + 1442695040888963407 mod 2^64; top 53 bits / 2^53), so reference values
 * computed with scikit-learn apply to exactly the data the tests build.
 */
final class Lcg {
    private long state;

    Lcg(long seed) {
        state = seed;
    }

    double next() {
        state = state * 6364136223846793005L + 1442695040888963407L;
        return (state >>> 11) * 0x1.0p-53;
    }
}
