package io.larkway.camel.lark.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The per-integration send limiter: a burst of one tenant waits; another tenant's sends do not wait for it. */
class SendLimiterTest {
    private final SendLimiter limiter = new SendLimiter(5, 50, Clock.systemUTC());
    /**
     * The window as the nanosecond timer sees it: the limiter counts in the clock's whole milliseconds, so a wait can end up
     * to a millisecond before WINDOW_MS of nanoTime have passed (CI saw 1 059.995 ms).
     */
    private static final long WINDOW_NANOS_ON_A_MILLISECOND_CLOCK = TimeUnit.MILLISECONDS.toNanos(SendLimiter.WINDOW_MS - 1);

    @Test
    void aChatGetsFiveSendsASecondAndAnotherTenantIsNotHeldUp() throws Exception {
        long started = System.nanoTime();
        for (int i = 0; i < 5; i++) {
            limiter.acquire("int_a", "oc_1");
        }
        assertThat(System.nanoTime() - started).isLessThan(TimeUnit.MILLISECONDS.toNanos(500));
        // the sixth send to the chat waits for the window; meanwhile another tenant (and another chat) sends at once
        CompletableFuture<Long> sixth = CompletableFuture.supplyAsync(() -> {
            limiter.acquire("int_a", "oc_1");
            return System.nanoTime();
        });
        long other = System.nanoTime();
        limiter.acquire("int_b", "oc_1");
        limiter.acquire("int_a", "oc_2");
        assertThat(System.nanoTime() - other).isLessThan(TimeUnit.MILLISECONDS.toNanos(500));
        assertThat(sixth.get(5, TimeUnit.SECONDS) - started).isGreaterThanOrEqualTo(WINDOW_NANOS_ON_A_MILLISECOND_CLOCK);
    }

    @Test
    void theAppLimitCountsAllChats() {
        SendLimiter app = new SendLimiter(5, 3, Clock.systemUTC());
        long started = System.nanoTime();
        for (int i = 0; i < 4; i++) {
            app.acquire("int_c", "oc_" + i);
        }
        assertThat(System.nanoTime() - started).isGreaterThanOrEqualTo(WINDOW_NANOS_ON_A_MILLISECOND_CLOCK);
    }
}
