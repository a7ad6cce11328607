package io.larkway.flow.ingress;

import io.larkway.platform.LarkwayProperties;
import java.time.Clock;
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
    private final Map<String, Instant> unverifiedRecorded = new ConcurrentHashMap<>();
    private final Clock clock;
    private final long unverifiedRecordIntervalSeconds;

    public WebhookDeliveries(Clock clock, LarkwayProperties props) {
        this.clock = clock;
        this.unverifiedRecordIntervalSeconds = props.ingress().unverifiedRecordIntervalSeconds();
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
        Instant now = clock.instant();
        boolean[] record = {false};
        unverifiedRecorded.compute(integrationId, (id, before) -> {
            record[0] = before == null || !now.isBefore(before.plusSeconds(unverifiedRecordIntervalSeconds));
            return record[0] ? now : before;
        });
        return record[0];
    }

    public Last last(String integrationId) {
        return last.get(integrationId);
    }
}
