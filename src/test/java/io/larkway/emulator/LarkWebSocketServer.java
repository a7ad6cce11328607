package io.larkway.emulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.lark.oapi.google.protobuf.ByteString;
import com.lark.oapi.ws.pb.Pbbp2;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.ServerWebSocket;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Lark's long-connection side of the {@link LarkEmulator}: the {@code /callback/ws/endpoint} API
 * (with configurable ClientConfig and failure codes), the WebSocket upgrade on {@code /ws/v2}
 * (with injectable handshake failures carrying {@code Handshake-Status/-Msg/-Autherrcode}),
 * pbbp2 frames built with the official SDK's own {@code Pbbp2} classes (an independent codec),
 * pong answers (optionally with a ClientConfig), event pushes (single and split), ack recording,
 * redelivery of unacked events, forced disconnects and a silent mode that ignores pings.
 */
public final class LarkWebSocketServer implements LarkEmulator.Extension {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Map<LarkEmulator, LarkWebSocketServer> INSTALLED = new ConcurrentHashMap<>();

    /** A handshake failure the upgrade answers with (HTTP status plus Lark's handshake headers). */
    public record HandshakeFailure(int httpStatus, String status, String msg, String authErrCode) {
    }

    /** An ack the client sent back. */
    public record Ack(String appId, String messageId, int code, String bizRt, long receivedAtNanos, Instant at, Pbbp2.Frame frame) {
        /**
         * The ack payload's {@code data}, the answer to a card callback, as JSON text (null when none): base64, as Lark's
         * Go server reads a {@code []byte}; the Java SDK's Gson would write an array of byte values, also accepted.
         */
        public String data() {
            try {
                JsonNode data = JSON.readTree(frame.getPayload().toByteArray()).path("data");
                if (data.isTextual()) {
                    return new String(java.util.Base64.getDecoder().decode(data.asText()), StandardCharsets.UTF_8);
                }
                if (data.isArray()) {
                    byte[] bytes = new byte[data.size()];
                    for (int i = 0; i < bytes.length; i++) {
                        bytes[i] = (byte) data.get(i).asInt();
                    }
                    return new String(bytes, StandardCharsets.UTF_8);
                }
                return null;
            } catch (Exception e) {
                return null;
            }
        }
    }

    /** A ping the client sent. */
    public record Ping(String appId, String deviceId, int service, long atNanos) {
    }

    /** A pushed event: its frames, when pushed, and to which app. */
    public record Pushed(String appId, String messageId, List<Pbbp2.Frame> frames, long pushedAtNanos) {
    }

    /** Per-app behaviour of the emulated platform. */
    public static final class AppSettings {
        volatile ObjectNode clientConfig = JSON.createObjectNode().put("ReconnectCount", -1).put("ReconnectInterval", 1)
                .put("ReconnectNonce", 0).put("PingInterval", 30);
        volatile ObjectNode pongConfig;
        volatile HandshakeFailure handshakeFailure;
        final ConcurrentLinkedQueue<int[]> endpointFailures = new ConcurrentLinkedQueue<>();
        final List<Long> endpointCalls = new CopyOnWriteArrayList<>();
        final AtomicInteger handshakes = new AtomicInteger();
        final AtomicInteger rejectedHandshakes = new AtomicInteger();
    }

    /** One open client socket. */
    public static final class Conn {
        final String appId;
        final String deviceId;
        final int serviceId;
        final ServerWebSocket ws;
        final long connectedAtNanos = System.nanoTime();
        volatile boolean silent;
        volatile boolean closed;

        Conn(String appId, String deviceId, int serviceId, ServerWebSocket ws) {
            this.appId = appId;
            this.deviceId = deviceId;
            this.serviceId = serviceId;
            this.ws = ws;
        }

        public String deviceId() { return deviceId; }

        public int serviceId() { return serviceId; }

        public long connectedAtNanos() { return connectedAtNanos; }

        public boolean open() { return !closed; }
    }

    private final LarkEmulator lark;
    private final Map<String, AppSettings> settings = new ConcurrentHashMap<>();
    private final Map<String, String> tickets = new ConcurrentHashMap<>(); // ticket -> appId
    private final List<Conn> conns = new CopyOnWriteArrayList<>();
    private final List<Ack> acks = new CopyOnWriteArrayList<>();
    private final Map<String, Ack> firstAcks = new ConcurrentHashMap<>();
    private final List<Ping> pings = new CopyOnWriteArrayList<>();
    private final Map<String, Pushed> unacked = new ConcurrentHashMap<>();
    private final Map<String, Pushed> pushed = new ConcurrentHashMap<>();
    private final AtomicLong seq = new AtomicLong();
    private final AtomicInteger roundRobin = new AtomicInteger();
    private final AtomicInteger services = new AtomicInteger(1000);

    private LarkWebSocketServer(LarkEmulator lark) {
        this.lark = lark;
    }

    /** The WebSocket side of {@code lark}, installed once per emulator. */
    public static LarkWebSocketServer on(LarkEmulator lark) {
        return INSTALLED.computeIfAbsent(lark, l -> {
            LarkWebSocketServer server = new LarkWebSocketServer(l);
            l.addExtension(server);
            return server;
        });
    }

    public AppSettings app(String appId) {
        return settings.computeIfAbsent(appId, k -> new AppSettings());
    }

    // ---- configuration -------------------------------------------------------------------------

    /** The ClientConfig the endpoint API answers for this app (seconds). */
    public void clientConfig(String appId, int reconnectCount, int reconnectInterval, int reconnectNonce, int pingInterval) {
        app(appId).clientConfig = config(reconnectCount, reconnectInterval, reconnectNonce, pingInterval);
    }

    /** Pongs to this app carry this ClientConfig from now on (null: pongs without payload). */
    public void pongConfig(String appId, ObjectNode config) {
        app(appId).pongConfig = config;
    }

    public static ObjectNode config(int reconnectCount, int reconnectInterval, int reconnectNonce, int pingInterval) {
        return JSON.createObjectNode().put("ReconnectCount", reconnectCount).put("ReconnectInterval", reconnectInterval)
                .put("ReconnectNonce", reconnectNonce).put("PingInterval", pingInterval);
    }

    /** The next {@code times} endpoint calls of this app answer {@code code} (e.g. 1 busy, 514 auth failed). */
    public void failEndpoint(String appId, int code, int times) {
        for (int i = 0; i < times; i++) {
            app(appId).endpointFailures.add(new int[] {code});
        }
    }

    /** Every upgrade of this app fails this way until {@link #clearHandshakeFailure}. */
    public void failHandshake(String appId, HandshakeFailure failure) {
        app(appId).handshakeFailure = failure;
    }

    public void clearHandshakeFailure(String appId) {
        app(appId).handshakeFailure = null;
    }

    // ---- actions -------------------------------------------------------------------------------

    /** Pushes one event envelope in one data frame; answers the frame's message_id. */
    public String push(String appId, String envelope) {
        return pushSplit(appId, envelope, 1, false);
    }

    /** Pushes one event split into {@code parts} frames, last part first when {@code reversed}. */
    public String pushSplit(String appId, String envelope, int parts, boolean reversed) {
        return pushSplit(appId, envelope, parts, reversed, 0);
    }

    /** As {@link #pushSplit(String, String, int, boolean)}, the parts {@code gapMillis} apart. */
    public String pushSplit(String appId, String envelope, int parts, boolean reversed, long gapMillis) {
        return push(appId, envelope, "event", parts, reversed, gapMillis);
    }

    /** Pushes a card callback (card.action.trigger) in a data frame of type {@code card}; its answer comes in the ack ({@link Ack#data()}). */
    public String pushCard(String appId, String envelope) {
        return push(appId, envelope, "card", 1, false, 0);
    }

    private String push(String appId, String envelope, String type, int parts, boolean reversed, long gapMillis) {
        Conn conn = pick(appId);
        byte[] bytes = envelope.getBytes(StandardCharsets.UTF_8);
        String messageId = "ws_" + UUID.randomUUID().toString().replace("-", "").substring(0, 20);
        String traceId = UUID.randomUUID().toString();
        List<Pbbp2.Frame> frames = new ArrayList<>();
        int chunk = (bytes.length + parts - 1) / parts;
        for (int i = 0; i < parts; i++) {
            byte[] part = Arrays.copyOfRange(bytes, Math.min(bytes.length, i * chunk), Math.min(bytes.length, (i + 1) * chunk));
            frames.add(Pbbp2.Frame.newBuilder().setSeqID(seq.incrementAndGet()).setLogID(seq.get() * 7).setService(conn.serviceId).setMethod(1)
                    .addHeaders(header("type", type)).addHeaders(header("message_id", messageId))
                    .addHeaders(header("sum", String.valueOf(parts))).addHeaders(header("seq", String.valueOf(i)))
                    .addHeaders(header("trace_id", traceId))
                    .setPayload(ByteString.copyFrom(part)).build());
        }
        Pushed p = new Pushed(appId, messageId, List.copyOf(frames), System.nanoTime());
        pushed.put(messageId, p);
        unacked.put(messageId, p);
        List<Pbbp2.Frame> order = new ArrayList<>(frames);
        if (reversed) {
            java.util.Collections.reverse(order);
        }
        if (gapMillis <= 0) {
            send(conn, order);
        } else {
            for (int i = 0; i < order.size(); i++) {
                Pbbp2.Frame f = order.get(i);
                lark.vertx().setTimer(1 + i * gapMillis, t -> send(conn, List.of(f)));
            }
        }
        return messageId;
    }

    /** Sends a pushed event again (same frames, same message_id), as Lark does when it saw no 200 ack. */
    public void redeliver(String messageId) {
        Pushed p = pushed.get(messageId);
        send(pick(p.appId()), p.frames());
    }

    /** Redelivers every event of the app that has no 200 ack yet; answers how many. */
    public int redeliverUnacked(String appId) {
        List<Pushed> due = unacked.values().stream().filter(p -> p.appId().equals(appId)).toList();
        due.forEach(p -> send(pick(appId), p.frames()));
        return due.size();
    }

    /** Sends raw bytes to every open socket of the app (malformed-frame tests). */
    public void sendRaw(String appId, byte[] bytes) {
        open(appId).forEach(c -> c.ws.writeBinaryMessage(Buffer.buffer(bytes)));
    }

    /** Closes every open socket of the app, as a server restart would. */
    public void disconnect(String appId) {
        open(appId).forEach(c -> c.ws.close((short) 1001, "server going away"));
    }

    /** The app's currently open sockets stop answering pings and stop sending anything (a half-dead connection). */
    public void silence(String appId) {
        open(appId).forEach(c -> c.silent = true);
    }

    // ---- observations --------------------------------------------------------------------------

    public List<Conn> open(String appId) {
        return conns.stream().filter(c -> c.appId.equals(appId) && !c.closed).toList();
    }

    public int handshakes(String appId) { return app(appId).handshakes.get(); }

    public int rejectedHandshakes(String appId) { return app(appId).rejectedHandshakes.get(); }

    /** Endpoint API calls of the app, as System.nanoTime() stamps. */
    public List<Long> endpointCalls(String appId) { return List.copyOf(app(appId).endpointCalls); }

    public List<Ack> acks(String appId) {
        return acks.stream().filter(a -> a.appId().equals(appId)).toList();
    }

    public List<Ack> acks() { return List.copyOf(acks); }

    /** The first ack of a pushed event, or null. */
    public Ack firstAck(String messageId) { return firstAcks.get(messageId); }

    /** Forgets recorded acks, pings and pushes (long benchmark runs). */
    public void forgetHistory() {
        acks.clear();
        firstAcks.clear();
        pings.clear();
        pushed.clear();
        unacked.clear();
    }

    public List<Ping> pings(String appId) {
        return pings.stream().filter(p -> p.appId().equals(appId)).toList();
    }

    public Pushed pushed(String messageId) { return pushed.get(messageId); }

    public boolean unacked(String messageId) { return unacked.containsKey(messageId); }

    /** A schema 2.0 im.message.receive_v1 envelope created now. */
    public static String messageEvent(String appId, String eventId, String messageId, String text) {
        return messageEvent(appId, eventId, messageId, text, Instant.now());
    }

    public static String messageEvent(String appId, String eventId, String messageId, String text, Instant created) {
        ObjectNode env = JSON.createObjectNode().put("schema", "2.0");
        env.putObject("header").put("event_id", eventId).put("event_type", "im.message.receive_v1")
                .put("create_time", String.valueOf(created.toEpochMilli())).put("token", "").put("app_id", appId).put("tenant_key", "tk_1");
        ObjectNode event = env.putObject("event");
        ObjectNode sender = event.putObject("sender");
        sender.putObject("sender_id").put("open_id", "ou_user_1").put("union_id", "on_user_1").put("user_id", "u1");
        sender.put("sender_type", "user").put("tenant_key", "tk_1");
        ObjectNode content = JSON.createObjectNode().put("text", text);
        event.putObject("message").put("message_id", messageId).put("create_time", String.valueOf(created.toEpochMilli()))
                .put("chat_id", "oc_chat_1").put("chat_type", "p2p").put("message_type", "text").put("content", content.toString());
        return env.toString();
    }

    // ---- the wire ------------------------------------------------------------------------------

    @Override
    public boolean handle(HttpServerRequest req, Buffer body) {
        if (req.path().equals("/callback/ws/endpoint") && req.method().name().equals("POST")) {
            endpoint(req, body);
            return true;
        }
        return false;
    }

    @Override
    public boolean handleBeforeBody(HttpServerRequest req) {
        if (req.path().equals("/ws/v2")) {
            upgrade(req);
            return true;
        }
        return false;
    }

    private void endpoint(HttpServerRequest req, Buffer body) {
        ObjectNode out = JSON.createObjectNode();
        JsonNode in;
        try {
            in = JSON.readTree(body.getBytes());
        } catch (Exception e) {
            in = JSON.createObjectNode();
        }
        String appId = in.path("AppID").asText("");
        LarkEmulator.App registered = lark.app(appId);
        AppSettings s = app(appId);
        s.endpointCalls.add(System.nanoTime());
        int[] failure = s.endpointFailures.poll();
        if (failure != null) {
            out.put("code", failure[0]).put("msg", "injected failure " + failure[0]);
        } else if (registered == null || !registered.appSecret().equals(in.path("AppSecret").asText())) {
            out.put("code", 514).put("msg", "auth failed: app id or secret invalid");
        } else {
            String ticket = UUID.randomUUID().toString();
            tickets.put(ticket, appId);
            String url = "ws://127.0.0.1:" + lark.port() + "/ws/v2?fpid=493&aid=552564&device_id=" + services.incrementAndGet()
                    + "&access_key=ak_" + UUID.randomUUID().toString().substring(0, 8) + "&service_id=" + services.incrementAndGet()
                    + "&ticket=" + ticket;
            out.put("code", 0).put("msg", "ok");
            ObjectNode data = out.putObject("data");
            data.put("URL", url);
            data.set("ClientConfig", s.clientConfig);
        }
        req.response().putHeader("content-type", "application/json").end(out.toString());
    }

    private void upgrade(HttpServerRequest req) {
        String ticket = req.getParam("ticket");
        String appId = ticket == null ? null : tickets.get(ticket);
        if (appId == null) {
            req.response().setStatusCode(400).putHeader("Handshake-Status", "403").putHeader("Handshake-Msg", "invalid ticket").end();
            return;
        }
        AppSettings s = app(appId);
        HandshakeFailure failure = s.handshakeFailure;
        if (failure != null) {
            s.rejectedHandshakes.incrementAndGet();
            var response = req.response().setStatusCode(failure.httpStatus());
            if (failure.status() != null) {
                response.putHeader("Handshake-Status", failure.status());
            }
            if (failure.msg() != null) {
                response.putHeader("Handshake-Msg", failure.msg());
            }
            if (failure.authErrCode() != null) {
                response.putHeader("Handshake-Autherrcode", failure.authErrCode());
            }
            response.end();
            return;
        }
        String deviceId = req.getParam("device_id");
        int service = Integer.parseInt(req.getParam("service_id"));
        req.toWebSocket().onSuccess(ws -> {
            Conn conn = new Conn(appId, deviceId, service, ws);
            conns.add(conn);
            s.handshakes.incrementAndGet();
            ws.binaryMessageHandler(buffer -> onFrame(conn, buffer));
            ws.closeHandler(v -> {
                conn.closed = true;
                conns.remove(conn);
            });
        }).onFailure(e -> System.err.println("emulator upgrade failed: " + e));
    }

    private void onFrame(Conn conn, Buffer buffer) {
        Pbbp2.Frame frame;
        try {
            frame = Pbbp2.Frame.parseFrom(buffer.getBytes());
        } catch (Exception e) {
            System.err.println("emulator: undecodable frame from " + conn.appId + ": " + e);
            return;
        }
        String type = header(frame, "type");
        if (frame.getMethod() == 0 && "ping".equals(type)) {
            pings.add(new Ping(conn.appId, conn.deviceId, frame.getService(), System.nanoTime()));
            if (!conn.silent) {
                Pbbp2.Frame.Builder pong = Pbbp2.Frame.newBuilder().setSeqID(0).setLogID(0).setService(frame.getService()).setMethod(0)
                        .addHeaders(header("type", "pong"));
                ObjectNode config = app(conn.appId).pongConfig;
                if (config != null) {
                    pong.setPayload(ByteString.copyFromUtf8(config.toString()));
                }
                conn.ws.writeBinaryMessage(Buffer.buffer(pong.build().toByteArray()));
            }
        } else if (frame.getMethod() == 1) {
            String messageId = header(frame, "message_id");
            int code = -1;
            try {
                code = JSON.readTree(frame.getPayload().toByteArray()).path("code").asInt(-1);
            } catch (Exception e) {
                // recorded with code -1
            }
            Ack ack = new Ack(conn.appId, messageId, code, header(frame, "biz_rt"), System.nanoTime(), io.larkway.TestClock.SHARED.instant(), frame);
            acks.add(ack);
            firstAcks.putIfAbsent(messageId, ack);
            if (code == 200) {
                unacked.remove(messageId);
            }
        }
    }

    private Conn pick(String appId) {
        List<Conn> open = open(appId).stream().filter(c -> !c.silent).toList();
        if (open.isEmpty()) {
            throw new IllegalStateException("no open long connection for app " + appId);
        }
        return open.get(Math.floorMod(roundRobin.getAndIncrement(), open.size()));
    }

    private void send(Conn conn, List<Pbbp2.Frame> frames) {
        // writes from any thread are queued on the socket's event loop in call order
        frames.forEach(f -> conn.ws.writeBinaryMessage(Buffer.buffer(f.toByteArray())));
    }

    static Pbbp2.Header header(String key, String value) {
        return Pbbp2.Header.newBuilder().setKey(key).setValue(value).build();
    }

    public static String header(Pbbp2.Frame frame, String key) {
        return frame.getHeadersList().stream().filter(h -> h.getKey().equals(key)).map(Pbbp2.Header::getValue).findFirst().orElse(null);
    }
}
