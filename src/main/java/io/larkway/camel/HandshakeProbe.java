package io.larkway.camel;

import io.larkway.camel.lark.ws.ConnectionVerifier;
import io.larkway.admin.Integration;
import io.larkway.admin.LongConnectionProbe;
import java.util.Map;
import org.springframework.stereotype.Component;

/** The Test button's long-connection check: the {@code lark} component's {@link ConnectionVerifier} on the integration's app. */
@Component
public class HandshakeProbe implements LongConnectionProbe {
    private final ConnectionVerifier verifier;
    private final IntegrationApps apps;

    public HandshakeProbe(ConnectionVerifier verifier, IntegrationApps apps) {
        this.verifier = verifier;
        this.apps = apps;
    }

    @Override
    public Map<String, Object> probe(Integration integration) {
        return verifier.verify(apps.app(integration));
    }
}
