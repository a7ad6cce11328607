package io.larkway.flow.ingress;

import io.larkway.platform.LarkwayProperties;
import io.larkway.platform.OncePerInterval;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.stereotype.Component;

/**
 * When each webhook integration last got a delivery, and whether the last one verified (Status
 * tab). Only deliveries that proved a secret (the Verification Token or the signature) count here:
 * anyone can post to a webhook URL, so an unverified one must not change what Status says.
 */
@Component
public class WebhookDeliveries {
    /** The last delivery of one integration. */
    public record Last(Instant at, boolean verified) {
    }

    private final Map<String, Last> last = new ConcurrentHashMap<>();
    /** When an unverified delivery of each integration was last recorded as a recent error. */
    private final OncePerInterval unverifiedRecorded;
    private final Clock clock;

    public WebhookDeliveries(Clock clock, LarkwayProperties props) {
        this.clock = clock;
        this.unverifiedRecorded = new OncePerInterval(clock, Duration.ofSeconds(props.ingress().unverifiedRecordIntervalSeconds()));
    }

    void verified(String integrationId) {
        last.put(integrationId, new Last(clock.instant(), true));
    }

    /** A delivery that proved a secret but was refused all the same (wrong app, not an event envelope). */
    void failed(String integrationId) {
        last.put(integrationId, new Last(clock.instant(), false));
    }

    /**
     * Whether an unverified delivery of an (existing) integration is to be recorded now: at most one
     * per integration per {@code larkway.ingress.unverified-record-interval-seconds}, so a flood of
     * forged posts writes nothing but a counter.
     */
    boolean recordUnverified(String integrationId) {
        return unverifiedRecorded.now(integrationId);
    }

    public Last last(String integrationId) {
        return last.get(integrationId);
    }
}
