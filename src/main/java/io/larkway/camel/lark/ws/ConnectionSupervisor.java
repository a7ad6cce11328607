package io.larkway.camel.lark.ws;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.larkway.camel.lark.LarkApp;
import io.larkway.camel.lark.LarkAppResolver;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.impl.VertxInternal;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Owns the long connections of this instance: one {@link LongConnection} per enabled
 * long-connection integration, all on one shared Vert.x instance (each connection bound to one
 * event-loop context, so hundreds share a few threads). Connections run while a
 * {@code lark:events} consumer is attached (no consumer, nothing could ack). The application
 * tells it of changes ({@link #changed}, {@link #close}, {@link #remove}: created/enabled → connect,
 * credentials/mode/region changed → restart, disabled/deleted/webhook → close at once) and calls
 * {@link #reconcile()} to follow changes made through other instances; which apps should be
 * connected comes from the {@link LarkAppResolver}.
 */
public class ConnectionSupervisor {
    private static final Logger LOG = LoggerFactory.getLogger(ConnectionSupervisor.class);

    private final LarkVertx vertx;
    /** Made with the first connection (as the Vert.x it runs on), under its own lock: event loops ask for it. */
    private WebSocketClient webSockets;
    private final Object webSocketsLock = new Object();
    private final EndpointClient endpoints;
    private final LarkAppResolver apps;
    private final ConnectionSettings settings;
    private final String instanceId;
    private final Clock clock;
    private final ObjectMapper json;
    private final Map<String, LongConnection> connections = new ConcurrentHashMap<>();
    /** The operator action each integration last had carried out here. */
    private final Map<String, String> appliedCommands = new ConcurrentHashMap<>();
    private ConnectionCommandLog commands;

    /** Where operator actions are shared with other instances; without one they stay on this instance. */
    public void setCommands(ConnectionCommandLog commands) {
        this.commands = commands;
    }
    private volatile EventSink sink;
    private final java.util.List<java.util.function.Consumer<LarkApp>> connectedListeners = new java.util.concurrent.CopyOnWriteArrayList<>();

    /** Told of every connect and reconnect (the credentials just proved good), on the connection's event loop: must not block. */
    public void onConnected(java.util.function.Consumer<LarkApp> listener) {
        connectedListeners.add(listener);
    }

    void connected(LarkApp app) {
        for (var listener : connectedListeners) {
            try {
                listener.accept(app);
            } catch (RuntimeException e) {
                LOG.warn("Connected listener failed integrationId={}: {}", app.owner(), e.toString());
            }
        }
    }

    public ConnectionSupervisor(LarkVertx larkVertx, LarkAppResolver apps, ConnectionSettings settings, String instanceId, Clock clock,
            ObjectMapper json) {
        this.vertx = larkVertx;
        this.apps = apps;
        this.settings = settings;
        this.instanceId = instanceId;
        this.clock = clock;
        this.json = json;
        this.endpoints = new EndpointClient(json, Duration.ofMillis(settings.connectTimeoutMs()), Duration.ofMillis(settings.connectTimeoutMs()));
    }

    /** Starts a connection for every enabled long-connection integration, delivering to {@code consumer}. */
    public synchronized void attach(EventSink consumer) {
        if (sink != null && sink != consumer) {
            throw new IllegalStateException("another lark:events consumer is already running; long-connection events go to exactly one route");
        }
        sink = consumer;
        if (commands != null) {
            // actions taken before this instance started are history: a restart resets connections
            commands.all().forEach(c -> appliedCommands.put(c.integrationId(), c.id()));
        }
        var enabled = apps.longConnectionApps();
        LOG.info("Long connections starting for {} integration(s) on instance {}", enabled.size(), instanceId);
        enabled.forEach(this::startOrRestart);
    }

    /** Closes every connection (state idle): nothing may be received that cannot be acked. */
    public synchronized void detach(EventSink consumer) {
        if (sink != consumer) {
            return;
        }
        sink = null;
        connections.values().forEach(c -> c.stop(ConnectionState.idle, "lark:events consumer stopped"));
    }

    /** The integration was deleted: its connection is closed and forgotten. */
    public synchronized void remove(String integrationId, String why) {
        Optional.ofNullable(connections.remove(integrationId)).ifPresent(c -> c.stop(ConnectionState.disabled, why));
    }

    /** The integration was disabled or switched to webhook: its connection is closed ({@code disabled}). */
    public synchronized void close(String integrationId, String why) {
        LongConnection existing = connections.get(integrationId);
        if (existing != null) {
            existing.stop(ConnectionState.disabled, why);
        }
    }

    /**
     * An enabled long-connection app was saved: connects it when it has no live connection, or
     * restarts it when {@code connectionChanged} (credentials, region, mode or enabled changed).
     */
    public synchronized void changed(LarkApp app, boolean connectionChanged) {
        if (sink == null) {
            return; // connects when the consumer starts
        }
        LongConnection existing = connections.get(app.owner());
        if (existing == null || connectionChanged || existing.state() == ConnectionState.disabled || existing.state() == ConnectionState.unhealthy) {
            startOrRestart(app);
        }
    }

    /**
     * Brings this instance in line with the database: integrations created, changed, disabled or
     * deleted through another instance. Unchanged connections are left alone, so an unhealthy one
     * stays unhealthy until an operator acts, and an operator's disconnect holds.
     */
    public synchronized void reconcile() {
        if (sink == null) {
            return;
        }
        Map<String, LarkApp> wanted = new java.util.HashMap<>();
        apps.longConnectionApps().forEach(a -> wanted.put(a.owner(), a));
        wanted.forEach((id, fresh) -> {
            LongConnection existing = connections.get(id);
            if (existing == null || existing.state() == ConnectionState.disabled || !fresh.equals(existing.app())) {
                LOG.info("Long connection follows a change made elsewhere integrationId={}", id);
                startOrRestart(fresh);
            }
        });
        if (commands != null) {
            for (ConnectionCommandLog.Command c : commands.all()) {
                if (c.id().equals(appliedCommands.put(c.integrationId(), c.id())) || !wanted.containsKey(c.integrationId())) {
                    continue;
                }
                LOG.info("Long connection {} requested through another instance integrationId={}", c.command(), c.integrationId());
                if ("disconnect".equals(c.command())) {
                    stopIdle(c.integrationId());
                } else {
                    startOrRestart(wanted.get(c.integrationId()));
                }
            }
        }
        connections.forEach((id, c) -> {
            if (!wanted.containsKey(id) && c.state() != ConnectionState.disabled) {
                LOG.info("Long connection closed after a change made elsewhere integrationId={}", id);
                c.stop(ConnectionState.disabled, "integration disabled, deleted or switched to webhook");
            }
        });
    }

    /** Operator action: drop the current socket (or unhealthy state) and connect now. */
    public synchronized ConnectionStatus reconnect(String integrationId) {
        LarkApp app = apps.app(integrationId).orElseThrow(() -> new IllegalStateException("no integration " + integrationId));
        if (sink == null) {
            throw new IllegalStateException("no lark:events consumer is running on this instance");
        }
        share(app.owner(), "reconnect");
        LOG.info("Long connection reconnect requested integrationId={}", app.owner());
        return startOrRestart(app).status();
    }

    /** Operator action: close the socket and stay idle until reconnect, an update or a restart. */
    public synchronized void disconnect(String integrationId) {
        share(integrationId, "disconnect");
        stopIdle(integrationId);
    }

    /** Records an operator action for the other instances (they carry it out on their next reconcile). */
    private void share(String integrationId, String command) {
        if (commands != null) {
            appliedCommands.put(integrationId, commands.request(integrationId, command).id());
        }
    }

    private void stopIdle(String integrationId) {
        LongConnection c = connections.get(integrationId);
        if (c != null) {
            c.stop(ConnectionState.idle, "disconnect requested");
        }
    }

    public Optional<ConnectionStatus> status(String integrationId) {
        return Optional.ofNullable(connections.get(integrationId)).map(LongConnection::status);
    }

    public Collection<ConnectionStatus> statuses() {
        return connections.values().stream().map(LongConnection::status).toList();
    }

    private LongConnection startOrRestart(LarkApp app) {
        LongConnection c = connections.computeIfAbsent(app.owner(), id -> new LongConnection(this, newContext(), app));
        c.start(app);
        return c;
    }

    /** A fresh event-loop context, so connections spread round-robin over the event loops. */
    private Context newContext() {
        return ((VertxInternal) vertx()).createEventLoopContext();
    }

    public WebSocketConnectOptions connectOptions(String url) {
        URI uri = URI.create(url);
        boolean ssl = "wss".equalsIgnoreCase(uri.getScheme()) || "https".equalsIgnoreCase(uri.getScheme());
        int port = uri.getPort() > 0 ? uri.getPort() : ssl ? 443 : 80;
        String path = (uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath())
                + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
        return new WebSocketConnectOptions().setHost(uri.getHost()).setPort(port).setSsl(ssl).setURI(path)
                .setTimeout(settings.connectTimeoutMs());
    }

    public ClientConfig defaultClientConfig() {
        return new ClientConfig(-1, settings.defaultReconnectIntervalSeconds(), settings.defaultReconnectNonceSeconds(),
                settings.defaultPingIntervalSeconds());
    }

    EventSink sink() { return sink; }

    Vertx vertx() { return vertx.get(); }

    WebSocketClient webSockets() {
        synchronized (webSocketsLock) {
            if (webSockets == null) {
                webSockets = vertx().createWebSocketClient(new WebSocketClientOptions()
                        .setConnectTimeout(settings.connectTimeoutMs())
                        .setMaxFrameSize(Math.min(settings.maxMessageBytes(), 1 << 20))
                        .setMaxMessageSize(settings.maxMessageBytes())
                        .setClosingTimeout(2)
                        .setMaxConnections(Integer.MAX_VALUE));
            }
            return webSockets;
        }
    }

    public EndpointClient endpoints() { return endpoints; }

    String instanceId() { return instanceId; }

    public ConnectionSettings settings() { return settings; }

    Clock clock() { return clock; }

    ObjectMapper json() { return json; }

    long partialTtlMillis() { return settings.partialTtlSeconds() * 1000L; }

    boolean honourReconnectCount() { return settings.honourReconnectCount(); }
}
