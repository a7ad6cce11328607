package io.larkway.ingress;

import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.stereotype.Component;

/** When each webhook integration last got a delivery, and whether the last one verified (Status tab). */
@Component
public class WebhookDeliveries {
    /** The last delivery of one integration. */
    public record Last(Instant at, boolean verified) {
    }

    private final Map<String, Last> last = new ConcurrentHashMap<>();
    private final Clock clock;

    public WebhookDeliveries(Clock clock) {
        this.clock = clock;
    }

    void verified(String integrationId) {
        last.put(integrationId, new Last(clock.instant(), true));
    }

    void failed(String integrationId) {
        if (integrationId != null) {
            last.put(integrationId, new Last(clock.instant(), false));
        }
    }

    public Last last(String integrationId) {
        return last.get(integrationId);
    }
}
