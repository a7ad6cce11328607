package io.larkway.camel.lark.ws;

import io.larkway.camel.lark.ws.ConnectionState;
import io.larkway.camel.lark.ws.ConnectionSupervisor;

import io.larkway.LarkwayProperties;
import io.larkway.integration.Integration;
import io.larkway.ops.LongConnectionProbe;
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
import org.springframework.stereotype.Component;

/**
 * The Test button's long-connection check: fetches an endpoint and completes a WebSocket
 * handshake on a socket of its own, then closes it at once; the live connection is never
 * touched. Answers {@code {connected, state, lastError}} where {@code state} is the live
 * connection's state on this instance ({@code idle} when there is none).
 */
@Component
public class HandshakeProbe implements LongConnectionProbe {
    private static final Logger LOG = LoggerFactory.getLogger(HandshakeProbe.class);
    private final ConnectionSupervisor supervisor;
    private final LarkwayProperties props;
    private final WebSocketClient client;

    public HandshakeProbe(ConnectionSupervisor supervisor, LarkwayProperties props, Vertx larkVertx) {
        this.supervisor = supervisor;
        this.props = props;
        this.client = larkVertx.createWebSocketClient(new WebSocketClientOptions().setConnectTimeout(props.longConnection().probeTimeoutMs())
                .setClosingTimeout(1));
    }

    @Override
    public Map<String, Object> probe(Integration integration) {
        Map<String, Object> out = new LinkedHashMap<>();
        String error = null;
        try {
            supervisor.endpoints().fetch(integration.app(props.lark()), supervisor.defaultClientConfig())
                    .thenCompose(ep -> client.connect(supervisor.connectOptions(ep.url())).toCompletionStage())
                    .thenCompose(ws -> ws.close((short) 1000, "probe").toCompletionStage())
                    .toCompletableFuture().get(props.longConnection().probeTimeoutMs(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            error = "no endpoint or handshake within " + props.longConnection().probeTimeoutMs() + " ms";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            error = "interrupted";
        } catch (ExecutionException | CompletionException e) {
            error = LongConnection.asConnectionFailure(e.getCause() == null ? e : e.getCause()).getMessage();
        }
        if (error != null) {
            LOG.info("Long connection probe failed integrationId={} appId={}: {}", integration.id(), integration.appId(), error);
        }
        out.put("connected", error == null);
        out.put("state", integration.id() == null ? ConnectionState.idle.name()
                : supervisor.status(integration.id()).map(s -> s.state().name()).orElse(ConnectionState.idle.name()));
        out.put("lastError", error);
        return out;
    }
}
