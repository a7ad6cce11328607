package io.larkway.emulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A local Lark Open Platform: a real HTTP server on a random loopback port that answers the Open
 * API calls of LARK-PROTOCOL.md as Lark does ({code,msg,data}, tenant tokens, bot info, IM
 * send/reply/patch/reactions, chats, users), records every request, and can inject faults.
 * Messages sent with the same {@code uuid} are stored once, as on Lark.
 */
public final class LarkEmulator implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static volatile LarkEmulator shared;

    /** A request as received. */
    public record Recorded(String method, String path, String query, Map<String, String> headers, String body, long atMillis) {
        public JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
    }

    /** A message that Lark would show in a chat. */
    public record Message(String appId, String messageId, String kind, String target, String msgType, String content, String uuid,
            boolean replyInThread) {
    }

    /** An app registered on the emulated platform. */
    public record App(String appId, String appSecret, String botOpenId, String botName) {
    }

    /** appId null: any caller, before authorisation; else only that app's authorised calls. */
    private record Fault(String appId, String method, Pattern path, AtomicInteger remaining, int status, String body) {
    }

    private record Delay(String appId, String method, Pattern path, long ms) {
    }

    private final Vertx vertx;
    private final HttpServer server;
    private final Map<String, App> apps = new ConcurrentHashMap<>();
    private final Map<String, String> tokens = new ConcurrentHashMap<>(); // token -> appId
    private final Map<String, AtomicInteger> tokenFetches = new ConcurrentHashMap<>();
    private final List<Recorded> requests = new CopyOnWriteArrayList<>();
    private final List<Fault> faults = new CopyOnWriteArrayList<>();
    private final List<Delay> delays = new CopyOnWriteArrayList<>();
    private final List<Message> messages = new CopyOnWriteArrayList<>();
    private final Map<String, String> messageByUuid = new ConcurrentHashMap<>();
    private final Map<String, String> reactions = new ConcurrentHashMap<>(); // reaction_id -> message_id
    private final List<ObjectNode> chats = new CopyOnWriteArrayList<>();
    private final List<ObjectNode> users = new CopyOnWriteArrayList<>();
    private final AtomicInteger ids = new AtomicInteger();
    private volatile int tokenExpireSeconds = 7200;
    private volatile long tokenDelayMs;
    private final List<Extension> extensions = new CopyOnWriteArrayList<>();

    /** Lets later fixtures (WebSocket side) add handlers to the same server. */
    public interface Extension {
        /** Answers the request and returns true, or returns false to pass it on. */
        boolean handle(HttpServerRequest request, Buffer body);

        /** Takes a request before its body is read (a WebSocket upgrade cannot be accepted after); true when handled. */
        default boolean handleBeforeBody(HttpServerRequest request) {
            return false;
        }
    }

    public LarkEmulator() {
        this(Vertx.vertx());
    }

    public LarkEmulator(Vertx vertx) {
        this.vertx = vertx;
        this.server = vertx.createHttpServer();
        server.requestHandler(req -> {
            for (Extension extension : extensions) {
                if (extension.handleBeforeBody(req)) {
                    return;
                }
            }
            req.body().onSuccess(body -> handle(req, body));
        });
        try {
            server.listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("emulator did not start", e);
        }
        LarkDepartments.on(this); // the contact department tree (an app without one: no child departments, the flat user list)
    }

    /** One emulator per test JVM, so Spring test contexts with the same base URL are reused. */
    public static synchronized LarkEmulator shared() {
        if (shared == null) {
            shared = new LarkEmulator();
        }
        return shared;
    }

    public Vertx vertx() { return vertx; }

    public HttpServer server() { return server; }

    public int port() { return server.actualPort(); }

    public String baseUrl() { return "http://127.0.0.1:" + port(); }

    public void addExtension(Extension extension) { extensions.add(extension); }

    public App registerApp(String appId, String appSecret) {
        App app = new App(appId, appSecret, "ou_bot_" + appId, "Bot " + appId);
        apps.put(appId, app);
        return app;
    }

    public App app(String appId) { return apps.get(appId); }

    /** A fresh app id, so tests sharing the emulator never see each other's traffic. */
    public App newApp() {
        String id = "cli_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
        return registerApp(id, "secret-" + UUID.randomUUID());
    }

    /** Every issued token becomes invalid (Lark answers 99991663 until a new one is fetched). */
    public void invalidateTokens() { tokens.clear(); }

    public void tokenExpireSeconds(int seconds) { this.tokenExpireSeconds = seconds; }

    /** Slows the token endpoint, to make concurrent callers overlap. */
    public void tokenDelayMs(long ms) { this.tokenDelayMs = ms; }

    public int tokenFetches(String appId) { return tokenFetches.getOrDefault(appId, new AtomicInteger()).get(); }

    /** The next {@code times} requests matching method and path regex answer {@code status} and {@code body}. */
    public void failNext(String method, String pathRegex, int times, int status, String body) {
        faults.add(new Fault(null, method, Pattern.compile(pathRegex), new AtomicInteger(times), status, body));
    }

    /** One app's authorised calls matching method and path regex answer {@code status} and {@code body} until {@link #clearFaults(String)}. */
    public void refuse(String appId, String method, String pathRegex, int status, String body) {
        faults.add(new Fault(appId, method, Pattern.compile(pathRegex), new AtomicInteger(Integer.MAX_VALUE), status, body));
    }

    public void clearFaults() { faults.clear(); }

    public void clearFaults(String appId) { faults.removeIf(f -> appId.equals(f.appId())); }

    /** Authorised calls of one app matching method and path regex are answered {@code ms} late (a slow Lark for one tenant). */
    public void delay(String appId, String method, String pathRegex, long ms) {
        delays.add(new Delay(appId, method, Pattern.compile(pathRegex), ms));
    }

    public void clearDelays() { delays.clear(); }

    public List<Recorded> requests() { return List.copyOf(requests); }

    public List<Recorded> requests(String method, String pathRegex) {
        Pattern p = Pattern.compile(pathRegex);
        return requests.stream().filter(r -> r.method().equals(method) && p.matcher(r.path()).matches()).toList();
    }

    /** Messages posted (send or reply) by one app, in order. */
    public List<Message> messages(String appId) {
        return messages.stream().filter(m -> m.appId().equals(appId)).toList();
    }

    /** Reactions still present, reaction_id -> message_id. */
    public Map<String, String> reactions() { return Map.copyOf(reactions); }

    public void addChat(String chatId, String name) {
        chats.add(JSON.createObjectNode().put("chat_id", chatId).put("name", name).put("avatar", "").put("owner_id", "ou_owner"));
    }

    public void addUser(String openId, String name) {
        ObjectNode u = JSON.createObjectNode().put("open_id", openId).put("name", name);
        u.putObject("avatar").put("avatar_72", "https://example.invalid/" + openId + ".png");
        users.add(u);
    }

    private void handle(HttpServerRequest req, Buffer body) {
        String path = req.path();
        Map<String, String> headers = new ConcurrentHashMap<>();
        req.headers().forEach(h -> headers.put(h.getKey().toLowerCase(), h.getValue()));
        requests.add(new Recorded(req.method().name(), path, req.query(), headers, body.toString(), System.currentTimeMillis()));
        for (Extension extension : extensions) {
            if (extension.handle(req, body)) {
                return;
            }
        }
        for (Fault f : faults) {
            if (f.appId() == null && f.method().equals(req.method().name()) && f.path().matcher(path).matches() && f.remaining().getAndDecrement() > 0) {
                req.response().setStatusCode(f.status()).putHeader("content-type", "application/json").end(f.body());
                return;
            }
        }
        try {
            if (path.equals("/open-apis/auth/v3/tenant_access_token/internal") && req.method().name().equals("POST")) {
                JsonNode in = JSON.readTree(body.getBytes());
                App app = apps.get(in.path("app_id").asText());
                tokenFetches.computeIfAbsent(in.path("app_id").asText(), k -> new AtomicInteger()).incrementAndGet();
                ObjectNode out = JSON.createObjectNode();
                if (app == null || !app.appSecret().equals(in.path("app_secret").asText())) {
                    out.put("code", 10014).put("msg", "app secret invalid");
                    vertx.setTimer(Math.max(1, tokenDelayMs), t -> reply(req, 400, out));
                    return;
                }
                String token = "t-" + UUID.randomUUID();
                tokens.put(token, app.appId());
                out.put("code", 0).put("msg", "ok").put("tenant_access_token", token).put("expire", tokenExpireSeconds);
                vertx.setTimer(Math.max(1, tokenDelayMs), t -> reply(req, 200, out));
                return;
            }
            App app = authorised(req);
            if (app == null) {
                reply(req, 400, JSON.createObjectNode().put("code", 99991663).put("msg", "Invalid access token for authorization. Please make a request with token attached."));
                return;
            }
            for (Fault f : faults) {
                if (app.appId().equals(f.appId()) && f.method().equals(req.method().name()) && f.path().matcher(path).matches()) {
                    req.response().setStatusCode(f.status()).putHeader("content-type", "application/json").end(f.body());
                    return;
                }
            }
            for (Delay d : delays) {
                if (d.appId().equals(app.appId()) && d.method().equals(req.method().name()) && d.path().matcher(path).matches()) {
                    vertx.setTimer(d.ms(), t -> {
                        try {
                            route(req, path, body, app);
                        } catch (Exception e) {
                            reply(req, 400, JSON.createObjectNode().put("code", 9499).put("msg", "bad request: " + e.getMessage()));
                        }
                    });
                    return;
                }
            }
            route(req, path, body, app);
        } catch (Exception e) {
            reply(req, 400, JSON.createObjectNode().put("code", 9499).put("msg", "bad request: " + e.getMessage()));
        }
    }

    private static final Pattern REPLY = Pattern.compile("/open-apis/im/v1/messages/([^/]+)/reply");
    private static final Pattern PATCH = Pattern.compile("/open-apis/im/v1/messages/([^/]+)");
    private static final Pattern REACT = Pattern.compile("/open-apis/im/v1/messages/([^/]+)/reactions");
    private static final Pattern UNREACT = Pattern.compile("/open-apis/im/v1/messages/([^/]+)/reactions/([^/]+)");

    private void route(HttpServerRequest req, String path, Buffer body, App app) throws Exception {
        String method = req.method().name();
        Matcher m;
        if (method.equals("GET") && path.equals("/open-apis/bot/v3/info")) {
            reply(req, 200, botInfo(app));
        } else if (method.equals("POST") && path.equals("/open-apis/im/v1/messages")) {
            JsonNode in = JSON.readTree(body.getBytes());
            String type = req.getParam("receive_id_type");
            if (type == null) {
                reply(req, 400, JSON.createObjectNode().put("code", 99992402).put("msg", "field validation failed: receive_id_type"));
                return;
            }
            post(req, app, "send", type + ":" + in.path("receive_id").asText(), in);
        } else if (method.equals("POST") && (m = REPLY.matcher(path)).matches()) {
            post(req, app, "reply", m.group(1), JSON.readTree(body.getBytes()));
        } else if (method.equals("PATCH") && (m = PATCH.matcher(path)).matches()) {
            JsonNode in = JSON.readTree(body.getBytes());
            messages.add(new Message(app.appId(), m.group(1), "patch", m.group(1), "interactive", in.path("content").asText(), null, false));
            reply(req, 200, ok());
        } else if (method.equals("POST") && (m = REACT.matcher(path)).matches()) {
            String id = "r_" + ids.incrementAndGet();
            reactions.put(id, m.group(1));
            ObjectNode out = ok();
            out.putObject("data").put("reaction_id", id).putObject("reaction_type").put("emoji_type",
                    JSON.readTree(body.getBytes()).path("reaction_type").path("emoji_type").asText());
            reply(req, 200, out);
        } else if (method.equals("DELETE") && (m = UNREACT.matcher(path)).matches()) {
            reactions.remove(m.group(2));
            reply(req, 200, ok());
        } else if (method.equals("GET") && path.equals("/open-apis/im/v1/chats")) {
            reply(req, 200, paged(req, chats));
        } else if (method.equals("GET") && path.equals("/open-apis/contact/v3/users/find_by_department")) {
            reply(req, 200, paged(req, users));
        } else {
            reply(req, 404, JSON.createObjectNode().put("code", 404).put("msg", "404 page not found"));
        }
    }

    private void post(HttpServerRequest req, App app, String kind, String target, JsonNode in) {
        String uuid = in.path("uuid").asText(null);
        String messageId = uuid == null ? null : messageByUuid.get(app.appId() + "/" + uuid);
        if (messageId == null) {
            messageId = "om_" + ids.incrementAndGet();
            if (uuid != null) {
                messageByUuid.put(app.appId() + "/" + uuid, messageId);
            }
            messages.add(new Message(app.appId(), messageId, kind, target, in.path("msg_type").asText(), in.path("content").asText(), uuid,
                    in.path("reply_in_thread").asBoolean(false)));
        }
        ObjectNode out = ok();
        out.putObject("data").put("message_id", messageId).put("msg_type", in.path("msg_type").asText());
        reply(req, 200, out);
    }

    private ObjectNode paged(HttpServerRequest req, List<ObjectNode> all) {
        int size = req.getParam("page_size") == null ? 20 : Integer.parseInt(req.getParam("page_size"));
        int from = req.getParam("page_token") == null || req.getParam("page_token").isEmpty() ? 0 : Integer.parseInt(req.getParam("page_token"));
        List<ObjectNode> page = new ArrayList<>(all.subList(Math.min(from, all.size()), Math.min(from + size, all.size())));
        ObjectNode out = ok();
        ObjectNode data = out.putObject("data");
        ArrayNode items = data.putArray("items");
        page.forEach(items::add);
        boolean more = from + size < all.size();
        data.put("has_more", more).put("page_token", more ? String.valueOf(from + size) : "");
        return out;
    }

    /** The app whose tenant token the request carries, or null. */
    public App authorised(HttpServerRequest req) {
        String auth = req.getHeader("Authorization");
        if (auth == null || !auth.startsWith("Bearer ")) {
            return null;
        }
        String appId = tokens.get(auth.substring(7));
        return appId == null ? null : apps.get(appId);
    }

    /** Lark's answer to GET /open-apis/bot/v3/info for {@code app}. */
    static ObjectNode botInfo(App app) {
        ObjectNode out = ok();
        out.putObject("bot").put("open_id", app.botOpenId()).put("app_name", app.botName())
                .put("avatar_url", "https://example.invalid/" + app.appId() + ".png").put("activate_status", 2);
        return out;
    }

    private static ObjectNode ok() {
        return JSON.createObjectNode().put("code", 0).put("msg", "success");
    }

    private static void reply(HttpServerRequest req, int status, JsonNode body) {
        req.response().setStatusCode(status).putHeader("content-type", "application/json; charset=utf-8").end(body.toString());
    }

    @Override
    public void close() {
        server.close();
        vertx.close();
    }
}
