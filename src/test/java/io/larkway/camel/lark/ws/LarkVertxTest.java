package io.larkway.camel.lark.ws;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.larkway.camel.lark.LarkApp;
import io.larkway.camel.lark.LarkAppResolver;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketConnectOptions;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** The Vert.x instance the long connections share, fresh as at start-up. */
class LarkVertxTest {

    @Test
    void anInstanceWithoutLongConnectionsNeverMakesIt() {
        LarkVertx vertx = new LarkVertx(1);
        LarkAppResolver noApps = new LarkAppResolver() {
            @Override
            public Optional<LarkApp> app(String integrationId) {
                return Optional.empty();
            }

            @Override
            public List<LarkApp> longConnectionApps() {
                return List.of();
            }
        };
        ConnectionSupervisor supervisor = new ConnectionSupervisor(vertx, noApps, new ConnectionSettings(1000, 1 << 20, 120, 120, 30, 5, true, 1000),
                "instance", Clock.systemUTC(), new ObjectMapper());
        try {
            supervisor.attach((integrationId, appId, event, frame, done) -> done.accept(true, null));
            assertThat(vertx.made()).as("made by start-up without a long connection").isFalse();
            // the first connection's client makes it, once
            assertThat(supervisor.webSockets()).isSameAs(supervisor.webSockets());
            assertThat(vertx.made()).isTrue();
            assertThat(supervisor.vertx()).isSameAs(vertx.get());
        } finally {
            vertx.close();
        }
        // closed at shutdown before any connection: nothing makes one afterwards that no one would close
        LarkVertx unused = new LarkVertx(1);
        unused.close();
        org.assertj.core.api.Assertions.assertThatThrownBy(unused::get).isInstanceOf(IllegalStateException.class);
        assertThat(unused.made()).isFalse();
    }

    @Test
    void theFirstWebSocketOfAFreshInstanceOutlivesItsHandshakeTimeout() throws Exception {
        Vertx serverSide = Vertx.vertx();
        Vertx vertx = LarkVertx.create(1);
        try {
            HttpServer server = serverSide.createHttpServer().webSocketHandler(ws -> { }).listen(0, "127.0.0.1")
                    .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
            // as ConnectionSupervisor connects: a handshake timeout on the connect options
            WebSocket ws = vertx.createWebSocketClient().connect(new WebSocketConnectOptions().setHost("127.0.0.1")
                    .setPort(server.actualPort()).setURI("/ws").setTimeout(300)).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
            AtomicBoolean closed = new AtomicBoolean();
            ws.closeHandler(v -> closed.set(true));
            Thread.sleep(1000); // three handshake timeouts after the handshake
            assertThat(closed).as("the socket was closed by a handshake timer left running").isFalse();
            assertThat(ws.isClosed()).isFalse();
        } finally {
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
            serverSide.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }
}
