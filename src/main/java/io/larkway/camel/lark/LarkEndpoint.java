package io.larkway.camel.lark;

import io.larkway.camel.lark.client.LarkClient;

import org.apache.camel.Category;
import org.apache.camel.Consumer;
import org.apache.camel.Processor;
import org.apache.camel.Producer;
import org.apache.camel.spi.UriEndpoint;
import org.apache.camel.spi.UriParam;
import org.apache.camel.support.DefaultEndpoint;

/**
 * A {@code lark:} endpoint, its URI path the {@link LarkOperation}. Consumer: {@code lark:events},
 * the events of all enabled long-connection integrations, one exchange per event, acked to Lark
 * after the route completes. Producer: {@code lark:send}, {@code lark:reply}, {@code lark:patch},
 * {@code lark:addReaction}, {@code lark:removeReaction} (see {@link LarkProducer}).
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
        if (LarkOperation.of(configuration.getOperation()) == LarkOperation.events) {
            throw new IllegalArgumentException("lark:events is consumer-only: send to lark:send, lark:reply, lark:patch, lark:addReaction"
                    + " or lark:removeReaction");
        }
        return new LarkProducer(this);
    }

    @Override
    public Consumer createConsumer(Processor processor) throws Exception {
        if (LarkOperation.of(configuration.getOperation()) != LarkOperation.events) {
            throw new IllegalArgumentException("lark:" + configuration.getOperation() + " is producer-only: consume from lark:events");
        }
        LarkConsumer consumer = new LarkConsumer(this, processor);
        configureConsumer(consumer);
        return consumer;
    }

    public LarkConfiguration getConfiguration() { return configuration; }

    public void setConfiguration(LarkConfiguration configuration) { this.configuration = configuration; }

    LarkClient client() { return getComponent().getClient(); }

    LarkAppResolver apps() { return getComponent().getAppResolver(); }
}
