package io.larkway;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicLong;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Primary;

/**
 * The tests' {@link Clock}: the system clock plus an offset that a test moves forward with {@link
 * #advance}, so a lease, window, session or breaker runs out without the test sleeping. There is one,
 * {@link #SHARED}, for the whole test JVM: every Spring context, the instances tests start by hand,
 * and the Lark emulator's own timestamps read it, so the service and "Lark" never disagree about the
 * time. The offset only ever grows, so sharing it is safe: to the service an advance looks like a
 * pause, never like time running backwards, and the time it reads is never behind what another test
 * advanced it to.
 */
public final class TestClock extends Clock {
    /** The one clock of the test JVM. */
    public static final TestClock SHARED = new TestClock();

    private final AtomicLong offsetMillis = new AtomicLong();

    private TestClock() {
    }

    @Override
    public Instant instant() {
        return Instant.ofEpochMilli(millis());
    }

    @Override
    public long millis() {
        return System.currentTimeMillis() + offsetMillis.get();
    }

    /** Moves this clock forward by {@code by} (not negative). */
    public void advance(Duration by) {
        if (by.isNegative()) {
            throw new IllegalArgumentException("a shared clock only moves forward: " + by);
        }
        offsetMillis.addAndGet(by.toMillis());
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        throw new UnsupportedOperationException("larkway's clock is UTC");
    }

    /** Puts the test clock in a context in place of {@code LarkConfiguration}'s system clock. */
    @TestConfiguration(proxyBeanMethods = false)
    public static class Config {
        @Bean
        @Primary
        TestClock testClock() {
            return SHARED;
        }
    }
}
