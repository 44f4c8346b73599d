package dev.kiln.serve.traffic;

/**
 * Where a routing key falls: a bucket from 0 to 9,999, the same for a key on every server and after every restart, so
 * that a canary's share P answers exactly the keys whose bucket is under P.
 */
public final class RouteBuckets {
    private RouteBuckets() {
    }

    /**
     * The bucket (0 to 9,999) of a routing key: stable for a key (across restarts and servers: it depends on the
     * key's characters only), uniform over keys; a random one for null. A request goes to a canary of share P
     * basis points when its bucket is under P, so a key on the canary stays there when the share grows.
     */
    public static int bucket(String key) {
        if (key == null) {
            return java.util.concurrent.ThreadLocalRandom.current().nextInt(10_000);
        }
        return (int) Long.remainderUnsigned(mix64(key), 10_000);
    }

    /**
     * 64 well-mixed bits of a string, the same on every JVM: FNV-1a over the UTF-16 units, then a murmur3 finaliser
     * (so that strings differing in their last character, customer-1, customer-2, ..., spread over all values).
     */
    static long mix64(String s) {
        long h = 0xcbf29ce484222325L;
        for (int i = 0; i < s.length(); i++) {
            h ^= s.charAt(i);
            h *= 0x100000001b3L;
        }
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        h *= 0xc4ceb9fe1a85ec53L;
        h ^= h >>> 33;
        return h;
    }
}
