package io.larkway.camel;

import java.util.Map;
import org.apache.camel.Endpoint;
import org.apache.camel.spi.Metadata;
import org.apache.camel.support.DefaultComponent;

/**
 * The {@code lark} Camel component. {@code lark:events} consumes the events of every enabled
 * long-connection integration; the connections themselves belong to the
 * {@link ConnectionSupervisor}, which runs them while a consumer is started. In Spring Boot the
 * bean named {@code lark} is this component.
 */
@org.apache.camel.spi.annotations.Component("lark")
public class LarkComponent extends DefaultComponent {
    public static final String EVENTS = "events";

    @Metadata(description = "Default options for endpoints.")
    private LarkConfiguration configuration = new LarkConfiguration();
    private final ConnectionSupervisor supervisor;

    public LarkComponent(ConnectionSupervisor supervisor) {
        this.supervisor = supervisor;
    }

    @Override
    protected Endpoint createEndpoint(String uri, String remaining, Map<String, Object> parameters) throws Exception {
        if (!EVENTS.equals(remaining)) {
            throw new IllegalArgumentException("Unknown lark endpoint '" + remaining + "': the component offers lark:" + EVENTS
                    + " (the IM producer comes with the reply stage)");
        }
        LarkConfiguration config = configuration.copy();
        config.setOperation(remaining);
        LarkEndpoint endpoint = new LarkEndpoint(uri, this, config);
        setProperties(endpoint, parameters);
        return endpoint;
    }

    public LarkConfiguration getConfiguration() { return configuration; }

    public void setConfiguration(LarkConfiguration configuration) { this.configuration = configuration; }

    public ConnectionSupervisor getSupervisor() { return supervisor; }
}
