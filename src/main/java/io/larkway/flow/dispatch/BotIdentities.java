package io.larkway.flow.dispatch;

import io.larkway.platform.LarkBaseUrls;
import io.larkway.admin.Integration;
import io.larkway.admin.IntegrationChanged;
import io.larkway.admin.BotIdentified;
import io.larkway.camel.lark.LarkApp;
import io.larkway.camel.lark.client.BotInfo;
import io.larkway.camel.lark.ws.ConnectionSupervisor;
import io.larkway.camel.lark.client.LarkApiClient;
import java.time.Clock;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.camel.ProducerTemplate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/**
 * The bot identity (open_id, name, avatar) of each integration, from bot info, cached until
 * refreshed or changed; also what Status shows. It is fetched as soon as the credentials prove good:
 * on every (re)connect of a long connection, on a webhook's first verified delivery, on the credential
 * test ({@link BotIdentified}). Dispatch never waits for Lark ({@link #lookUp}): one tenant's slow or
 * failing Lark must not hold the inbox every tenant's events pass through.
 */
@Component
public class BotIdentities {
    private static final Logger LOG = LoggerFactory.getLogger(BotIdentities.class);
    private static final long FAILURE_PAUSE_MS = 60_000;

    private final LarkApiClient lark;
    private final LarkBaseUrls urls;
    private final Clock clock;
    private final ProducerTemplate camel;
    private final Map<String, BotInfo> bots = new ConcurrentHashMap<>();
    private final Map<String, Failure> failures = new ConcurrentHashMap<>();
    /** Integrations with events deferred until their fetch under way ends. */
    private final Set<String> awaited = ConcurrentHashMap.newKeySet();
    /** Fetches under way, one per integration. */
    private final Set<String> fetching = ConcurrentHashMap.newKeySet();

    private record Failure(long atMillis, String reason) {
    }

    /** What dispatch knows of a bot now: its identity, or that it is being asked for, or why it is unavailable. */
    public record Lookup(BotInfo bot, boolean pending, String unavailable) {
    }

    public BotIdentities(LarkBaseUrls urls, LarkApiClient lark, Clock clock, ProducerTemplate camel, ConnectionSupervisor connections) {
        connections.onConnected(this::connected);
        this.lark = lark;
        this.camel = camel;
        this.urls = urls;
        this.clock = clock;
    }

    /**
     * The cached identity; else starts fetching it (in the background, once per integration) and
     * answers {@code pending}; or, when Lark failed less than a minute ago, the reason (not asked
     * again yet: one tenant's broken credentials must not cost every one of its messages a round trip).
     */
    public Lookup lookUp(Integration integration) {
        return lookUp(integration, true);
    }

    /** {@code deferring}: an event waits for the answer, so the inbox sweep runs once it is in. */
    private Lookup lookUp(Integration integration, boolean deferring) {
        BotInfo known = bots.get(integration.id());
        if (known != null) {
            return new Lookup(known, false, null);
        }
        Failure failed = failures.get(integration.id());
        if (failed != null && clock.millis() - failed.atMillis() < FAILURE_PAUSE_MS) {
            return new Lookup(null, false, failed.reason() + " (Lark failed less than a minute ago; not asked again yet)");
        }
        if (deferring) {
            awaited.add(integration.id());
        }
        fetch(integration.app(urls));
        return new Lookup(null, true, null);
    }

    /**
     * The integration's credentials just proved good (a webhook delivery that proved its token):
     * its identity is fetched in the background unless cached or failed less than a minute ago,
     * so Status shows the bot without a refresh.
     */
    public void verified(Integration integration) {
        if (!bots.containsKey(integration.id())) {
            lookUp(integration, false);
        }
    }

    /** A long connection (re)connected: its identity is fetched again in the background (refreshed on every reconnect). */
    private void connected(LarkApp app) {
        fetch(app);
    }

    /** Asks Lark for the bot info in the background, once at a time per integration ({@link LarkApp#owner()}). */
    private void fetch(LarkApp app) {
        String id = app.owner();
        if (fetching.add(id)) {
            lark.botInfo(app).whenComplete((bot, error) -> {
                if (error == null) {
                    bots.put(id, bot);
                    failures.remove(id);
                } else {
                    String reason = LarkApiClient.unwrap(error).getMessage();
                    failures.put(id, new Failure(clock.millis(), reason));
                    LOG.warn("Bot info unavailable integrationId={}: {}", id, reason);
                }
                fetching.remove(id);
                // events deferred meanwhile go on now, not at the sweep's next tick (up to recovery-interval-ms later);
                // a fetch nothing waited for (a connect, a Status read) runs no sweep: 1 000 connecting integrations are not 1 000 sweeps
                if (awaited.remove(id)) {
                    camel.asyncSendBody("direct:inbox-sweep", null);
                }
            });
        }
    }

    /** Asks Lark now (the Status tab's refresh) and caches the answer; throws when Lark cannot be asked. */
    public BotInfo refresh(Integration integration) {
        BotInfo fresh = lark.botInfo(integration.app(urls)).join();
        bots.put(integration.id(), fresh);
        failures.remove(integration.id());
        return fresh;
    }

    public BotInfo cached(String integrationId) {
        return bots.get(integrationId);
    }

    /** The credential test (or anyone else) asked Lark: its answer is the cached identity. */
    @EventListener
    void identified(BotIdentified identified) {
        bots.put(identified.integrationId(), identified.bot());
        failures.remove(identified.integrationId());
    }

    @EventListener
    void changed(IntegrationChanged change) {
        bots.remove(change.id());
        failures.remove(change.id());
    }
}
