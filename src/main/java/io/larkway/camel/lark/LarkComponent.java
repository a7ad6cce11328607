package io.larkway.camel.lark;

import io.larkway.camel.lark.client.LarkClient;
import io.larkway.camel.lark.ws.ConnectionSupervisor;

import io.larkway.integration.Integrations;
import java.util.Map;
import org.apache.camel.Endpoint;
import org.apache.camel.spi.Metadata;
import org.apache.camel.support.DefaultComponent;

/**
 * The {@code lark} Camel component. {@code lark:events} consumes the events of every enabled
 * long-connection integration; the connections themselves belong to the
 * {@link ConnectionSupervisor}, which runs them while a consumer is started. The other
 * operations ({@link LarkOperation}) are producers calling Lark's IM API through
 * {@link LarkClient}. In Spring Boot the bean named {@code lark} is this component.
 */
@org.apache.camel.spi.annotations.Component("lark")
public class LarkComponent extends DefaultComponent {
    @Metadata(description = "Default options for endpoints.")
    private LarkConfiguration configuration = new LarkConfiguration();
    private final ConnectionSupervisor supervisor;
    private final Integrations integrations;
    private final LarkClient calls;

    public LarkComponent(ConnectionSupervisor supervisor, Integrations integrations, LarkClient calls) {
        this.supervisor = supervisor;
        this.integrations = integrations;
        this.calls = calls;
    }

    @Override
    protected Endpoint createEndpoint(String uri, String remaining, Map<String, Object> parameters) throws Exception {
        LarkOperation.of(remaining);
        LarkConfiguration config = configuration.copy();
        // options bind to the configuration; what is left (lazyStartProducer, …) to the endpoint, the rest is an error
        setProperties(config, parameters);
        config.setOperation(remaining);
        config.validate();
        LarkEndpoint endpoint = new LarkEndpoint(uri, this, config);
        setProperties(endpoint, parameters);
        return endpoint;
    }

    public LarkConfiguration getConfiguration() { return configuration; }

    public void setConfiguration(LarkConfiguration configuration) { this.configuration = configuration; }

    public ConnectionSupervisor getSupervisor() { return supervisor; }

    public Integrations getIntegrations() { return integrations; }

    public LarkClient getCalls() { return calls; }
}
