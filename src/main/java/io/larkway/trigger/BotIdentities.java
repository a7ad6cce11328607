package io.larkway.trigger;

import io.larkway.LarkwayProperties;
import io.larkway.integration.Integration;
import io.larkway.integration.IntegrationChanged;
import io.larkway.lark.BotInfo;
import io.larkway.lark.LarkApiClient;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/** The bot identity (open_id, name, avatar) of each integration, from bot info, cached until refreshed or changed. */
@Component
public class BotIdentities {
    private final LarkApiClient lark;
    private final LarkwayProperties props;
    private final Map<String, BotInfo> bots = new ConcurrentHashMap<>();
    private final Map<String, Long> failures = new ConcurrentHashMap<>();
    private static final long FAILURE_PAUSE_MS = 60_000;

    public BotIdentities(LarkApiClient lark, LarkwayProperties props) {
        this.lark = lark;
        this.props = props;
    }

    /** The cached identity, fetched on first use; throws when Lark cannot be asked. */
    public BotInfo of(Integration integration) {
        BotInfo known = bots.get(integration.id());
        if (known != null) {
            return known;
        }
        Long failedAt = failures.get(integration.id());
        if (failedAt != null && System.currentTimeMillis() - failedAt < FAILURE_PAUSE_MS) {
            throw new IllegalStateException("bot info unavailable (Lark failed less than a minute ago; not asked again yet)");
        }
        try {
            BotInfo fresh = refresh(integration);
            failures.remove(integration.id());
            return fresh;
        } catch (RuntimeException e) {
            // one tenant's broken credentials must not cost every one of its messages a Lark round trip
            failures.put(integration.id(), System.currentTimeMillis());
            throw e;
        }
    }

    public BotInfo refresh(Integration integration) {
        BotInfo fresh = lark.botInfo(integration.app(props.lark())).join();
        bots.put(integration.id(), fresh);
        return fresh;
    }

    public BotInfo cached(String integrationId) {
        return bots.get(integrationId);
    }

    @EventListener
    void changed(IntegrationChanged change) {
        bots.remove(change.id());
        failures.remove(change.id());
    }
}
