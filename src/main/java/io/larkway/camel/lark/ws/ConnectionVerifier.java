package io.larkway.camel.lark.ws;


import io.larkway.camel.lark.LarkApp;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The component's verifier of a long-connection app (the Test button's check): fetches an endpoint and completes a WebSocket
 * handshake on a socket of its own, then closes it at once; the live connection is never
 * touched. Answers {@code {connected, state, lastError}} where {@code state} is the live
 * connection's state on this instance ({@code idle} when there is none).
 */
public class ConnectionVerifier {
    private static final Logger LOG = LoggerFactory.getLogger(ConnectionVerifier.class);
    private final ConnectionSupervisor supervisor;
    private final int timeoutMs;
    private final WebSocketClient client;

    public ConnectionVerifier(ConnectionSupervisor supervisor, Vertx larkVertx) {
        this.supervisor = supervisor;
        this.timeoutMs = supervisor.settings().probeTimeoutMs();
        this.client = larkVertx.createWebSocketClient(new WebSocketClientOptions().setConnectTimeout(timeoutMs).setClosingTimeout(1));
    }

    /** {@code {connected, state, lastError}} for {@code app} (its owner's live connection gives the state). */
    public Map<String, Object> verify(LarkApp app) {
        Map<String, Object> out = new LinkedHashMap<>();
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
        out.put("connected", error == null);
        out.put("state", app.owner().isEmpty() ? ConnectionState.idle.name()
                : supervisor.status(app.owner()).map(s -> s.state().name()).orElse(ConnectionState.idle.name()));
        out.put("lastError", error);
        return out;
    }
}
