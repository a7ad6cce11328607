package io.larkway.platform;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * At most one "now" per key (an integration) per interval: a flood of the same condition (forged
 * webhook posts, messages over the organisation's turn limit) writes one recent error, and the
 * rest only counts. In memory, per instance; the keys are integration ids, so it stays small.
 */
public final class OncePerInterval {
    private final Map<String, Instant> last = new ConcurrentHashMap<>();
    private final Clock clock;
    private final Duration interval;

    public OncePerInterval(Clock clock, Duration interval) {
        this.clock = clock;
        this.interval = interval;
    }

    /** True the first time for the key, then again once the interval has passed since the last true. */
    public boolean now(String key) {
        Instant now = clock.instant();
        boolean[] due = {false};
        last.compute(key, (k, before) -> {
            due[0] = before == null || !now.isBefore(before.plus(interval));
            return due[0] ? now : before;
        });
        return due[0];
    }
}
