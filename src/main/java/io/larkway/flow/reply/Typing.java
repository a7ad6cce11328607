package io.larkway.flow.reply;

import io.larkway.flow.FlowHeaders;
import io.larkway.camel.lark.LarkConstants;
import io.larkway.camel.lark.client.LarkApiClient;
import io.larkway.admin.Integrations;
import io.larkway.platform.RecentErrors;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.annotation.Bean;
import org.springframework.stereotype.Component;

/**
 * The Typing reaction's state between {@code lark:addReaction}, which runs beside the turn
 * (routes/60-reply.yaml taps it onto {@code typingThreads}), and {@code lark:removeReaction} at
 * the turn's end, which needs the reaction id the add answered: a future in header {@link FlowHeaders#TYPING}.
 */
@Component
public class Typing {
    /** The reaction id, once the add answered (null when it failed). */
    private static final Logger LOG = LoggerFactory.getLogger(Typing.class);

    private final Integrations integrations;
    private final RecentErrors errors;

    public Typing(Integrations integrations, RecentErrors errors) {
        this.integrations = integrations;
        this.errors = errors;
    }

    /** Typing reactions go out on these threads, beside the turn; bounded, shared by all integrations. */
    @Bean(name = "typingThreads", destroyMethod = "shutdown")
    static ExecutorService typingThreads() {
        return Executors.newFixedThreadPool(4, r -> {
            Thread t = new Thread(r, "lark-typing");
            t.setDaemon(true);
            return t;
        });
    }

    /** Starts a Typing reaction unless the integration was deleted meanwhile (the reply then becomes a dead letter). */
    public void start(Exchange exchange) {
        Message m = exchange.getMessage();
        if (integrations.find(m.getHeader(FlowHeaders.INTEGRATION_ID, String.class)).isPresent()) {
            m.setHeader(FlowHeaders.TYPING, new CompletableFuture<String>());
        }
    }

    /** The add answered (or failed: no reaction id): the removal may go on. */
    @SuppressWarnings("unchecked")
    public void added(Exchange exchange) {
        Message m = exchange.getMessage();
        CompletableFuture<String> pending = m.getHeader(FlowHeaders.TYPING, CompletableFuture.class);
        if (pending != null) {
            pending.complete(m.getHeader(LarkConstants.REACTION_ID, String.class));
        }
    }

    /** The reaction to remove, once the add answered (waits for it if it is still under way); null when there is none. */
    public String reactionId(Exchange exchange) {
        Message m = exchange.getMessage();
        CompletableFuture<?> pending = m.getHeader(FlowHeaders.TYPING, CompletableFuture.class);
        m.removeHeader(FlowHeaders.TYPING);
        String reaction = pending == null ? null : (String) pending.join();
        return reaction == null || integrations.find(m.getHeader(FlowHeaders.INTEGRATION_ID, String.class)).isEmpty() ? null : reaction;
    }

    public void addFailed(Exchange exchange) {
        failed(exchange, "typing reaction");
    }

    public void removeFailed(Exchange exchange) {
        failed(exchange, "typing reaction removal");
    }

    /** Recorded, never fatal. */
    private void failed(Exchange exchange, String what) {
        Message m = exchange.getMessage();
        String integrationId = m.getHeader(FlowHeaders.INTEGRATION_ID, String.class);
        String messageId = m.getHeader(FlowHeaders.MESSAGE_ID, String.class);
        Throwable e = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        String reason = e instanceof io.github.resilience4j.circuitbreaker.CallNotPermittedException ? "circuit breaker open"
                : LarkApiClient.unwrap(e).getMessage();
        LOG.warn("{} failed integrationId={} message_id={}: {}", what, integrationId, messageId, reason);
        errors.record(integrationId, "reply", what + " failed: " + reason, messageId);
    }
}
