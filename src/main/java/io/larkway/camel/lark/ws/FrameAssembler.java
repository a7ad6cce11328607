package io.larkway.camel.lark.ws;

import java.io.ByteArrayOutputStream;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reassembles split data frames ({@code sum > 1}) by {@code message_id} in {@code seq} order.
 * Partials older than the time-to-live are dropped (Lark redelivers the whole event when it gets
 * no ack), and so is the oldest partial when a connection holds more than {@link #MAX_PARTIALS}
 * of them or more than {@link #MAX_PARTIAL_BYTES} in all: what a peer can make one connection
 * hold is bounded. Not thread-safe: one per connection, used from its event loop.
 */
public final class FrameAssembler {
    /** More parts than this is not a Lark event; refusing bounds the memory one frame can claim. */
    public static final int MAX_PARTS = 1024;
    /** Events waiting for more parts, per connection. */
    public static final int MAX_PARTIALS = 64;
    /** Bytes of all parts waiting, per connection. */
    public static final long MAX_PARTIAL_BYTES = 16L * 1024 * 1024;
    private static final Logger LOG = LoggerFactory.getLogger(FrameAssembler.class);

    private final long ttlMillis;
    private final int maxPartials;
    private final long maxBytes;
    private final String owner;
    private final Map<String, Partial> partials = new LinkedHashMap<>();
    private long bytes;

    private static final class Partial {
        final byte[][] parts;
        final long startedAt;
        int received;
        long bytes;

        Partial(int sum, long startedAt) {
            this.parts = new byte[sum][];
            this.startedAt = startedAt;
        }
    }

    public FrameAssembler(long ttlMillis) {
        this(ttlMillis, MAX_PARTIALS, MAX_PARTIAL_BYTES, "");
    }

    /** {@code owner} names the connection in log lines (its integration id). */
    public FrameAssembler(long ttlMillis, int maxPartials, long maxBytes, String owner) {
        this.ttlMillis = ttlMillis;
        this.maxPartials = maxPartials;
        this.maxBytes = maxBytes;
        this.owner = owner;
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
        byte[] data = part == null ? new byte[0] : part;
        if (sum == 1) {
            return data;
        }
        Partial p = partials.get(messageId);
        if (p == null || p.parts.length != sum) {
            if (p != null) {
                remove(messageId);
            }
            while (partials.size() >= maxPartials) {
                dropOldest("more than " + maxPartials + " events waiting for parts");
            }
            p = new Partial(sum, nowMillis);
            partials.put(messageId, p);
        }
        if (p.parts[seq] == null) {
            p.received++;
        } else {
            p.bytes -= p.parts[seq].length;
            bytes -= p.parts[seq].length;
        }
        p.parts[seq] = data;
        p.bytes += data.length;
        bytes += data.length;
        while (bytes > maxBytes) {
            String oldest = dropOldest("more than " + maxBytes + " bytes waiting for parts");
            if (oldest.equals(messageId)) {
                return null;
            }
        }
        if (p.received < sum) {
            return null;
        }
        remove(messageId);
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
            Partial p = it.next();
            if (nowMillis - p.startedAt > ttlMillis) {
                it.remove();
                bytes -= p.bytes;
                dropped++;
            }
        }
        return dropped;
    }

    /** Events waiting for more parts. */
    public int pending() {
        return partials.size();
    }

    /** Bytes of the parts waiting. */
    public long pendingBytes() {
        return bytes;
    }

    private String dropOldest(String why) {
        String oldest = partials.keySet().iterator().next();
        remove(oldest);
        LOG.warn("Incomplete split event dropped ({}; Lark redelivers it) integrationId={} message_id={}", why, owner, oldest);
        return oldest;
    }

    private void remove(String messageId) {
        Partial p = partials.remove(messageId);
        if (p != null) {
            bytes -= p.bytes;
        }
    }
}
