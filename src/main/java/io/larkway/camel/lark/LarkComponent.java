package io.larkway.camel.lark;

import io.larkway.camel.lark.client.LarkClient;
import io.larkway.camel.lark.ws.ConnectionSupervisor;
import io.larkway.camel.lark.ws.ConnectionVerifier;

import java.util.Map;
import org.apache.camel.Endpoint;
import org.apache.camel.spi.Metadata;
import org.apache.camel.support.HealthCheckComponent;

/**
 * The {@code lark} Camel component. {@code lark:events} consumes the events of every enabled
 * long-connection integration; the connections themselves belong to the
 * {@link ConnectionSupervisor}, which runs them while a consumer is started. The other
 * operations ({@link LarkOperation}) are producers calling Lark's IM API through
 * {@link LarkClient}. The application supplies the apps through a {@link LarkAppResolver}. In
 * Spring Boot the bean named {@code lark} is this component. Its connections show in Camel's health
 * ({@link LarkConsumerHealthCheck}, while {@code lark:events} runs) and in the
 * {@code lark-connections} dev console ({@link LarkConnectionsDevConsole}); its verifier
 * ({@code getExtension(ComponentVerifierExtension.class)}, {@link LarkComponentVerifierExtension}) probes a handshake.
 */
@org.apache.camel.spi.annotations.Component("lark")
public class LarkComponent extends HealthCheckComponent {
    @Metadata(description = "Default options for endpoints.")
    private LarkConfiguration configuration = new LarkConfiguration();
    @Metadata(label = "advanced", autowired = true, description = "Resolves an integration id to its app's credentials and base URL (supplied by the application).")
    private LarkAppResolver appResolver;
    @Metadata(label = "producer,advanced", description = "The Open API client producers call Lark through: tenant tokens, retries, a breaker per integration.")
    private LarkClient client;
    @Metadata(label = "consumer,advanced", description = "Runs the long connections of lark:events.")
    private ConnectionSupervisor supervisor;

    private volatile ConnectionVerifier verifier;

    public LarkComponent() {
        registerExtension(new LarkComponentVerifierExtension(this));
    }

    @Override
    protected void doStart() throws Exception {
        super.doStart();
        if (appResolver == null || client == null || supervisor == null) {
            throw new IllegalStateException("the lark component needs appResolver, client and supervisor set before it starts");
        }
    }

    /** The handshake probe of the {@link LarkComponentVerifierExtension} (its own WebSocket client, made on first use). */
    synchronized ConnectionVerifier verifier() {
        if (verifier == null) {
            verifier = new ConnectionVerifier(supervisor);
        }
        return verifier;
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

    public LarkAppResolver getAppResolver() { return appResolver; }

    public void setAppResolver(LarkAppResolver appResolver) { this.appResolver = appResolver; }

    public LarkClient getClient() { return client; }

    public void setClient(LarkClient client) { this.client = client; }

    public ConnectionSupervisor getSupervisor() { return supervisor; }

    public void setSupervisor(ConnectionSupervisor supervisor) { this.supervisor = supervisor; }
}
