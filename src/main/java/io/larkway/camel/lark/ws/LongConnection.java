package io.larkway.camel.lark.ws;

import com.fasterxml.jackson.databind.JsonNode;
import io.larkway.camel.lark.LarkApp;
import io.larkway.camel.lark.LarkEvent;
import io.vertx.core.Context;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocket;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The managed long connection of one integration on this instance: endpoint, WebSocket,
 * ping/pong with the server's ClientConfig, a watchdog for half-dead sockets, multi-part
 * reassembly, event hand-off with ack after the route, and the server's reconnect policy.
 * All mutable connection state is confined to one Vert.x event-loop context; the status fields
 * are volatile so any thread can read a snapshot. A generation number makes callbacks of an
 * abandoned socket or attempt harmless.
 */
final class LongConnection {
    private static final Logger LOG = LoggerFactory.getLogger(LongConnection.class);

    private final ConnectionSupervisor supervisor;
    private final Context ctx;
    private final String integrationId;
    private volatile LarkApp app;

    // confined to ctx
    private long generation;
    private WebSocket socket;
    private ConnectionEndpoint endpoint;
    private ClientConfig config;
    private long pingTimer = -1;
    private long reconnectTimer = -1;
    private int attempts;
    private long lastFrameNanos;
    private FrameAssembler assembler;

    // read by anyone
    private volatile ConnectionState state = ConnectionState.idle;
    private volatile Instant connectedSince;
    private volatile Instant lastConnectedAt;
    private volatile Instant nextReconnectAt;
    private volatile Instant lastDeliveryAt;
    private volatile String lastError;
    private volatile Instant lastErrorAt;
    private volatile int failureCount;
    private volatile int pingIntervalSeconds;
    private final LongAdder received = new LongAdder();
    private final LongAdder acked = new LongAdder();
    private final LongAdder ackFailures = new LongAdder();

    LongConnection(ConnectionSupervisor supervisor, Context ctx, LarkApp app) {
        this.supervisor = supervisor;
        this.ctx = ctx;
        this.integrationId = app.owner();
        this.app = app;
        this.config = supervisor.defaultClientConfig();
        this.pingIntervalSeconds = config.pingInterval();
    }

    String integrationId() { return integrationId; }

    LarkApp app() { return app; }

    ConnectionState state() { return state; }

    /** (Re)starts with the given version of the integration: drops any socket or pending attempt and connects now. */
    void start(LarkApp next) {
        ctx.runOnContext(v -> {
            app = next;
            abandon();
            attempts = 0;
            config = supervisor.defaultClientConfig();
            connect();
        });
    }

    /** Closes the socket and stops trying; the state becomes {@code idle} or {@code disabled}. */
    void stop(ConnectionState finalState, String why) {
        ctx.runOnContext(v -> {
            abandon();
            state = finalState;
            connectedSince = null;
            nextReconnectAt = null;
            LOG.info("Long connection stopped integrationId={} state={} ({})", integrationId, finalState, why);
        });
    }

    ConnectionStatus status() {
        return new ConnectionStatus(integrationId, supervisor.instanceId(), state, connectedSince, lastConnectedAt, lastError, lastErrorAt,
                failureCount, nextReconnectAt, lastDeliveryAt, received.sum(), acked.sum(), ackFailures.sum(), pingIntervalSeconds);
    }

    /** Forgets the current socket and attempt: later callbacks of either see another generation and do nothing. */
    private void abandon() {
        generation++;
        cancelTimers();
        if (reconnectTimer >= 0) {
            supervisor.vertx().cancelTimer(reconnectTimer);
            reconnectTimer = -1;
        }
        if (socket != null) {
            WebSocket old = socket;
            socket = null;
            old.close((short) 1000, "client closed");
        }
        assembler = null;
    }

    private void cancelTimers() {
        if (pingTimer >= 0) {
            supervisor.vertx().cancelTimer(pingTimer);
            pingTimer = -1;
        }
    }

    private void connect() {
        long gen = ++generation;
        state = ConnectionState.connecting;
        nextReconnectAt = null;
        LarkApp app = this.app;
        supervisor.endpoints().fetch(app, config).whenComplete((ep, error) -> ctx.runOnContext(v -> {
            if (gen != generation) {
                return;
            }
            if (error != null) {
                failed(gen, asConnectionFailure(error));
            } else {
                open(gen, ep);
            }
        }));
    }

    private void open(long gen, ConnectionEndpoint ep) {
        endpoint = ep;
        config = ep.clientConfig();
        pingIntervalSeconds = config.pingInterval();
        supervisor.webSockets().connect(supervisor.connectOptions(ep.url())).onComplete(ar -> {
            if (gen != generation) {
                if (ar.succeeded()) {
                    ar.result().close();
                }
                return;
            }
            if (ar.failed()) {
                failed(gen, asConnectionFailure(ar.cause()));
            } else {
                opened(gen, ar.result());
            }
        });
    }

    private void opened(long gen, WebSocket ws) {
        socket = ws;
        state = ConnectionState.connected;
        Instant now = supervisor.clock().instant();
        connectedSince = now;
        lastConnectedAt = now;
        failureCount = 0;
        attempts = 0;
        assembler = new FrameAssembler(supervisor.partialTtlMillis(), FrameAssembler.MAX_PARTIALS, FrameAssembler.MAX_PARTIAL_BYTES, integrationId);
        lastFrameNanos = System.nanoTime();
        ws.binaryMessageHandler(buffer -> onFrame(gen, buffer));
        ws.closeHandler(v -> onClosed(gen, ws));
        ws.exceptionHandler(e -> {
            if (gen == generation) {
                LOG.debug("Long connection socket error integrationId={}: {}", integrationId, e.toString());
            }
        });
        LOG.info("Long connection connected integrationId={} appId={} url={} device_id={} pingInterval={}s", integrationId,
                app.appId(), endpoint.safeUrl(), endpoint.deviceId(), config.pingInterval());
        ping(gen);
        startTimers(gen);
        supervisor.connected(app);
    }

    private void startTimers(long gen) {
        cancelTimers();
        long pingMs = Math.max(1000L, config.pingInterval() * 1000L);
        pingTimer = supervisor.vertx().setPeriodic(pingMs, id -> {
            watch(gen, pingMs);
            ping(gen);
        });
    }

    private void ping(long gen) {
        if (gen == generation && socket != null) {
            socket.writeBinaryMessage(Buffer.buffer(FrameCodec.encode(Frame.ping(endpoint.serviceId()))));
        }
    }

    /**
     * Before each ping: a socket that sent nothing since before the previous ping (its pong never came)
     * is half-dead, i.e. about two ping intervals after its last frame. Checked on the ping's own timer,
     * not one of its own: a timer per connection firing four times an interval was most of the
     * event loops' work with 1 000 idle connections.
     */
    private void watch(long gen, long pingMs) {
        if (gen != generation || socket == null) {
            return;
        }
        if (assembler != null) {
            int dropped = assembler.dropStale(System.currentTimeMillis());
            if (dropped > 0) {
                LOG.info("Dropped {} incomplete split event(s) integrationId={}", dropped, integrationId);
            }
        }
        long silentMs = (System.nanoTime() - lastFrameNanos) / 1_000_000;
        if (silentMs > pingMs + pingMs / 2) {
            LOG.warn("Long connection silent for {} ms (no pong) integrationId={}: reconnecting", silentMs, integrationId);
            abandon();
            dropped("no frame from the server for " + silentMs + " ms (pong watchdog)");
        }
    }

    private void onClosed(long gen, WebSocket ws) {
        if (gen != generation) {
            return;
        }
        socket = null;
        cancelTimers();
        generation++;
        String why = "connection closed by the server" + (ws.closeStatusCode() == null ? "" : " (" + ws.closeStatusCode()
                + (ws.closeReason() == null ? "" : " " + ws.closeReason()) + ")");
        LOG.info("Long connection dropped integrationId={}: {}", integrationId, why);
        dropped(why);
    }

    private void dropped(String why) {
        connectedSince = null;
        error(why);
        retry();
    }

    private void failed(long gen, LongConnectionException failure) {
        failureCount++;
        error(failure.getMessage());
        if (failure.fatal()) {
            state = ConnectionState.unhealthy;
            nextReconnectAt = null;
            LOG.warn("Long connection unhealthy integrationId={} appId={}: {} (no retry until reconnect or update)", integrationId,
                    app.appId(), failure.getMessage());
            return;
        }
        LOG.info("Long connection attempt failed integrationId={}: {}", integrationId, failure.getMessage());
        retry();
    }

    private void error(String message) {
        lastError = message;
        lastErrorAt = supervisor.clock().instant();
    }

    /** The server's policy: a random 0..ReconnectNonce before the first attempt, then every ReconnectInterval. */
    private void retry() {
        attempts++;
        if (supervisor.honourReconnectCount() && config.reconnectCount() >= 0 && attempts > config.reconnectCount()) {
            state = ConnectionState.unhealthy;
            nextReconnectAt = null;
            error("gave up after " + config.reconnectCount() + " reconnect attempts (" + lastError + ")");
            LOG.warn("Long connection gave up integrationId={}: {}", integrationId, lastError);
            return;
        }
        long delayMs = attempts == 1
                ? ThreadLocalRandom.current().nextLong(Math.max(0, config.reconnectNonce()) * 1000L + 1)
                : Math.max(1000L, config.reconnectInterval() * 1000L);
        state = ConnectionState.retrying;
        nextReconnectAt = supervisor.clock().instant().plusMillis(delayMs);
        long gen = generation;
        reconnectTimer = supervisor.vertx().setTimer(Math.max(1, delayMs), id -> {
            reconnectTimer = -1;
            if (gen == generation) {
                connect();
            }
        });
    }

    private void onFrame(long gen, Buffer buffer) {
        if (gen != generation) {
            return;
        }
        lastFrameNanos = System.nanoTime();
        Frame frame;
        try {
            frame = FrameCodec.decode(buffer.getBytes());
        } catch (IllegalArgumentException e) {
            LOG.warn("Undecodable frame ignored integrationId={}: {}", integrationId, e.getMessage());
            return;
        }
        if (frame.isControl()) {
            if ("pong".equals(frame.type()) && frame.payload() != null && frame.payload().length > 0) {
                applyConfig(gen, frame.payload());
            }
        } else if (frame.isData()) {
            onData(gen, frame);
        }
    }

    private void applyConfig(long gen, byte[] payload) {
        JsonNode json;
        try {
            json = supervisor.json().readTree(payload);
        } catch (Exception e) {
            LOG.warn("Pong with an unreadable ClientConfig ignored integrationId={}", integrationId);
            return;
        }
        ClientConfig next = config.merge(json);
        if (!next.equals(config)) {
            boolean newPing = next.pingInterval() != config.pingInterval();
            config = next;
            pingIntervalSeconds = next.pingInterval();
            LOG.info("Long connection ClientConfig from pong integrationId={}: {}", integrationId, next);
            if (newPing) {
                startTimers(gen);
            }
        }
    }

    private void onData(long gen, Frame frame) {
        String type = frame.type();
        String messageId = frame.header("message_id");
        String traceId = frame.header("trace_id");
        String sum = frame.header("sum");
        String seq = frame.header("seq");
        if (type == null || messageId == null || traceId == null || sum == null || seq == null) {
            LOG.warn("Malformed data frame ignored integrationId={} (missing type/message_id/sum/seq/trace_id) headers={}", integrationId,
                    frame.headers());
            return;
        }
        byte[] payload;
        try {
            payload = assembler.add(messageId, Integer.parseInt(sum), Integer.parseInt(seq), frame.payload(), System.currentTimeMillis());
        } catch (IllegalArgumentException e) {
            LOG.warn("Malformed data frame ignored integrationId={} message_id={}: {}", integrationId, messageId, e.getMessage());
            return;
        }
        if (payload == null) {
            return; // more parts to come
        }
        if (!"event".equals(type) && !"card".equals(type)) {
            LOG.info("Data frame of type {} ignored integrationId={} message_id={}", type, integrationId, messageId);
            return;
        }
        long start = System.currentTimeMillis();
        received.increment();
        lastDeliveryAt = supervisor.clock().instant();
        LarkEvent event;
        try {
            event = LarkEvent.fromEnvelope(supervisor.json().readTree(payload));
        } catch (Exception e) {
            LOG.warn("Unreadable event integrationId={} message_id={} trace_id={}: {} (acked 500)", integrationId, messageId, traceId,
                    e.getMessage());
            ack(gen, frame, false, start, messageId, null);
            return;
        }
        EventSink sink = supervisor.sink();
        if (sink == null) {
            ack(gen, frame, false, start, messageId, null);
            return;
        }
        // an event or a card callback (frames of type card; card.action.trigger also comes in event frames): the route tells them apart
        sink.deliver(integrationId, app.appId(), event, frame, (ok, answer) -> ctx.runOnContext(v -> ack(gen, frame, ok, start, messageId, answer)));
    }

    private void ack(long gen, Frame frame, boolean ok, long start, String messageId, byte[] answer) {
        if (gen != generation || socket == null) {
            LOG.info("Ack skipped, connection gone integrationId={} message_id={} (Lark redelivers; dedupe keeps it once)", integrationId,
                    messageId);
            return;
        }
        long bizRt = System.currentTimeMillis() - start;
        socket.writeBinaryMessage(Buffer.buffer(FrameCodec.encode(frame.ack(ok ? 200 : 500, bizRt, answer))));
        if (ok) {
            acked.increment();
            LOG.debug("Acked integrationId={} message_id={} biz_rt={}", integrationId, messageId, bizRt);
        } else {
            ackFailures.increment();
            LOG.warn("Acked 500 integrationId={} message_id={} biz_rt={} (Lark redelivers)", integrationId, messageId, bizRt);
        }
    }

    /** A failure to fetch an endpoint or connect, as a (fatal or retryable) long-connection failure; the probe uses it too. */
    static LongConnectionException asConnectionFailure(Throwable error) {
        Throwable t = error;
        while (t instanceof java.util.concurrent.CompletionException && t.getCause() != null) {
            t = t.getCause();
        }
        if (t instanceof LongConnectionException lce) {
            return lce;
        }
        if (t instanceof UpgradeRejectedException rejected) {
            Map<String, String> headers = new LinkedHashMap<>();
            if (rejected.getHeaders() != null) {
                rejected.getHeaders().forEach(h -> headers.put(h.getKey(), h.getValue()));
            }
            return LongConnectionException.handshake(rejected.getStatus(), headers);
        }
        return new LongConnectionException("WebSocket connect failed: " + t.getClass().getSimpleName()
                + (t.getMessage() == null ? "" : " " + t.getMessage()), t);
    }
}
