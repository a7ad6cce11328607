package io.larkway.camel;

import io.larkway.camel.lark.LarkApp;
import io.larkway.camel.lark.LarkAppResolver;
import io.larkway.admin.Integration;
import io.larkway.admin.Integration.ConnectionMode;
import io.larkway.admin.Integrations;
import java.util.List;
import java.util.Optional;
import org.springframework.stereotype.Component;

/** larkway's answer to the {@code lark} component's {@link LarkAppResolver}: integrations are the apps. */
@Component
public class IntegrationApps implements LarkAppResolver {
    private final Integrations integrations;
    private final io.larkway.platform.LarkBaseUrls urls;

    public IntegrationApps(Integrations integrations, io.larkway.platform.LarkBaseUrls urls) {
        this.integrations = integrations;
        this.urls = urls;
    }

    @Override
    public Optional<LarkApp> app(String integrationId) {
        return integrations.find(integrationId).map(this::app);
    }

    @Override
    public List<LarkApp> longConnectionApps() {
        return integrations.enabled(ConnectionMode.long_connection).stream().map(this::app).toList();
    }

    public LarkApp app(Integration integration) {
        return integration.app(urls);
    }
}
