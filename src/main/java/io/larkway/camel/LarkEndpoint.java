package io.larkway.camel;

import org.apache.camel.Category;
import org.apache.camel.Consumer;
import org.apache.camel.Processor;
import org.apache.camel.Producer;
import org.apache.camel.spi.UriEndpoint;
import org.apache.camel.spi.UriParam;
import org.apache.camel.support.DefaultEndpoint;

/**
 * A {@code lark:} endpoint. Consumer: {@code lark:events}, the events of all enabled
 * long-connection integrations, one exchange per event, acked to Lark after the route completes.
 * The producer (IM send, reply, patch, react) is not part of this version.
 */
@UriEndpoint(firstVersion = "0.1.0", scheme = "lark", title = "Lark", syntax = "lark:operation", category = {Category.CHAT},
        headersClass = LarkConstants.class)
public class LarkEndpoint extends DefaultEndpoint {
    @UriParam
    private LarkConfiguration configuration;

    public LarkEndpoint(String uri, LarkComponent component, LarkConfiguration configuration) {
        super(uri, component);
        this.configuration = configuration;
    }

    @Override
    public LarkComponent getComponent() {
        return (LarkComponent) super.getComponent();
    }

    @Override
    public Producer createProducer() {
        throw new UnsupportedOperationException("lark:" + configuration.getOperation()
                + " has no producer yet: sending to Lark (send, reply, patch, react) arrives with the reply stage");
    }

    @Override
    public Consumer createConsumer(Processor processor) throws Exception {
        LarkConsumer consumer = new LarkConsumer(this, processor);
        configureConsumer(consumer);
        return consumer;
    }

    public LarkConfiguration getConfiguration() { return configuration; }

    public void setConfiguration(LarkConfiguration configuration) { this.configuration = configuration; }

    // setters so options bind from the URI / YAML parameters
    public void setWorkerPoolSize(int size) { configuration.setWorkerPoolSize(size); }

    public int getWorkerPoolSize() { return configuration.getWorkerPoolSize(); }

    public void setWorkerQueueSize(int size) { configuration.setWorkerQueueSize(size); }

    public int getWorkerQueueSize() { return configuration.getWorkerQueueSize(); }
}
