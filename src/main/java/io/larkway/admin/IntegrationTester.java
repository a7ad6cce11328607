package io.larkway.admin;

import io.larkway.platform.LarkwayProperties;
import io.larkway.camel.lark.client.BotInfo;
import io.larkway.camel.lark.client.LarkApiClient;
import io.larkway.camel.lark.client.LarkApiException;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * The Test button: proves credentials by fetching a fresh tenant token and the bot info.
 * Bad credentials answer {@code ok:false} with Lark's message, never an HTTP error.
 */
@Component
public class IntegrationTester {
    private static final Logger LOG = LoggerFactory.getLogger(IntegrationTester.class);
    private final LarkApiClient lark;
    private final LarkwayProperties props;
    private final io.larkway.platform.LarkBaseUrls urls;
    private final org.springframework.beans.factory.ObjectProvider<LongConnectionProbe> probe;

    private final org.springframework.context.ApplicationEventPublisher events;

    public IntegrationTester(LarkApiClient lark, LarkwayProperties props, io.larkway.platform.LarkBaseUrls urls, org.springframework.beans.factory.ObjectProvider<LongConnectionProbe> probe,
            org.springframework.context.ApplicationEventPublisher events) {
        this.events = events;
        this.lark = lark;
        this.props = props;
        this.urls = urls;
        this.probe = probe;
    }

    public Map<String, Object> test(Integration integration) {
        Map<String, Object> out = new LinkedHashMap<>();
        var app = integration.app(urls);
        try {
            // a fresh token, not the cached one: the test must prove the credentials as they are now
            BotInfo info = lark.fetchTenantToken(app).thenCompose(token -> lark.botInfo(app, token)).join();
            out.put("ok", true);
            if (integration.id() != null) {
                events.publishEvent(new BotIdentified(integration.id(), info));
            }
            Map<String, Object> bot = new LinkedHashMap<>();
            bot.put("openId", info.openId());
            bot.put("name", info.name());
            out.put("bot", bot);
        } catch (RuntimeException e) {
            LarkApiException failure = LarkApiClient.unwrap(e);
            LOG.info("Integration test failed integrationId={} appId={}: {}", integration.id(), integration.appId(), failure.getMessage());
            out.put("ok", false);
            out.put("bot", null);
            out.put("error", failure.getMessage() + (failure.code() > 0 ? " (code " + failure.code() + ")" : ""));
        }
        LongConnectionProbe prober = probe.getIfAvailable();
        if (integration.isLongConnection() && prober != null) {
            out.put("probe", prober.probe(integration));
        } else if (integration.id() != null && !integration.isSandbox()) {
            out.put("webhookUrl", props.webhookUrl(integration.id()));
        }
        if (integration.connectionMode() == Integration.ConnectionMode.webhook) {
            out.put("warnings", WebhookUrls.warnings(props.publicBaseUrl())); // Lark delivers only to a public HTTPS URL
        }
        return out;
    }
}
