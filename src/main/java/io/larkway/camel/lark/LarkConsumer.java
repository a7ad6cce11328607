package io.larkway.camel.lark;

import io.larkway.camel.lark.ws.EventSink;

import io.larkway.camel.lark.ws.Frame;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.nio.charset.StandardCharsets;
import java.util.function.BiConsumer;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.Processor;
import org.apache.camel.health.HealthCheckHelper;
import org.apache.camel.health.HealthCheckRegistry;
import org.apache.camel.spi.ThreadPoolProfile;
import org.apache.camel.support.DefaultConsumer;
import org.apache.camel.util.concurrent.ThreadPoolRejectedPolicy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code lark:events} consumer: while started, the {@link ConnectionSupervisor} keeps every
 * enabled long-connection integration connected and hands each event here. The route runs on a
 * bounded worker pool (never on a Vert.x event loop, since routes block on JDBC); the connection
 * acks 200 when the route completed without an exception, 500 otherwise. Card callbacks
 * ({@code card.action.trigger}, header {@link LarkConstants#EVENT_KIND} {@code card_action}) come
 * the same way; the route's answer in {@link LarkConstants#CALLBACK_RESPONSE} goes back in the ack.
 */
public class LarkConsumer extends DefaultConsumer implements EventSink {
    private static final Logger LOG = LoggerFactory.getLogger(LarkConsumer.class);
    private ExecutorService workers;
    private HealthCheckRegistry healthChecks;
    private LarkConsumerHealthCheck healthCheck;

    public LarkConsumer(LarkEndpoint endpoint, Processor processor) {
        super(endpoint, processor);
    }

    @Override
    public LarkEndpoint getEndpoint() {
        return (LarkEndpoint) super.getEndpoint();
    }

    @Override
    protected void doStart() throws Exception {
        super.doStart();
        LarkConfiguration config = getEndpoint().getConfiguration();
        ThreadPoolProfile profile = new ThreadPoolProfile("LarkConsumer");
        profile.setPoolSize(config.getWorkerPoolSize());
        profile.setMaxPoolSize(config.getWorkerPoolSize());
        profile.setMaxQueueSize(config.getWorkerQueueSize());
        profile.setRejectedPolicy(ThreadPoolRejectedPolicy.Abort);
        workers = getEndpoint().getCamelContext().getExecutorServiceManager().newThreadPool(this, "LarkConsumer", profile);
        getEndpoint().getComponent().getSupervisor().attach(this);
        // health checks are optional (camel-health): register the connections' check while this consumer runs
        healthChecks = HealthCheckHelper.getHealthCheckRegistry(getEndpoint().getCamelContext());
        if (healthChecks != null) {
            healthCheck = new LarkConsumerHealthCheck(getEndpoint().getComponent().getSupervisor());
            healthCheck.setEnabled(getEndpoint().getComponent().isHealthCheckConsumerEnabled());
            healthChecks.register(healthCheck);
        }
    }

    @Override
    protected void doStop() throws Exception {
        if (healthChecks != null && healthCheck != null) {
            healthChecks.unregister(healthCheck);
            healthCheck = null;
        }
        getEndpoint().getComponent().getSupervisor().detach(this);
        if (workers != null) {
            getEndpoint().getCamelContext().getExecutorServiceManager().shutdownGraceful(workers);
            workers = null;
        }
        super.doStop();
    }

    /** A suspended route closes the connections (nothing could be acked); resuming reconnects them. */
    @Override
    protected void doSuspend() throws Exception {
        getEndpoint().getComponent().getSupervisor().detach(this);
    }

    @Override
    protected void doResume() throws Exception {
        getEndpoint().getComponent().getSupervisor().attach(this);
    }

    @Override
    public void deliver(String integrationId, String appId, LarkEvent event, Frame frame, BiConsumer<Boolean, byte[]> done) {
        Exchange exchange = createExchange(false);
        Message in = exchange.getIn();
        in.setBody(event);
        in.setHeader(LarkConstants.INTEGRATION_ID, integrationId);
        in.setHeader(LarkConstants.APP_ID, appId);
        in.setHeader(LarkConstants.FRAME_MESSAGE_ID, frame.header("message_id"));
        in.setHeader(LarkConstants.TRACE_ID, frame.header("trace_id"));
        in.setHeader(LarkConstants.FRAME_TYPE, frame.type());
        in.setHeader(LarkConstants.EVENT_KIND, event.isCardAction() ? LarkConstants.KIND_CARD_ACTION : LarkConstants.KIND_EVENT);
        ExecutorService pool = workers;
        try {
            if (pool == null) {
                throw new RejectedExecutionException("consumer stopped");
            }
            pool.execute(() -> process(exchange, done));
        } catch (RejectedExecutionException e) {
            LOG.warn("Event refused, workers busy or stopped integrationId={} message_id={} (acked 500, Lark redelivers)", integrationId,
                    event.messageId());
            releaseExchange(exchange, false);
            done.accept(false, null);
        }
    }

    private void process(Exchange exchange, BiConsumer<Boolean, byte[]> done) {
        boolean ok;
        try {
            getProcessor().process(exchange);
        } catch (Exception e) {
            exchange.setException(e);
        }
        ok = exchange.getException() == null && !exchange.isRollbackOnly();
        if (exchange.getException() != null) {
            getExceptionHandler().handleException("Error processing Lark event", exchange, exchange.getException());
        }
        String answer = ok ? exchange.getMessage().getHeader(LarkConstants.CALLBACK_RESPONSE, String.class) : null;
        releaseExchange(exchange, false);
        done.accept(ok, answer == null ? null : answer.getBytes(StandardCharsets.UTF_8));
    }
}
