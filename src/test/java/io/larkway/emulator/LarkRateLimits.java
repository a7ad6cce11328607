package io.larkway.emulator;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Lark's rate limits on sending messages, for the apps a test turns them on for (off otherwise, so
 * other tests are unaffected): at most {@code perChat} sends per second to one chat and {@code
 * perApp} per second for the app; one more is answered HTTP 429 with code 99991400, as Lark does.
 * A send's chat is its receive_id; a reply's is the message replied to (the emulator does not know
 * the chat of a message it did not create; all replies to one message are in one chat). Installed
 * with {@link #on(LarkEmulator)}; windows are measured on the monotonic clock.
 */
public final class LarkRateLimits implements LarkEmulator.Extension {
    static final int TOO_MANY = 99991400;
    private static final Map<LarkEmulator, LarkRateLimits> INSTALLED = new ConcurrentHashMap<>();
    private static final Pattern REPLY = Pattern.compile("/open-apis/im/v1/messages/([^/]+)/reply");

    private record Limits(int perChat, int perApp) {
    }

    private final LarkEmulator lark;
    private final Map<String, Limits> limits = new ConcurrentHashMap<>();
    private final Map<String, Deque<Long>> windows = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> refused = new ConcurrentHashMap<>();

    private LarkRateLimits(LarkEmulator lark) {
        this.lark = lark;
    }

    public static LarkRateLimits on(LarkEmulator lark) {
        return INSTALLED.computeIfAbsent(lark, l -> {
            LarkRateLimits limits = new LarkRateLimits(l);
            l.addExtension(limits);
            return limits;
        });
    }

    /** Turns the limits on for one app. */
    public void limit(String appId, int perChat, int perApp) {
        limits.put(appId, new Limits(perChat, perApp));
    }

    /** How many of this app's sends were answered 429. */
    public int refused(String appId) {
        return refused.getOrDefault(appId, new AtomicInteger()).get();
    }

    @Override
    public boolean handle(HttpServerRequest req, Buffer body) {
        if (!req.method().name().equals("POST") || limits.isEmpty()) {
            return false;
        }
        Matcher reply = REPLY.matcher(req.path());
        boolean send = req.path().equals("/open-apis/im/v1/messages");
        if (!send && !reply.matches()) {
            return false;
        }
        LarkEmulator.App app = lark.authorised(req);
        Limits l = app == null ? null : limits.get(app.appId());
        if (l == null) {
            return false;
        }
        String chat;
        try {
            chat = send ? new com.fasterxml.jackson.databind.ObjectMapper().readTree(body.getBytes()).path("receive_id").asText() : "message:" + reply.group(1);
        } catch (java.io.IOException e) {
            return false;
        }
        long now = System.nanoTime();
        Deque<Long> appWindow = windows.computeIfAbsent(app.appId(), k -> new ArrayDeque<>());
        Deque<Long> chatWindow = windows.computeIfAbsent(app.appId() + "/" + chat, k -> new ArrayDeque<>());
        synchronized (this) {
            if (full(appWindow, l.perApp(), now) || full(chatWindow, l.perChat(), now)) {
                refused.computeIfAbsent(app.appId(), k -> new AtomicInteger()).incrementAndGet();
                LarkCards.error(req, 429, TOO_MANY, "request trigger frequency limit");
                return true;
            }
            appWindow.addLast(now);
            chatWindow.addLast(now);
        }
        return false;
    }

    private static boolean full(Deque<Long> window, int limit, long now) {
        while (!window.isEmpty() && now - window.peekFirst() >= TimeUnit.SECONDS.toNanos(1)) {
            window.removeFirst();
        }
        return window.size() >= limit;
    }
}
