package io.larkway.camel.lark.client;

import java.time.Clock;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Keeps one integration's message sends within Lark's documented limits (per app: all its sends;
 * per chat: the sends to one chat) so a burst queues briefly instead of meeting 429s. A sliding
 * window of one second plus a small margin (the transit time of a request varies): a send is let
 * through when fewer than the limit went out in the window, the time of each is the {@link Clock}'s
 * when it was let through. The state and its lock are per integration, and the wait happens outside
 * the lock on the caller's own thread, so one tenant's burst never holds up another tenant's sends.
 */
public final class SendLimiter {
    /** Lark counts per second; the margin covers the difference between when a send leaves and when Lark counts it. */
    static final long WINDOW_MS = 1000 + 60;
    private static final int MAX_CHATS = 10_000;

    private final int perChat;
    private final int perApp;
    private final Clock clock;
    private final Map<String, Integration> integrations = new ConcurrentHashMap<>();

    /** {@code perChat}, {@code perApp}: sends per second; 0 or less turns that limit off. */
    public SendLimiter(int perChat, int perApp, Clock clock) {
        this.perChat = perChat;
        this.perApp = perApp;
        this.clock = clock;
    }

    /** No limits (a client built without them). */
    public static SendLimiter none(Clock clock) {
        return new SendLimiter(0, 0, clock);
    }

    /** Waits until a send of {@code integrationId} to {@code chat} (null: unknown) is within the limits, and counts it. */
    public void acquire(String integrationId, String chat) {
        if (perChat <= 0 && perApp <= 0) {
            return;
        }
        Integration state = integrations.computeIfAbsent(integrationId, k -> new Integration());
        while (true) {
            long wait;
            synchronized (state) {
                long now = clock.millis();
                Window chatWindow = perChat > 0 && chat != null ? state.chat(chat, perChat) : null;
                wait = Math.max(state.app == null ? 0 : state.app.delay(now), chatWindow == null ? 0 : chatWindow.delay(now));
                if (wait <= 0) {
                    if (state.app != null) {
                        state.app.add(now);
                    }
                    if (chatWindow != null) {
                        chatWindow.add(now);
                    }
                    return;
                }
            }
            try {
                Thread.sleep(Math.min(wait, WINDOW_MS));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new LarkApiException("interrupted while waiting for Lark's rate limit", e);
            }
        }
    }

    /** One integration's windows. */
    private final class Integration {
        final Window app = perApp > 0 ? new Window(perApp) : null;
        final Map<String, Window> chats = new java.util.LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Window> eldest) {
                return size() > MAX_CHATS; // bounded: the least recently used chat's window is forgotten
            }
        };

        Window chat(String chat, int limit) {
            return chats.computeIfAbsent(chat, k -> new Window(limit));
        }
    }

    /** The times of the last {@code limit} sends, oldest first (a ring). */
    private static final class Window {
        private final long[] times;
        private int next;
        private int size;

        Window(int limit) {
            this.times = new long[limit];
        }

        /** How long until one more send fits: 0 when it fits now. */
        long delay(long now) {
            if (size < times.length) {
                return 0;
            }
            long oldest = times[next]; // full ring: next is the oldest
            return oldest + WINDOW_MS - now;
        }

        void add(long now) {
            times[next] = now;
            next = (next + 1) % times.length;
            size = Math.min(size + 1, times.length);
        }
    }
}
