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
        return refresh(integration);
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
    }
}
