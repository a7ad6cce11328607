package io.larkway.lark;

import java.io.ByteArrayOutputStream;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reassembles split data frames ({@code sum > 1}) by {@code message_id} in {@code seq} order.
 * Partials older than the time-to-live are dropped (Lark redelivers the whole event when it gets
 * no ack). Not thread-safe: one per connection, used from its event loop.
 */
public final class FrameAssembler {
    /** More parts than this is not a Lark event; refusing bounds the memory one frame can claim. */
    public static final int MAX_PARTS = 1024;

    private final long ttlMillis;
    private final Map<String, Partial> partials = new LinkedHashMap<>();

    private static final class Partial {
        final byte[][] parts;
        final long startedAt;
        int received;

        Partial(int sum, long startedAt) {
            this.parts = new byte[sum][];
            this.startedAt = startedAt;
        }
    }

    public FrameAssembler(long ttlMillis) {
        this.ttlMillis = ttlMillis;
    }

    /**
     * Adds part {@code seq} (0-based) of {@code sum}; answers the whole payload once every part
     * arrived, else null. A repeated part replaces the earlier copy; invalid seq/sum throws
     * {@link IllegalArgumentException}.
     */
    public byte[] add(String messageId, int sum, int seq, byte[] part, long nowMillis) {
        if (sum < 1 || sum > MAX_PARTS || seq < 0 || seq >= sum) {
            throw new IllegalArgumentException("invalid part seq=" + seq + " sum=" + sum);
        }
        dropStale(nowMillis);
        if (sum == 1) {
            return part == null ? new byte[0] : part;
        }
        Partial p = partials.get(messageId);
        if (p == null || p.parts.length != sum) {
            p = new Partial(sum, nowMillis);
            partials.put(messageId, p);
        }
        if (p.parts[seq] == null) {
            p.received++;
        }
        p.parts[seq] = part == null ? new byte[0] : part;
        if (p.received < sum) {
            return null;
        }
        partials.remove(messageId);
        ByteArrayOutputStream whole = new ByteArrayOutputStream();
        for (byte[] b : p.parts) {
            whole.writeBytes(b);
        }
        return whole.toByteArray();
    }

    /** Drops partials older than the time-to-live; answers how many. */
    public int dropStale(long nowMillis) {
        int dropped = 0;
        Iterator<Partial> it = partials.values().iterator();
        while (it.hasNext()) {
            if (nowMillis - it.next().startedAt > ttlMillis) {
                it.remove();
                dropped++;
            }
        }
        return dropped;
    }

    /** Events waiting for more parts. */
    public int pending() {
        return partials.size();
    }
}
