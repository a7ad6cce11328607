package io.larkway.camel.lark.ws;


import io.larkway.camel.lark.LarkApp;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The handshake probe behind the component's verifier ({@code LarkComponentVerifierExtension}):
 * fetches an endpoint and completes a WebSocket handshake on a socket of its own, then closes it at
 * once; the live connection is never touched.
 */
public class ConnectionVerifier {
    private static final Logger LOG = LoggerFactory.getLogger(ConnectionVerifier.class);
    private final ConnectionSupervisor supervisor;
    private final int timeoutMs;
    private final WebSocketClient client;

    public ConnectionVerifier(ConnectionSupervisor supervisor) {
        this.supervisor = supervisor;
        this.timeoutMs = supervisor.settings().probeTimeoutMs();
        this.client = supervisor.vertx().createWebSocketClient(new WebSocketClientOptions().setConnectTimeout(timeoutMs).setClosingTimeout(1));
    }

    /** Why {@code app} cannot open a long connection now, or empty when the handshake completed. */
    public Optional<String> verify(LarkApp app) {
        String error = null;
        try {
            supervisor.endpoints().fetch(app, supervisor.defaultClientConfig())
                    .thenCompose(ep -> client.connect(supervisor.connectOptions(ep.url())).toCompletionStage())
                    .thenCompose(ws -> ws.close((short) 1000, "probe").toCompletionStage())
                    .toCompletableFuture().get(timeoutMs, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            error = "no endpoint or handshake within " + timeoutMs + " ms";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            error = "interrupted";
        } catch (ExecutionException | CompletionException e) {
            error = LongConnection.asConnectionFailure(e.getCause() == null ? e : e.getCause()).getMessage();
        }
        if (error != null) {
            LOG.info("Long connection probe failed integrationId={} appId={}: {}", app.owner(), app.appId(), error);
        }
        return Optional.ofNullable(error);
    }
}
