package io.larkway.emulator;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Holds the bot info (GET /open-apis/bot/v3/info) of the apps a test names until the test releases
 * it: the moment a bot's identity reaches the service is then the test's to choose, not a delay's.
 * Installed with {@link #on(LarkEmulator)}; apps not held are answered by the emulator as usual.
 */
public final class LarkBotInfoGate implements LarkEmulator.Extension {
    private static final Map<LarkEmulator, LarkBotInfoGate> INSTALLED = new ConcurrentHashMap<>();

    private final LarkEmulator lark;
    private final Set<String> held = ConcurrentHashMap.newKeySet();
    private final Map<String, List<HttpServerRequest>> waiting = new ConcurrentHashMap<>();

    private LarkBotInfoGate(LarkEmulator lark) {
        this.lark = lark;
    }

    public static LarkBotInfoGate on(LarkEmulator lark) {
        return INSTALLED.computeIfAbsent(lark, l -> {
            LarkBotInfoGate gate = new LarkBotInfoGate(l);
            l.addExtension(gate);
            return gate;
        });
    }

    /** The app's bot info requests wait from now on until {@link #release}. */
    public void hold(String appId) {
        held.add(appId);
    }

    /** How many of the app's bot info requests are waiting. */
    public int waiting(String appId) {
        return waiting.getOrDefault(appId, List.of()).size();
    }

    /** Answers the app's waiting bot info requests, and the later ones at once. */
    public void release(String appId) {
        held.remove(appId);
        List<HttpServerRequest> requests = waiting.remove(appId);
        if (requests != null) {
            lark.vertx().runOnContext(v -> requests.forEach(req -> req.response().setStatusCode(200)
                    .putHeader("content-type", "application/json; charset=utf-8").end(LarkEmulator.botInfo(lark.app(appId)).toString())));
        }
    }

    @Override
    public boolean handle(HttpServerRequest req, Buffer body) {
        if (held.isEmpty() || !req.method().name().equals("GET") || !req.path().equals("/open-apis/bot/v3/info")) {
            return false;
        }
        LarkEmulator.App app = lark.authorised(req);
        if (app == null || !held.contains(app.appId())) {
            return false;
        }
        waiting.computeIfAbsent(app.appId(), k -> new CopyOnWriteArrayList<>()).add(req);
        if (!held.contains(app.appId())) {
            release(app.appId()); // released meanwhile
        }
        return true;
    }
}
