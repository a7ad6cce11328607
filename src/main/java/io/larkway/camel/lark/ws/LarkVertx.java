package io.larkway.camel.lark.ws;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;

/**
 * The Vert.x instance long connections share (a few event-loop threads, however many integrations),
 * made at its first use: an instance with no long-connection integration never loads Vert.x and
 * Netty (about 600 classes and their threads at start-up).
 */
public final class LarkVertx implements AutoCloseable {
    private final int eventLoopThreads;
    private Vertx vertx;
    private boolean closed;

    public LarkVertx(int eventLoopThreads) {
        this.eventLoopThreads = eventLoopThreads;
    }

    /** The shared instance, made on the first call (callers ask once per connection, connect or timer, not per event). */
    public synchronized Vertx get() {
        if (vertx == null) {
            if (closed) {
                throw new IllegalStateException("the long connections' Vert.x is closed (shutting down)");
            }
            vertx = create(eventLoopThreads);
        }
        return vertx;
    }

    /** Whether {@link #get} has made the instance (for tests). */
    synchronized boolean made() {
        return vertx != null;
    }

    /** Closes the instance if it was made; none is made after this. */
    @Override
    public synchronized void close() {
        closed = true;
        if (vertx != null) {
            vertx.close();
        }
    }

    public static Vertx create(int eventLoopThreads) {
        Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(eventLoopThreads).setWorkerPoolSize(4));
        // Vert.x 4.5 (up to at least 4.5.22) cancels a WebSocket's handshake-timeout timer after the
        // handshake only when the timer's id is > 0 (eclipse-vertx/vert.x#5583): the socket that gets
        // timer id 0, the first timer of the instance, is closed a connect timeout after connecting.
        // Timer ids count up from 0 per instance, so taking id 0 here keeps it from any socket.
        vertx.cancelTimer(vertx.setTimer(1, id -> { }));
        return vertx;
    }
}
