package io.larkway.camel;

import io.larkway.admin.Integration;
import io.larkway.admin.LongConnectionProbe;
import io.larkway.camel.lark.LarkApp;
import io.larkway.camel.lark.LarkComponent;
import io.larkway.camel.lark.LarkComponentVerifierExtension;
import io.larkway.camel.lark.ws.ConnectionState;
import io.larkway.camel.lark.ws.ConnectionSupervisor;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.camel.component.extension.ComponentVerifierExtension;
import org.apache.camel.component.extension.ComponentVerifierExtension.Result;
import org.springframework.stereotype.Component;

/**
 * The Test button's long-connection check through the {@code lark} component's verifier
 * ({@link ComponentVerifierExtension}, scope CONNECTIVITY): a saved integration by its id (resolved
 * by the component's app resolver), an unsaved one by its credentials. Answers
 * {@code {connected, state, lastError}}, {@code state} being the live connection's state on this
 * instance ({@code idle} when there is none).
 */
@Component
public class HandshakeProbe implements LongConnectionProbe {
    private final ComponentVerifierExtension verifier;
    private final ConnectionSupervisor connections;
    private final IntegrationApps apps;

    public HandshakeProbe(LarkComponent lark, ConnectionSupervisor connections, IntegrationApps apps) {
        this.verifier = lark.getExtension(ComponentVerifierExtension.class).orElseThrow();
        this.connections = connections;
        this.apps = apps;
    }

    @Override
    public Map<String, Object> probe(Integration integration) {
        Map<String, Object> parameters;
        if (integration.id() != null) {
            parameters = Map.of(LarkComponentVerifierExtension.INTEGRATION_ID, integration.id());
        } else {
            LarkApp app = apps.app(integration);
            parameters = Map.of(LarkComponentVerifierExtension.APP_ID, app.appId(), LarkComponentVerifierExtension.APP_SECRET, app.appSecret(),
                    LarkComponentVerifierExtension.BASE_URL, app.baseUrl());
        }
        Result result = verifier.verify(ComponentVerifierExtension.Scope.CONNECTIVITY, parameters);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("connected", result.getStatus() == Result.Status.OK);
        out.put("state", integration.id() == null ? ConnectionState.idle.name()
                : connections.status(integration.id()).map(s -> s.state().name()).orElse(ConnectionState.idle.name()));
        out.put("lastError", result.getErrors().isEmpty() ? null : result.getErrors().get(0).getDescription());
        return out;
    }
}
